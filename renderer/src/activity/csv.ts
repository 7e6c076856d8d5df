/** Scan records as CSV (RFC 4180 quoting; cells that start like a formula are defused for spreadsheets). */
import type { ScanRecord } from '../../../shared/scans.js';

const COLUMNS = [
  'at',
  'gate',
  'barcode',
  'eventId',
  'direction',
  'result',
  'reason',
  'kind',
  'note',
  'id',
  'annuls',
] as const;

export function csvCell(value: string | null): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function scansToCsv(scans: readonly ScanRecord[]): string {
  const lines = [COLUMNS.join(',')];
  for (const scan of scans) lines.push(COLUMNS.map((column) => csvCell(scan[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
