/**
 * What the Scan screen shows between scans: the event(s) this gate admits for, with their date and
 * venue and the night's counters per event — or, before any scan, a warning when no event is
 * selected (every ticket would be denied). Kept apart from the scan logic so other idle-screen
 * warnings can sit beside it.
 */
import { useEffect, useState } from 'react';
import type { EventInfo } from '../../../shared/tickets.js';
import { eventLine } from '../format.js';
import { useGate } from '../gate-context.js';

function useKnownEvents(selected: readonly string[]): EventInfo[] {
  const { client, status } = useGate();
  const [known, setKnown] = useState<EventInfo[]>([]);
  // Asked again when the selection changes and when the relay answers (it sends the events it knows).
  const key = `${selected.join('\u0000')}|${status?.connection ?? ''}`;
  useEffect(() => {
    let isLive = true;
    void client.api.events({}).then((answer) => {
      if (isLive && answer.ok) setKnown(answer.value.events);
    });
    return () => {
      isLive = false;
    };
  }, [client, key]);
  return known;
}

export function IdlePanel() {
  const { settings, stats } = useGate();
  const selected = settings?.events ?? [];
  const known = useKnownEvents(selected);
  if (settings && selected.length === 0) {
    return (
      <section
        className="result result-idle idle-warning-panel"
        data-testid="idle-panel"
        data-state="warning"
      >
        <div className="idle-warning" role="alert" data-testid="idle-warning">
          <div className="idle-title">⚠ No event selected</div>
          <p>Every ticket will be denied until tonight&apos;s event is chosen in Settings (F4).</p>
        </div>
      </section>
    );
  }
  return (
    <section className="result result-idle" data-testid="idle-panel" data-state="ready">
      <div className="idle-title">Ready to scan</div>
      <ul className="idle-events" aria-label="Events this gate admits for">
        {selected.map((id) => {
          const event = known.find((candidate) => candidate.id === id);
          const counts = stats?.admittedTonight.find((row) => row.eventId === id);
          return (
            <li key={id} data-testid="idle-event" data-event-id={id}>
              <span className="idle-event-name">{event?.name ?? `Event ${id}`}</span>
              <span className="idle-event-when">
                {event ? eventLine(event) : 'not known to the relay yet'}
              </span>
              <span className="idle-event-counts">
                Admitted <b data-testid="event-admitted">{counts?.count ?? 0}</b> · Inside{' '}
                <b data-testid="event-inside">{counts?.inside ?? 0}</b>
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
