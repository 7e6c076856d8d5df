/**
 * CSV import of an event's tickets (a platform export): RFC 4180 parsing (quoted fields, doubled
 * quotes, newlines inside quotes, CRLF), columns found by header name (case, spaces and punctuation
 * ignored; unknown columns ignored), and every bad row reported with its line number. Returns rows
 * only when the whole file is good, so an import is all or nothing.
 */
import type { ImportRow } from './store/types.js';

export interface CsvRecord {
  /** 1-based line number where the record starts. */
  line: number;
  fields: string[];
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let isQuoted = false;
  let line = 1;
  let recordLine = 1;
  let isFieldStarted = false;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !isFieldStarted))
      records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    isFieldStarted = false;
  };
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index];
    if (isQuoted) {
      if (char === '"') {
        if (body[index + 1] === '"') {
          field += '"';
          index += 1;
        } else {
          isQuoted = false;
        }
      } else {
        if (char === '\n') line += 1;
        field += char;
      }
      continue;
    }
    if (char === '"' && field === '') {
      isQuoted = true;
      isFieldStarted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
      isFieldStarted = true;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && body[index + 1] === '\n') index += 1;
      endRecord();
      line += 1;
      recordLine = line;
    } else {
      field += char;
      isFieldStarted = true;
    }
  }
  if (field !== '' || fields.length > 0 || isFieldStarted) endRecord();
  return records;
}

/** Header aliases, compared after lower-casing and dropping everything but letters and digits. */
const COLUMNS = {
  barcode: ['barcode', 'ticketbarcode', 'code'],
  valid: ['valid', 'isvalid'],
  status: ['status', 'ticketstatus'],
  orderId: ['orderid', 'order', 'ordernumber'],
  ticketId: ['ticketid'],
  ticketTypeId: ['tickettypeid'],
  ticketTypeName: ['tickettype', 'tickettypename', 'type'],
  firstName: ['firstname', 'first'],
  lastName: ['lastname', 'last', 'surname'],
  name: ['name', 'holdername', 'ticketholder', 'fullname'],
  email: ['email', 'emailaddress'],
} as const;
type Column = keyof typeof COLUMNS;

const normaliseHeader = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, '');

const TRUE_VALUES = new Set(['true', 'yes', 'y', '1', 'valid']);
const FALSE_VALUES = new Set(['false', 'no', 'n', '0', 'invalid', 'not valid']);
/** Status words that mean the ticket may enter; any other status means it may not. */
const ADMISSIBLE_STATUSES = new Set([
  'valid',
  'active',
  'issued',
  'sold',
  'paid',
  'complete',
  'completed',
  'purchased',
]);

export type CsvImport = { ok: true; rows: ImportRow[] } | { ok: false; errors: string[] };

export function readTicketCsv(text: string): CsvImport {
  const records = parseCsv(text);
  const header = records[0];
  if (!header)
    return {
      ok: false,
      errors: ['line 1: the file is empty (a header row with a barcode column is needed)'],
    };
  const positions = new Map<Column, number>();
  header.fields.forEach((title, index) => {
    const key = normaliseHeader(title);
    for (const [column, aliases] of Object.entries(COLUMNS) as [Column, readonly string[]][]) {
      if (aliases.includes(key) && !positions.has(column)) positions.set(column, index);
    }
  });
  if (!positions.has('barcode')) {
    return {
      ok: false,
      errors: [`line ${header.line}: no barcode column (headers: ${header.fields.join(', ')})`],
    };
  }
  const errors: string[] = [];
  const rows: ImportRow[] = [];
  const seen = new Map<string, number>();
  for (const record of records.slice(1)) {
    const cell = (column: Column): string | null => {
      const position = positions.get(column);
      const value = position === undefined ? undefined : record.fields[position]?.trim();
      return value === undefined || value === '' ? null : value;
    };
    const barcode = cell('barcode');
    if (!barcode) {
      errors.push(`line ${record.line}: barcode is empty`);
      continue;
    }
    if (barcode.length > 256) {
      errors.push(`line ${record.line}: barcode is longer than 256 characters`);
      continue;
    }
    const first = seen.get(barcode);
    if (first !== undefined) {
      errors.push(`line ${record.line}: barcode ${barcode} already appears on line ${first}`);
      continue;
    }
    seen.set(barcode, record.line);
    let valid = true;
    const validText = cell('valid')?.toLowerCase();
    const statusText = cell('status')?.toLowerCase();
    if (validText !== undefined) {
      if (TRUE_VALUES.has(validText)) valid = true;
      else if (FALSE_VALUES.has(validText)) valid = false;
      else {
        errors.push(`line ${record.line}: valid must be true/false/yes/no/1/0, got "${validText}"`);
        continue;
      }
    } else if (statusText !== undefined) {
      valid = ADMISSIBLE_STATUSES.has(statusText);
    }
    const fullName = [cell('firstName'), cell('lastName')].filter(Boolean).join(' ');
    rows.push({
      barcode,
      valid,
      orderId: cell('orderId'),
      ticketId: cell('ticketId'),
      ticketTypeId: cell('ticketTypeId'),
      ticketTypeName: cell('ticketTypeName'),
      holderName: fullName || cell('name'),
      email: cell('email'),
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rows };
}
