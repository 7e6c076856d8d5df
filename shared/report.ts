/**
 * The night report for the duty manager: the pinned fields of `POST /api/report` and
 * `gatehouse gate report`, and its CSV form (one module, so the UI's export and the CLI agree).
 */
import { z } from 'zod';
import { csvLines } from './csv.js';

const staffAction = z.object({
  at: z.string(),
  gate: z.string(),
  note: z.string().nullable(),
  barcode: z.string(),
});

export const reportSchema = z.object({
  /** Tickets admitted (each counted once, however often it came back in). */
  admitted: z.number().int(),
  /** Denied scans by reason code. */
  deniedByReason: z.record(z.string(), z.number().int()),
  /** Admissions (entries and re-entries) and denied scans per gate. */
  byGate: z.array(z.object({ gate: z.string(), admitted: z.number().int(), denied: z.number().int() })),
  /** Tickets admitted and tickets sold (valid) per ticket type. */
  byTicketType: z.array(
    z.object({ ticketType: z.string(), admitted: z.number().int(), sold: z.number().int() }),
  ),
  manualAdmits: z.array(staffAction),
  annulments: z.array(staffAction),
  conflicts: z.array(
    z.object({
      barcode: z.string(),
      ticketType: z.string().nullable(),
      admissions: z.array(z.object({ gate: z.string(), at: z.string() })),
      isReviewed: z.boolean(),
      reviewNote: z.string().nullable(),
    }),
  ),
  /** Most people inside at once, and when that was first reached. */
  peakInside: z.object({ count: z.number().int(), at: z.string().nullable() }),
  firstScanAt: z.string().nullable(),
  lastScanAt: z.string().nullable(),
});
export type NightReport = z.infer<typeof reportSchema>;

const CSV_COLUMNS = ['section', 'name', 'admitted', 'denied', 'sold', 'count', 'at', 'gate', 'note'];

/** The report as one CSV table: a `section` column says what each row is. */
export function reportToCsv(report: NightReport): string {
  const rows: (string | number | null)[][] = [CSV_COLUMNS];
  const row = (values: Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>>) =>
    rows.push(CSV_COLUMNS.map((column) => values[column] ?? null));
  row({ section: 'totals', name: 'admitted', count: report.admitted });
  row({ section: 'totals', name: 'peak inside', count: report.peakInside.count, at: report.peakInside.at });
  row({ section: 'totals', name: 'first scan', at: report.firstScanAt });
  row({ section: 'totals', name: 'last scan', at: report.lastScanAt });
  for (const [reason, count] of Object.entries(report.deniedByReason))
    row({ section: 'denied', name: reason, count });
  for (const gate of report.byGate)
    row({ section: 'gate', name: gate.gate, admitted: gate.admitted, denied: gate.denied });
  for (const type of report.byTicketType)
    row({ section: 'ticket type', name: type.ticketType, admitted: type.admitted, sold: type.sold });
  for (const action of report.manualAdmits)
    row({
      section: 'manual admit',
      name: action.barcode,
      at: action.at,
      gate: action.gate,
      note: action.note,
    });
  for (const action of report.annulments)
    row({ section: 'annulment', name: action.barcode, at: action.at, gate: action.gate, note: action.note });
  for (const conflict of report.conflicts) {
    row({
      section: 'conflict',
      name: conflict.barcode,
      count: conflict.admissions.length,
      at: conflict.admissions.map((admission) => admission.at).join(' '),
      gate: conflict.admissions.map((admission) => admission.gate).join(' + '),
      note: conflict.isReviewed ? `reviewed: ${conflict.reviewNote ?? ''}` : 'not reviewed',
    });
  }
  return csvLines(rows);
}
