/** Activity rows as CSV (shared quoting: formula-looking cells are defused for spreadsheets). */
import { csvLines } from '../../../shared/csv.js';
import type { ActivityRow } from '../../../shared/gate-api.js';

export { csvCell } from '../../../shared/csv.js';

const COLUMNS = [
  'at',
  'gate',
  'barcode',
  'holderName',
  'ticketType',
  'eventId',
  'direction',
  'result',
  'reason',
  'kind',
  'note',
  'id',
  'annuls',
] as const;

export function scansToCsv(scans: readonly ActivityRow[]): string {
  return csvLines([COLUMNS, ...scans.map((scan) => COLUMNS.map((column) => scan[column]))]);
}
