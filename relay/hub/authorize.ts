/**
 * Who may upload a scan: the one place that decides, so that venue relays (whose token uploads scans
 * on behalf of their own gates) can be added here. The relay trusts the token, never the frame: a
 * gate token speaks only for its own gate, only for the events it said hello for, and an annulment
 * must take back a real admission of the same event.
 */
import type { ScanRecord } from '../../shared/scans.js';
import type { RelayStore } from '../store/types.js';

/** What the connection proved: the gate its token belongs to and the events of its hello. */
export interface Uploader {
  gate: string;
  events: ReadonlySet<string>;
}

/** Null when `uploader` may upload `scan`; otherwise why not, in words for the gate's staff and log. */
export async function refusalOf(
  uploader: Uploader,
  scan: ScanRecord,
  store: Pick<RelayStore, 'findScan'>,
): Promise<string | null> {
  if (scan.gate !== uploader.gate)
    return `the scan names gate "${scan.gate}" but this token belongs to gate "${uploader.gate}"`;
  if (scan.eventId !== null && !uploader.events.has(scan.eventId))
    return `event ${scan.eventId} is not one this gate said hello for`;
  if (scan.kind !== 'annul') return null;
  if (scan.annuls === null) return 'an annulment must name the admission it takes back';
  const target = await store.findScan(scan.annuls);
  if (target === null) return `annuls ${scan.annuls}: there is no admission with that id`;
  if (target.scan.result !== 'admit' || target.scan.kind === 'annul')
    return `annuls ${scan.annuls}: that scan is not an admission`;
  if (target.scan.eventId !== scan.eventId)
    return `annuls ${scan.annuls}: an admission of event ${String(target.scan.eventId)}, not of event ${String(scan.eventId)}`;
  return null;
}
