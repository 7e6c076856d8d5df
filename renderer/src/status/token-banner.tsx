/**
 * "Action needed" when the relay refuses this gate's token (bad or revoked): scanning still works
 * from the local list, but nothing new arrives until someone enters a new token in Settings. The
 * relay's own words stay in the log and behind "details".
 */
import type { GateStatus } from '../../../shared/gate-api.js';
import { useGate } from '../gate-context.js';

export const REJECTED_WORDS =
  "Action needed: the relay refused this gate's token — enter a new one in Settings";

/** The relay refused the token (bad or revoked): the sync client stopped retrying. */
export function isTokenRejected(status: GateStatus | null): boolean {
  return status?.connection === 'rejected';
}

export function TokenBanner() {
  const { status } = useGate();
  if (!isTokenRejected(status)) return null;
  return (
    <div className="rejected-banner" role="alert" data-testid="rejected-banner">
      <span aria-hidden="true">⛔</span> {REJECTED_WORDS} (F4). Scanning goes on from the local list
      meanwhile.
      {status?.lastError ? (
        <details className="banner-details">
          <summary>details</summary>
          {status.lastError}
        </details>
      ) : null}
    </div>
  );
}
