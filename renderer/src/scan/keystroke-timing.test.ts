import { describe, expect, it } from 'vitest';
import {
  EMPTY_BUFFER,
  appendKey,
  classifySubmit,
  isScannerBurst,
  looksLikeBarcode,
  shouldLookUpWhileTyping,
  syncBuffer,
  type KeyBuffer,
} from './keystroke-timing.js';

function typed(text: string, gapMs: number, start = 1000): KeyBuffer {
  return text
    .split('')
    .reduce((buffer, character, index) => appendKey(buffer, character, start + index * gapMs), EMPTY_BUFFER);
}

describe('scanner vs person by inter-key timing', () => {
  it('a burst of keys a few ms apart ending in Enter is a scan', () => {
    expect(classifySubmit(typed('GH-000123', 4))).toEqual({ kind: 'scan', barcode: 'GH-000123' });
  });

  it('slow typing of 3+ characters is a lookup, not a scan', () => {
    const buffer = typed('smith', 150);
    expect(isScannerBurst(buffer)).toBe(false);
    expect(shouldLookUpWhileTyping(buffer)).toBe(true);
    expect(classifySubmit(buffer)).toEqual({ kind: 'lookup', query: 'smith' });
  });

  it('slowly typed text that is exactly a known barcode is scanned', () => {
    expect(classifySubmit(typed('GH-000123', 150), 'GH-000123')).toEqual({
      kind: 'scan',
      barcode: 'GH-000123',
    });
  });

  it('one slow hiccup inside a burst still reads as a scanner (median gap)', () => {
    const buffer = typed('ABCDEFGH', 5);
    const times = [...buffer.times];
    times[4] = (times[3] ?? 0) + 200;
    for (let index = 5; index < times.length; index++) times[index] = (times[index - 1] ?? 0) + 5;
    expect(isScannerBurst({ text: buffer.text, times })).toBe(true);
  });

  it('nothing typed submits nothing; two slow characters still get an answer as a scan', () => {
    expect(classifySubmit(EMPTY_BUFFER)).toEqual({ kind: 'none' });
    expect(classifySubmit(typed('  ', 5))).toEqual({ kind: 'none' });
    expect(classifySubmit(typed('AB', 300))).toEqual({ kind: 'scan', barcode: 'AB' });
  });

  it('no lookups while a scanner is typing', () => {
    expect(shouldLookUpWhileTyping(typed('GH-000123', 3))).toBe(false);
  });

  it('a paste or deletion is treated as a person', () => {
    const pasted = syncBuffer(EMPTY_BUFFER, 'jane doe', 5000);
    expect(pasted.text).toBe('jane doe');
    expect(isScannerBurst(pasted)).toBe(false);
    const edited = syncBuffer(typed('GH-0001', 3), 'GH-000', 5000);
    expect(classifySubmit(edited)).toEqual({ kind: 'lookup', query: 'GH-000' });
  });
});

describe('looksLikeBarcode', () => {
  it('accepts ticket-like codes and refuses names, emails and short text', () => {
    expect(looksLikeBarcode('F2D705C60392480385CD7BEF6C0A70DF')).toBe(true);
    expect(looksLikeBarcode(' BIG-059999 ')).toBe(true);
    expect(looksLikeBarcode('Ruby Okafor')).toBe(false);
    expect(looksLikeBarcode('ruby@example.com')).toBe(false);
    expect(looksLikeBarcode('Okafor')).toBe(false);
    expect(looksLikeBarcode('A1B2')).toBe(false);
  });
});
