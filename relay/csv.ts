/**
 * CSV import of an event's tickets (a platform export), parsed by csv-parse as a stream: RFC 4180
 * quoting, CRLF, LF or CR line ends (mixed too), a BOM. Columns are found by header name (case,
 * spaces and punctuation ignored; unknown columns ignored). A malformed record (an unterminated
 * quote, text after a closing quote, a stray quote) stops the read with an error naming its line;
 * every bad row is reported with its line number. Rows come back only when the whole file is good,
 * so an import is all or nothing.
 */
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import type { ImportRow } from './store/types.js';

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

/** Errors listed in full; past this only their number is kept, so a garbage file cannot fill memory. */
export const MAX_LISTED_ERRORS = 100;

export type CsvImport =
  | { ok: true; rows: ImportRow[] }
  | { ok: false; errors: string[]; /** All errors, listed or not. */ errorCount: number };

/** Line breaks in a record's raw text: CRLF counts once, a lone CR or LF once each. */
function countLineBreaks(raw: string): number {
  let count = 0;
  for (let index = 0; index < raw.length; index += 1) {
    const code = raw.charCodeAt(index);
    if (code === 10) count += 1;
    else if (code === 13) {
      count += 1;
      if (raw.charCodeAt(index + 1) === 10) index += 1;
    }
  }
  return count;
}

/** csv-parse's own line count is off inside quoted CRLFs, so the line a record starts on is counted here. */
function describeCsvError(error: CsvError, line: number): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `line ${line}: a quoted field opens on this line and its closing quote never comes (unterminated quote); the rest of the file would end up in one field`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `line ${line}: text follows a closing quote inside a field (a quote inside a quoted field must be doubled: "")`;
    case 'INVALID_OPENING_QUOTE':
      return `line ${line}: a quote inside a field that does not start with one (quote the whole field and double the quote)`;
    default:
      return `line ${line}: ${error.message}`;
  }
}

/** Builds an import row from one record, or says what is wrong with it. */
class RowReader {
  private readonly seen = new Map<string, number>();

  constructor(private readonly positions: ReadonlyMap<Column, number>) {}

  read(fields: readonly string[], line: number): { row: ImportRow } | { error: string } {
    const cell = (column: Column): string | null => {
      const position = this.positions.get(column);
      const value = position === undefined ? undefined : fields[position]?.trim();
      return value === undefined || value === '' ? null : value;
    };
    const barcode = cell('barcode');
    if (!barcode) return { error: `line ${line}: barcode is empty` };
    if (barcode.length > 256) return { error: `line ${line}: barcode is longer than 256 characters` };
    const first = this.seen.get(barcode);
    if (first !== undefined)
      return { error: `line ${line}: barcode ${barcode} already appears on line ${first}` };
    this.seen.set(barcode, line);
    let valid = true;
    const validText = cell('valid')?.toLowerCase();
    const statusText = cell('status')?.toLowerCase();
    if (validText !== undefined) {
      if (TRUE_VALUES.has(validText)) valid = true;
      else if (FALSE_VALUES.has(validText)) valid = false;
      else return { error: `line ${line}: valid must be true/false/yes/no/1/0, got "${validText}"` };
    } else if (statusText !== undefined) {
      valid = ADMISSIBLE_STATUSES.has(statusText);
    }
    const fullName = [cell('firstName'), cell('lastName')].filter(Boolean).join(' ');
    return {
      row: {
        barcode,
        valid,
        orderId: cell('orderId'),
        ticketId: cell('ticketId'),
        ticketTypeId: cell('ticketTypeId'),
        ticketTypeName: cell('ticketTypeName'),
        holderName: fullName || cell('name'),
        email: cell('email'),
      },
    };
  }
}

function columnPositions(header: readonly string[]): Map<Column, number> {
  const positions = new Map<Column, number>();
  header.forEach((title, index) => {
    const key = normaliseHeader(title);
    for (const [column, aliases] of Object.entries(COLUMNS) as [Column, readonly string[]][]) {
      if (aliases.includes(key) && !positions.has(column)) positions.set(column, index);
    }
  });
  return positions;
}

/** With `raw: true`, csv-parse hands each record over as `{record, raw}`; its types do not say so. */
function isRawRecord(value: unknown): value is { record: string[]; raw: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'record' in value &&
    'raw' in value &&
    Array.isArray(value.record) &&
    typeof value.raw === 'string'
  );
}

const isBlank = (fields: readonly string[]) => fields.length === 1 && fields[0] === '';

/** Takes records in file order and keeps rows, errors and the line the next record starts on. */
class TicketCsvReader {
  line = 1;
  readonly rows: ImportRow[] = [];
  readonly errors: string[] = [];
  errorCount = 0;
  private rowReader: RowReader | null = null;
  private isHeaderBad = false;

  fail(message: string): void {
    this.errorCount += 1;
    if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push(message);
  }

  accept(fields: readonly string[], raw: string): void {
    const recordLine = this.line;
    this.line += countLineBreaks(raw);
    if (isBlank(fields) || this.isHeaderBad) return;
    if (!this.rowReader) {
      const positions = columnPositions(fields);
      if (!positions.has('barcode')) {
        this.isHeaderBad = true;
        this.fail(`line ${recordLine}: no barcode column (headers: ${fields.join(', ')})`);
        return;
      }
      this.rowReader = new RowReader(positions);
      return;
    }
    const result = this.rowReader.read(fields, recordLine);
    if ('error' in result) this.fail(result.error);
    // Once the import is refused, rows are only checked, no longer kept.
    else if (this.errorCount === 0) this.rows.push(result.row);
  }

  get hasHeader(): boolean {
    return this.rowReader !== null || this.isHeaderBad;
  }
}

/**
 * Reads a ticket CSV from a stream (a file) or a string. Memory grows with the rows kept, never with
 * the errors past MAX_LISTED_ERRORS.
 */
export async function readTicketCsv(input: Readable | string): Promise<CsvImport> {
  const source = typeof input === 'string' ? Readable.from([input]) : input;
  const reader = new TicketCsvReader();
  const parser = source.pipe(
    parse({
      bom: true,
      relax_column_count: true,
      // Any line end, even mixed within one file (exports edited by hand often are).
      record_delimiter: ['\r\n', '\n', '\r'],
      raw: true,
      // Records are taken here, synchronously, so the line count is exact when a later record fails
      // (records buffered in the stream would be dropped with the error).
      on_record: (output: unknown) => {
        if (!isRawRecord(output)) throw new Error('csv-parse gave a record without its raw text');
        reader.accept(output.record, output.raw);
        return null;
      },
    }),
  );
  source.once('error', (error) => parser.destroy(error));
  try {
    for await (const _ of parser) {
      // on_record keeps nothing in the stream: this only drains it.
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    reader.fail(describeCsvError(error, reader.line));
  }
  if (!reader.hasHeader)
    reader.fail('line 1: the file is empty (a header row with a barcode column is needed)');
  if (reader.errorCount > 0) return { ok: false, errors: reader.errors, errorCount: reader.errorCount };
  return { ok: true, rows: reader.rows };
}
