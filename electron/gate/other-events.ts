/**
 * The gate's side of the other-events index: hashing a scanned barcode with the relay's key, and
 * storing the entries the relay sends (in the caller's transaction). The gate never learns another
 * event's barcodes or holders, only enough to say "this ticket is for Saturday's show".
 */
import { createHmac } from 'node:crypto';
import { INDEX_HASH_BYTES, type IndexEntry } from '../../shared/protocol.js';
import type { GateStore } from './store/index.js';

/** HMAC-SHA256(key, barcode as UTF-8), truncated to 16 bytes: exactly as the relay computes it. */
export function indexHash(key: Buffer, barcode: string): Buffer {
  return createHmac('sha256', key).update(barcode, 'utf8').digest().subarray(0, INDEX_HASH_BYTES);
}

/** Stores or removes one entry, stamped with the seq that confirmed it. */
export function applyIndexEntry(store: GateStore, entry: IndexEntry, seq: number): void {
  const hash = Buffer.from(entry.hash, 'base64');
  if (hash.length !== INDEX_HASH_BYTES) throw new Error(`index hash of ${hash.length} bytes`);
  if (entry.isPresent) store.otherEvents.put(hash, entry.eventId, seq);
  else store.otherEvents.remove(hash);
}

/** The event the index names for a barcode this gate does not hold, if any. */
export function otherEventOf(store: GateStore, barcode: string): string | null {
  const key = store.otherEvents.key();
  return key === null ? null : store.otherEvents.eventOf(indexHash(key, barcode));
}

/**
 * Takes the key a welcome carries. A different key from the one stored makes every stored hash
 * useless: the index is dropped and the cursor reset (one transaction), and the caller reconnects
 * for a fresh snapshot. Returns whether that is needed.
 */
export function acceptIndexKey(store: GateStore, indexKey: string | undefined): 'kept' | 'resync' {
  if (indexKey === undefined) return 'kept';
  const key = Buffer.from(indexKey, 'base64');
  return store.transaction(() => {
    const stored = store.otherEvents.key();
    if (stored !== null && stored.equals(key)) return 'kept';
    store.otherEvents.setKey(key);
    if (stored === null) return 'kept';
    store.otherEvents.clear();
    store.state.setCursor(0);
    return 'resync';
  });
}
