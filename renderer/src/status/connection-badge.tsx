/**
 * Always-visible relay connection badge, and the plain-words banner under it: "offline, working from
 * the local list" while the gate retries, or "action needed" when the relay refused the token and the
 * gate has stopped retrying.
 */
import { useEffect, useState } from 'react';
import { useGate } from '../gate-context.js';

const BADGE = {
  online: { icon: '●', words: 'Online' },
  offline: { icon: '○', words: 'Offline' },
  connecting: { icon: '◌', words: 'Connecting' },
  rejected: { icon: '⛔', words: 'Token refused' },
} as const;

function ageWords(iso: string | null, now: number): string {
  if (!iso) return 'never synced';
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `synced ${seconds}s ago`;
  if (seconds < 3600) return `synced ${Math.round(seconds / 60)} min ago`;
  return `synced ${Math.round(seconds / 3600)} h ago`;
}

export function ConnectionBadge() {
  const { status, settings, link, isLocked } = useGate();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  // A gate shared on the network refuses this screen until the PIN is entered: locked, not broken.
  if (isLocked) {
    return (
      <div className="badge badge-locked" role="status" data-testid="connection-badge" data-state="locked">
        <span aria-hidden="true">🔒</span> Locked — enter the staff PIN
      </div>
    );
  }
  if (link === 'reconnecting') {
    return (
      <div
        className="badge badge-offline"
        role="status"
        data-testid="connection-badge"
        data-state="gate-unreachable"
      >
        <span aria-hidden="true">✖</span> Gate unreachable — retrying
      </div>
    );
  }
  const state = status?.connection ?? 'connecting';
  const look = BADGE[state];
  return (
    <div className={`badge badge-${state}`} role="status" data-testid="connection-badge" data-state={state}>
      <span aria-hidden="true">{look.icon}</span> <strong>{look.words}</strong>
      <span className="badge-detail">{ageWords(status?.lastSyncAt ?? null, now)}</span>
      <span className="badge-detail">{status?.pendingScans ?? 0} to upload</span>
      {status && status.conflicts > 0 ? (
        <span className="badge-detail badge-warn">
          ⚠ {status.conflicts} {status.conflicts === 1 ? 'conflict' : 'conflicts'}
        </span>
      ) : null}
      {status && status.refusedScans > 0 ? (
        <span className="badge-detail badge-warn" data-testid="refused-scans">
          ⚠ {status.refusedScans} {status.refusedScans === 1 ? 'scan' : 'scans'} refused by the relay
        </span>
      ) : null}
      {status && settings && status.gate !== settings.gateName ? (
        <span className="badge-detail badge-warn" data-testid="gate-name-mismatch">
          ⚠ the relay knows this gate as “{status.gate}”
        </span>
      ) : null}
    </div>
  );
}

export function OfflineBanner() {
  const { status, settings } = useGate();
  // A gate with no relay yet is not "offline": first run says what to do instead. A refused token
  // has its own banner (TokenBanner), which says what to do about it.
  if (!status || status.connection !== 'offline' || settings?.relayUrl === null) return null;
  return (
    <div className="offline-banner" role="alert" data-testid="offline-banner">
      <span data-testid="banner-main">
        <span aria-hidden="true">⚠</span> No connection to the relay. This gate is working from its local list
        of {status.tickets} tickets; scans are saved and will upload when the connection returns.
      </span>
      {/* The technical reason is for whoever fixes the network: behind a toggle, and in the log. */}
      {status.lastError ? (
        <details className="banner-details" data-testid="banner-details">
          <summary>details</summary>
          {status.lastError}
        </details>
      ) : null}
    </div>
  );
}

export function SnapshotProgress() {
  const { status } = useGate();
  const snapshot = status?.snapshot;
  if (!snapshot) return null;
  const percent = snapshot.total > 0 ? Math.round((snapshot.received / snapshot.total) * 100) : 0;
  return (
    <div className="snapshot" data-testid="snapshot-progress">
      <label>
        Downloading ticket list: {snapshot.received} of {snapshot.total}
        <progress
          max={Math.max(1, snapshot.total)}
          value={snapshot.received}
          aria-valuetext={`${percent}%`}
        />
      </label>
    </div>
  );
}

/** The screen cannot reach its gate (Electron: the engine process is restarting; browser: the gate server is gone). */
export function GateUnreachableBanner() {
  const { link, linkProblem } = useGate();
  if (link !== 'reconnecting') return null;
  return (
    <div className="offline-banner" role="alert" data-testid="gate-unreachable-banner">
      <span aria-hidden="true">⚠</span> The gate is not answering — reconnecting by itself. Scans typed now
      are not recorded; wait for this banner to go.
      {linkProblem ? <span className="banner-detail"> ({linkProblem})</span> : null}
    </div>
  );
}
