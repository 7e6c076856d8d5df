/**
 * The gate's retry pacing and relay URL: one implementation, in shared/ (a venue relay's upstream
 * link uses the same), re-exported here for the gate's imports.
 */
export { Backoff, gateSocketUrl } from '../../../shared/backoff.js';
