/**
 * The night report, computed from the gate's own database (its scans and those other gates shared):
 * pure over the store's named queries, so the running gate (`POST /api/report`) and the stopped one
 * (`gatehouse gate report`) give the same figures.
 *
 * Scope: the given event, else the events the gate admits for, else everything. Records that name no
 * event (unknown or unreadable barcodes) count when they fall in a night (06:00 to 06:00, as the
 * counters) that has records of the events in scope. Admissions annulled later do not count; re-entries count at their gate
 * but the ticket only once in `admitted`.
 */
import type { NightReport } from '../../shared/report.js';
import type { ScanRecord } from '../../shared/scans.js';
import type { GateDatabaseReader } from './store/index.js';
import { nightStart } from './views.js';

function increment<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function byTime(a: ScanRecord, b: ScanRecord): number {
  return a.at === b.at ? a.id.localeCompare(b.id) : a.at < b.at ? -1 : 1;
}

const nightOf = (at: string): string => nightStart(new Date(at)).toISOString();

function inScope(records: readonly ScanRecord[], events: ReadonlySet<string> | null): ScanRecord[] {
  if (events === null) return [...records];
  const isOfEvents = (scan: ScanRecord) => scan.eventId !== null && events.has(scan.eventId);
  const nights = new Set(records.filter(isOfEvents).map((scan) => nightOf(scan.at)));
  return records.filter(
    (scan) => isOfEvents(scan) || (scan.eventId === null && nights.has(nightOf(scan.at))),
  );
}

/**
 * Most people inside at once, replaying admissions and exits in the log's order (the relay's seq, then
 * this gate's own): never by wall-clock time, which goes back when a gate's clock is set.
 */
function peakInside(movements: readonly ScanRecord[]): NightReport['peakInside'] {
  const inside = new Set<string>();
  let peak: NightReport['peakInside'] = { count: 0, at: null };
  for (const scan of movements) {
    if (scan.direction === 'in') inside.add(scan.barcode);
    else inside.delete(scan.barcode);
    if (inside.size > peak.count) peak = { count: inside.size, at: scan.at };
  }
  return peak;
}

export function nightReport(
  store: Pick<GateDatabaseReader, 'scans' | 'tickets'>,
  scope: { eventId?: string; gateEvents: readonly string[] },
): NightReport {
  const events = scope.eventId
    ? new Set([scope.eventId])
    : scope.gateEvents.length > 0
      ? new Set(scope.gateEvents)
      : null;
  // One read of the scans, in the log's order (for the peak); everything else goes by time.
  const inLog = store.scans.since('');
  const records = inScope([...inLog].sort(byTime), events);
  const decisions = records.filter((scan) => scan.kind === 'scan' || scan.kind === 'manual');
  const annulled = new Set(
    records.flatMap((scan) => (scan.kind === 'annul' && scan.annuls ? [scan.annuls] : [])),
  );
  const movements = decisions.filter((scan) => scan.result === 'admit' && !annulled.has(scan.id));
  const admissions = movements.filter((scan) => scan.direction === 'in');
  const movementIds = new Set(movements.map((scan) => scan.id));

  const typeOf = new Map<string, string>();
  const ticketType = (barcode: string): string => {
    let type = typeOf.get(barcode);
    if (type === undefined) {
      const ticket = store.tickets.get(barcode);
      type = ticket?.ticketTypeName ?? ticket?.ticketTypeId ?? '(no type)';
      typeOf.set(barcode, type);
    }
    return type;
  };

  const deniedByReason = new Map<string, number>();
  const gateAdmitted = new Map<string, number>();
  const gateDenied = new Map<string, number>();
  for (const scan of decisions) {
    if (scan.result === 'deny') {
      increment(deniedByReason, scan.reason);
      increment(gateDenied, scan.gate);
    }
  }
  for (const scan of admissions) increment(gateAdmitted, scan.gate);

  const admittedTickets = new Set(admissions.map((scan) => scan.barcode));
  const typeAdmitted = new Map<string, number>();
  for (const barcode of admittedTickets) increment(typeAdmitted, ticketType(barcode));
  const typeSold = new Map<string, number>();
  const soldEvents = events ?? new Set(records.flatMap((scan) => (scan.eventId ? [scan.eventId] : [])));
  for (const eventId of soldEvents) {
    for (const row of store.tickets.soldByType(eventId))
      increment(typeSold, row.type ?? '(no type)', row.count);
  }

  const reviews = new Map(store.scans.reviews().map((review) => [review.conflict, review]));
  const gates = [...new Set([...gateAdmitted.keys(), ...gateDenied.keys()])].sort();
  const types = [...new Set([...typeAdmitted.keys(), ...typeSold.keys()])].sort();
  const staffAction = (scan: ScanRecord) => ({
    at: scan.at,
    gate: scan.gate,
    note: scan.note,
    barcode: scan.barcode,
  });
  return {
    admitted: admittedTickets.size,
    deniedByReason: Object.fromEntries([...deniedByReason].sort(([a], [b]) => a.localeCompare(b))),
    byGate: gates.map((gate) => ({
      gate,
      admitted: gateAdmitted.get(gate) ?? 0,
      denied: gateDenied.get(gate) ?? 0,
    })),
    byTicketType: types.map((type) => ({
      ticketType: type,
      admitted: typeAdmitted.get(type) ?? 0,
      sold: typeSold.get(type) ?? 0,
    })),
    manualAdmits: records.filter((scan) => scan.kind === 'manual').map(staffAction),
    annulments: records.filter((scan) => scan.kind === 'annul').map(staffAction),
    conflicts: store.scans
      .conflicts()
      .filter((conflict) => events === null || (conflict.eventId !== null && events.has(conflict.eventId)))
      .map((conflict) => {
        const review = reviews.get(conflict.id);
        return {
          barcode: conflict.barcode,
          ticketType: store.tickets.get(conflict.barcode) ? ticketType(conflict.barcode) : null,
          admissions: conflict.scanIds.flatMap((id) => {
            const scan = store.scans.get(id);
            return scan ? [{ gate: scan.gate, at: scan.at }] : [];
          }),
          isReviewed: review !== undefined,
          reviewNote: review?.note ?? null,
        };
      }),
    peakInside: peakInside(inLog.filter((scan) => movementIds.has(scan.id))),
    firstScanAt: decisions[0]?.at ?? null,
    lastScanAt: decisions[decisions.length - 1]?.at ?? null,
  };
}
