/**
 * "Action needed" when the relay refuses this gate's token (bad or revoked): scanning still works
 * from the local list, but nothing new arrives until someone enters a new token in Settings. The
 * relay's own words stay in the log and behind "details".
 */
import type { GateStatus } from '../../../shared/gate-api.js';
import { useGate } from '../gate-context.js';

// What the sync client reports when the relay refuses the token (electron/gate/sync/client.ts).
const REFUSED_TOKEN_ERRORS = ['the relay rejected the gate token', 'the gate token was revoked'];

export function isTokenRejected(status: GateStatus | null): boolean {
  if (!status) return false;
  // The relay link's own 'rejected' state, where the engine reports it; the refusal words otherwise.
  return (
    (status.connection as string) === 'rejected' || REFUSED_TOKEN_ERRORS.includes(status.lastError ?? '')
  );
}

export function TokenBanner() {
  const { status } = useGate();
  if (!isTokenRejected(status)) return null;
  return (
    <div className="offline-banner" role="alert" data-testid="token-banner">
      <span aria-hidden="true">⚠</span> Action needed: the relay refused this gate&apos;s token — enter a new
      one in Settings (F4). Scanning goes on from the local list meanwhile.
      {status?.lastError ? (
        <details className="banner-details">
          <summary>details</summary>
          {status.lastError}
        </details>
      ) : null}
    </div>
  );
}
