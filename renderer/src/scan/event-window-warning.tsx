/**
 * The idle scan screen's warning: a selected event whose admission window does not touch today (by
 * the gate's clock) — another day's show, or one that is over — is almost always the wrong selection,
 * and every ticket for it would be denied too early or too late.
 */
import { useEffect, useState } from 'react';
import type { EventWindow } from '../../../shared/gate-api.js';
import { useGate } from '../gate-context.js';

/** The day moves on while a gate sits idle: ask again every minute. */
const REFRESH_MS = 60_000;

export function EventWindowWarning() {
  const { client, settings } = useGate();
  const [windows, setWindows] = useState<EventWindow[]>([]);
  const selection = settings
    ? JSON.stringify([settings.events, settings.dateWindow, settings.dayStarts])
    : '';

  useEffect(() => {
    let isLive = true;
    const refresh = async () => {
      const answer = await client.api.eventWindows({});
      if (isLive && answer.ok) setWindows(answer.value.events);
    };
    void refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => {
      isLive = false;
      clearInterval(timer);
    };
  }, [client, selection]);

  const wrong = windows.filter((window) => window.state === 'not_today' || window.state === 'over');
  if (wrong.length === 0) return null;
  return (
    <div className="event-window-warning" role="alert" data-testid="event-window-warning">
      <strong>⚠ Check the selected events:</strong>
      <ul>
        {wrong.map((window) => (
          <li key={window.eventId} data-event-id={window.eventId} data-state={window.state}>
            {window.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
