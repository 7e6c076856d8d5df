/**
 * Problems the gate learns from the relay, shown where staff see them without getting in the way:
 * this PC's clock being off the relay's (door rules that use the date would be wrong), and webhooks
 * the relay holds because it could not read them (tickets in them may be missing from the list).
 */
import { useGate } from '../gate-context.js';

/** Beyond this, the clock warning shows (status.clockSkewMs is this PC's clock minus the relay's). */
export const CLOCK_SKEW_WARNING_MS = 2 * 60_000;

/** Whether the clock warning shows: more than 2 minutes off either way; never before a reading. */
export function isClockOff(clockSkewMs: number | null): boolean {
  return clockSkewMs !== null && Math.abs(clockSkewMs) > CLOCK_SKEW_WARNING_MS;
}

/** "10 minutes", "3 hours": whole units a person reads at a glance. */
export function skewWords(skewMs: number): string {
  const minutes = Math.round(Math.abs(skewMs) / 60_000);
  if (minutes < 120) return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
  const hours = Math.round(minutes / 60);
  return `${hours} hours`;
}

export function RelayNotices() {
  const { status } = useGate();
  if (!status) return null;
  const skew = status.clockSkewMs;
  const quarantined = status.relayQuarantined ?? 0;
  // `skew !== null` again only so the words below know it is a number.
  const isWarned = skew !== null && isClockOff(skew);
  if (!isWarned && quarantined === 0) return null;
  return (
    <div className="relay-notices">
      {isWarned ? (
        <p className="relay-notice" role="status" data-testid="clock-skew-warning">
          <span aria-hidden="true">⚠</span> This PC's clock is {skewWords(skew)}{' '}
          {skew > 0 ? 'ahead of' : 'behind'} the relay's — door rules that use the date may be wrong.
        </p>
      ) : null}
      {quarantined > 0 ? (
        <p className="relay-notice" role="status" data-testid="relay-quarantine">
          <span aria-hidden="true">⚠</span> The relay holds {quarantined}{' '}
          {quarantined === 1 ? 'webhook' : 'webhooks'} it could not read.
          <span className="banner-detail">
            {' '}
            Tickets in {quarantined === 1 ? 'it' : 'them'} may be missing here; tell whoever runs the relay.
          </span>
        </p>
      ) : null}
    </div>
  );
}
