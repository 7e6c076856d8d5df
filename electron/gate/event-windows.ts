/**
 * Where each selected event's admission window stands on the gate's clock, for the idle scan
 * screen's warning: a selected event whose window does not touch today (it is another day's show,
 * or it is over) almost always means the wrong event is selected.
 */
import type { DateWindow, EventWindow } from '../../shared/gate-api.js';
import type { EventInfo } from '../../shared/tickets.js';
import { admissionWindow, formatDayDateTime, nextDayStart } from './door-time.js';

export interface WindowSettings {
  events: readonly string[];
  dateWindow: DateWindow | null;
  dayStarts: string;
}

export function eventWindows(
  settings: WindowSettings,
  eventOf: (id: string) => EventInfo | null,
  now: Date,
  timeZone?: string,
): EventWindow[] {
  const dayEnd = nextDayStart(now, settings.dayStarts, timeZone);
  return settings.events.map((eventId) => {
    const event = eventOf(eventId);
    const name = event?.name ?? `Event ${eventId}`;
    const startDate = event?.startDate ?? null;
    const window = event ? admissionWindow(event, settings.dateWindow) : null;
    const base = { eventId, name, startDate, opensAt: null, closesAt: null };
    if (!window) return { ...base, state: 'unknown', message: `${name}: dates not checked` };
    const when = startDate ? ` on ${formatDayDateTime(startDate, timeZone)}` : '';
    const opensAt = window.opensAt.toISOString();
    const closesAt = window.closesAt.toISOString();
    const dated = { ...base, opensAt, closesAt };
    if (now > window.closesAt) {
      return {
        ...dated,
        state: 'over',
        message: `${name}${when} is over: entry closed ${formatDayDateTime(window.closesAt, timeZone)}`,
      };
    }
    if (now >= window.opensAt) return { ...dated, state: 'open', message: `${name}${when}: entry open` };
    const opens = formatDayDateTime(window.opensAt, timeZone);
    return window.opensAt < dayEnd
      ? { ...dated, state: 'later_today', message: `${name}${when}: entry opens ${opens}` }
      : { ...dated, state: 'not_today', message: `${name} is not today: it is${when}; entry opens ${opens}` };
  });
}
