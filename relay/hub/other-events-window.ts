/**
 * Which other events a gate's index covers: those whose dates meet a window around now, set by
 * `relay serve --other-events-window-days BEFORE:AFTER` (default 2:14). An event is in the window
 * when it starts no later than AFTER days from now and has not ended more than BEFORE days ago (a
 * festival that began last week and is still running counts). An event without a start date is left
 * out: nothing says whether it is tonight's show or last year's, and the door could not name its day.
 */
import { createHmac } from 'node:crypto';
import { INDEX_HASH_BYTES } from '../../shared/protocol.js';
import type { EventInfo } from '../../shared/tickets.js';

export interface OtherEventsWindow {
  beforeDays: number;
  afterDays: number;
}

export const DEFAULT_OTHER_EVENTS_WINDOW: OtherEventsWindow = { beforeDays: 2, afterDays: 14 };
export const WINDOW_FLAG = 'other-events-window-days';
const MAX_DAYS = 3650;
const DAY_MS = 86_400_000;

/** `2:14` → {2, 14}; anything else → a sentence naming the problem. */
export function parseOtherEventsWindow(text: string): OtherEventsWindow | string {
  const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(text.trim());
  const beforeDays = Number(match?.[1]);
  const afterDays = Number(match?.[2]);
  if (!match || beforeDays > MAX_DAYS || afterDays > MAX_DAYS)
    return `--${WINDOW_FLAG} must be BEFORE:AFTER in days (0 to ${MAX_DAYS} each, e.g. 2:14), got "${text}"`;
  return { beforeDays, afterDays };
}

export function isInWindow(event: EventInfo, window: OtherEventsWindow, nowMs: number): boolean {
  const start = event.startDate === null ? Number.NaN : Date.parse(event.startDate);
  if (!Number.isFinite(start)) return false;
  const end = event.endDate === null ? Number.NaN : Date.parse(event.endDate);
  const last = Number.isFinite(end) && end > start ? end : start;
  return start <= nowMs + window.afterDays * DAY_MS && last >= nowMs - window.beforeDays * DAY_MS;
}

/** HMAC-SHA256(key, barcode as UTF-8), truncated to 16 bytes, in base64: as the gate computes it. */
export function indexHash(key: Buffer, barcode: string): string {
  return createHmac('sha256', key)
    .update(barcode, 'utf8')
    .digest()
    .subarray(0, INDEX_HASH_BYTES)
    .toString('base64');
}
