/**
 * The calendar side of the door rules, pure: an event's admission window, whether it runs over
 * several days, when the gate's day starts (in its time zone), and how dates read to a door person.
 * Wall-clock arithmetic lives here and only here; the order of scans never depends on it.
 */
import type { DateWindow } from '../../shared/gate-api.js';
import type { EventInfo } from '../../shared/tickets.js';

const HOUR_MS = 3_600_000;
/** Longer than this from start to end, an event admits each ticket once per day. */
export const MULTI_DAY_MS = 24 * HOUR_MS;
export const DEFAULT_DAY_STARTS = '06:00';

type Dated = Pick<EventInfo, 'startDate' | 'endDate'>;

function time(iso: string | null): number | null {
  if (iso === null) return null;
  const value = Date.parse(iso);
  return Number.isNaN(value) ? null : value;
}

export interface AdmissionWindow {
  opensAt: Date;
  closesAt: Date;
}

/**
 * From the start minus BEFORE hours to the end (the start when there is none) plus AFTER hours;
 * null when the window is off or the event has no usable start date (nothing to judge by).
 */
export function admissionWindow(event: Dated, window: DateWindow | null | undefined): AdmissionWindow | null {
  const start = time(event.startDate);
  if (!window || start === null) return null;
  const end = Math.max(time(event.endDate) ?? start, start);
  return {
    opensAt: new Date(start - window.beforeHours * HOUR_MS),
    closesAt: new Date(end + window.afterHours * HOUR_MS),
  };
}

export function isMultiDay(event: Dated): boolean {
  const start = time(event.startDate);
  const end = time(event.endDate);
  return start !== null && end !== null && end - start > MULTI_DAY_MS;
}

/** "06:00" → minutes after midnight; null when not HH:MM. */
export function parseClock(text: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

// Building a formatter costs far more than using one: one per zone, kept.
const wallFormatters = new Map<string, Intl.DateTimeFormat>();

function wallTime(date: Date, timeZone: string | undefined): WallTime {
  const key = timeZone ?? '';
  let format = wallFormatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    wallFormatters.set(key, format);
  }
  const parts = format.formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((entry) => entry.type === type)?.value ?? 0);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

/** Milliseconds the zone's wall clock is ahead of UTC at `date`. */
function zoneOffset(date: Date, timeZone: string | undefined): number {
  const wall = wallTime(date, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - (date.getTime() - date.getUTCMilliseconds());
}

/** The instant the zone's wall clock reads the given date and minute of the day. */
function instantOf(year: number, month: number, day: number, minutes: number, timeZone?: string): Date {
  const guess = Date.UTC(year, month - 1, day, 0, minutes);
  // Twice: the offset at the first answer may differ from the guess's across a DST change.
  const first = guess - zoneOffset(new Date(guess), timeZone);
  return new Date(guess - zoneOffset(new Date(first), timeZone));
}

/** The latest moment at or before `now` when the gate's wall clock read `dayStarts`. */
export function dayStartOf(now: Date, dayStarts: string, timeZone?: string): Date {
  const minutes = parseClock(dayStarts) ?? (parseClock(DEFAULT_DAY_STARTS) as number);
  const wall = wallTime(now, timeZone);
  const today = instantOf(wall.year, wall.month, wall.day, minutes, timeZone);
  if (today.getTime() <= now.getTime()) return today;
  // Date.UTC rolls day 0 back into the previous month.
  return instantOf(wall.year, wall.month, wall.day - 1, minutes, timeZone);
}

/** The start of the day after the one holding `now`. */
export function nextDayStart(now: Date, dayStarts: string, timeZone?: string): Date {
  const start = dayStartOf(now, dayStarts, timeZone);
  // 26 hours later is always inside the next day, whatever a DST change does to its length.
  return dayStartOf(new Date(start.getTime() + 26 * HOUR_MS), dayStarts, timeZone);
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** "Sat 5 Dec 2026, 20:00" in the gate's zone; the raw text when it is not a date. */
export function formatDayDateTime(value: string | Date, timeZone?: string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  const key = timeZone ?? '';
  let format = dayFormatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone,
    });
    dayFormatters.set(key, format);
  }
  // Assembled from parts: ICU versions disagree on the punctuation between them.
  const parts = format.formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((entry) => entry.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}, ${part('hour')}:${part('minute')}`;
}
