/**
 * Tells a keyboard-wedge scanner from a person at the keyboard by inter-key timing. Scanners type a
 * whole barcode in a burst (a few ms per key) and end with Enter or Tab; people take 80 ms or more
 * per key. Pure, so it is tested without a browser.
 */

/** Gaps at or under this are machine speed; generous because busy PCs delay key events. */
export const SCANNER_GAP_MS = 45;

export interface KeyBuffer {
  text: string;
  /** Timestamps (ms) of each character typed into `text`. */
  times: number[];
}

export const EMPTY_BUFFER: KeyBuffer = { text: '', times: [] };

export function appendKey(buffer: KeyBuffer, character: string, at: number): KeyBuffer {
  return { text: buffer.text + character, times: [...buffer.times, at] };
}

/** Resyncs with the input's value when it changed by other means (paste, delete, IME). */
export function syncBuffer(buffer: KeyBuffer, value: string, at: number): KeyBuffer {
  if (value === buffer.text) return buffer;
  if (value.startsWith(buffer.text) && value.length === buffer.text.length + 1) {
    return appendKey(buffer, value.slice(-1), at);
  }
  // Anything else (deletion, paste): a person did it, so give it person-speed gaps.
  return { text: value, times: value.split('').map((_, index) => at - (value.length - index) * 1000) };
}

/** The median gap between keys; Infinity with fewer than two keys. */
export function medianGap(times: readonly number[]): number {
  if (times.length < 2) return Infinity;
  const gaps = times.slice(1).map((time, index) => time - (times[index] ?? time));
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] ?? Infinity;
}

export function isScannerBurst(buffer: KeyBuffer): boolean {
  return buffer.times.length >= 2 && medianGap(buffer.times) <= SCANNER_GAP_MS;
}

export type Submission =
  { kind: 'scan'; barcode: string } | { kind: 'lookup'; query: string } | { kind: 'none' };

/**
 * What Enter or Tab means: a burst is a scan; slowly typed text of 3+ characters is a lookup (unless
 * it exactly matches a known barcode, see `exactBarcode`); one or two slow characters are a scan too,
 * so a fumbled key still gets an answer rather than silence.
 */
export function classifySubmit(buffer: KeyBuffer, exactBarcode: string | null = null): Submission {
  const text = buffer.text.trim();
  if (text === '') return { kind: 'none' };
  if (isScannerBurst(buffer) || text.length < 3) return { kind: 'scan', barcode: text };
  if (exactBarcode !== null && exactBarcode === text) return { kind: 'scan', barcode: text };
  return { kind: 'lookup', query: text };
}

/**
 * Text a person may have typed off a ticket by hand: one word of letters, digits and dashes, with at
 * least one digit and six characters. Names and emails never match.
 */
export function looksLikeBarcode(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.length >= 6 && /^[A-Za-z0-9-]+$/.test(trimmed) && /\d/.test(trimmed);
}

/** Show live lookup results while a person types (never during a scanner burst). */
export function shouldLookUpWhileTyping(buffer: KeyBuffer): boolean {
  return buffer.text.trim().length >= 3 && !isScannerBurst(buffer);
}
