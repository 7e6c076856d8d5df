/**
 * The gate's own devices: a badge for the serial scanner and the turnstile (when configured), and a
 * banner in plain words when one is unplugged or missing, so staff know to type barcodes or open
 * the gate by hand instead of wondering why nothing happens.
 */
import type { GateStatus } from '../../../shared/gate-api.js';
import { useGate } from '../gate-context.js';

type ScannerState = GateStatus['scanner']['state'];

const SCANNER_WORDS: Record<Exclude<ScannerState, 'none'>, string> = {
  connected: 'Scanner connected',
  disconnected: 'Scanner disconnected',
  absent: 'Scanner disconnected',
};

function isTurnstileDown(status: GateStatus): boolean {
  return status.turnstile.driver !== 'none' && ['disconnected', 'error'].includes(status.turnstile.state);
}

export function DeviceBadge() {
  const { status } = useGate();
  if (!status) return null;
  const scanner = status.scanner.state;
  const hasTurnstile = status.turnstile.driver !== 'none';
  if (scanner === 'none' && !hasTurnstile) return null;
  return (
    <div className="device-badges" data-testid="device-badge">
      {scanner === 'none' ? null : (
        <span
          className={`badge ${scanner === 'connected' ? 'badge-online' : 'badge-offline'}`}
          data-testid="scanner-badge"
          data-state={scanner}
          title={status.scanner.path ?? undefined}
        >
          <span aria-hidden="true">{scanner === 'connected' ? '▮' : '▯'}</span> {SCANNER_WORDS[scanner]}
        </span>
      )}
      {hasTurnstile ? (
        <span
          className={`badge ${isTurnstileDown(status) ? 'badge-offline' : 'badge-online'}`}
          data-testid="turnstile-badge"
          data-state={status.turnstile.state}
        >
          Turnstile {status.turnstile.state === 'error' ? 'fault' : status.turnstile.state}
        </span>
      ) : null}
    </div>
  );
}

export function DeviceBanner() {
  const { status } = useGate();
  if (!status) return null;
  const scanner = status.scanner;
  const isScannerDown = scanner.state === 'disconnected' || scanner.state === 'absent';
  if (!isScannerDown && !isTurnstileDown(status)) return null;
  return (
    <div className="offline-banner" role="alert" data-testid="device-banner">
      {isScannerDown ? (
        <p data-testid="scanner-banner">
          <span aria-hidden="true">⚠</span> Scanner disconnected
          {scanner.state === 'absent' ? ` — nothing at ${scanner.path ?? 'its port'} yet` : ''}. Plug it back
          in (it is picked up by itself), or type barcodes here.
        </p>
      ) : null}
      {isTurnstileDown(status) ? (
        <p data-testid="turnstile-banner">
          <span aria-hidden="true">⚠</span> Turnstile{' '}
          {status.turnstile.state === 'error' ? 'fault' : 'disconnected'}
          {status.turnstile.message ? ` (${status.turnstile.message})` : ''} — open the gate by hand.
        </p>
      ) : null}
    </div>
  );
}
