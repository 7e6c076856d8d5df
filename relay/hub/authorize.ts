/**
 * Who may upload a scan: the one place that decides. The relay trusts the token, never the frame: a
 * gate token speaks only for its own gate, only for the events it said hello for, and an annulment
 * must take back a real admission of the same event. A venue token (a venue relay's) speaks for the
 * venue's own gates: their scans are recorded under "Venue · Door 1", the venue's name always first,
 * so it can never pass for a gate of the internet relay or of another venue.
 */
import type { ScanRecord } from '../../shared/scans.js';
import type { RelayStore } from '../store/types.js';

/** What the connection proved: the gate its token belongs to and the events of its hello. */
export interface Uploader {
  gate: string;
  events: ReadonlySet<string>;
  isVenue: boolean;
}

/** Between the venue's name and its gate's: "Venue · Door 1" (a middle dot with spaces). */
export const VENUE_SEPARATOR = ' · ';

/** The scan as this relay records it: a venue's gates named after the venue. */
export function recordedScan(uploader: Uploader, scan: ScanRecord): ScanRecord {
  return uploader.isVenue ? { ...scan, gate: `${uploader.gate}${VENUE_SEPARATOR}${scan.gate}` } : scan;
}

/** Null when `uploader` may upload `scan`; otherwise why not, in words for the gate's staff and log. */
export async function refusalOf(
  uploader: Uploader,
  scan: ScanRecord,
  store: Pick<RelayStore, 'findScan'>,
): Promise<string | null> {
  if (uploader.isVenue) {
    // A name already carrying a venue is another venue's gate (or one relayed through this one).
    if (scan.gate.includes(VENUE_SEPARATOR.trim()))
      return `venue "${uploader.gate}" may upload only its own gates' scans, not gate "${scan.gate}"`;
    if (recordedScan(uploader, scan).gate.length > 100)
      return `"${uploader.gate}${VENUE_SEPARATOR}${scan.gate}" is longer than a gate name may be (100)`;
  } else if (scan.gate !== uploader.gate)
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
