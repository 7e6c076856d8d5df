import { describe, expect, it } from 'vitest';
import { MAX_LISTED_ERRORS, readTicketCsv } from './csv.js';

const barcodes = async (text: string) => {
  const result = await readTicketCsv(text);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.rows.map((row) => [row.barcode, row.holderName]);
};

describe('readTicketCsv parsing', () => {
  it('handles quotes, doubled quotes, commas and newlines inside quotes, CRLF and a BOM', async () => {
    const text = '\uFEFFbarcode,name\r\n"x, y","say ""hi"""\r\n"two\nlines",z\r\n';
    expect(await barcodes(text)).toEqual([
      ['x, y', 'say "hi"'],
      ['two\nlines', 'z'],
    ]);
  });

  it('accepts LF, CRLF and CR line ends mixed in one file, and skips blank lines', async () => {
    expect(await barcodes('barcode,name\r\nA,1\nB,2\rC,3\n\n\r\nD,4')).toEqual([
      ['A', '1'],
      ['B', '2'],
      ['C', '3'],
      ['D', '4'],
    ]);
  });

  it('numbers lines as a text editor does, even after quoted CRLFs and blank lines', async () => {
    const result = await readTicketCsv('barcode,valid\r\n\r\n"A\r\nB",yes\r\nC,maybe\r\n');
    expect(result).toEqual({
      ok: false,
      errors: ['line 5: valid must be true/false/yes/no/1/0, got "maybe"'],
      errorCount: 1,
    });
  });

  it('fails on an unterminated quote, naming the line where it opens', async () => {
    const result = await readTicketCsv('barcode,name\nA,Ann\nB,"Bob\nC,Cat\nD,Dan\n');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      'line 3: a quoted field opens on this line and its closing quote never comes (unterminated quote); the rest of the file would end up in one field',
    ]);
  });

  it('fails on text after a closing quote and on a stray quote, naming the line', async () => {
    const closing = await readTicketCsv('barcode,name\nA,"Ann"x\n');
    expect(!closing.ok && closing.errors[0]).toMatch(/^line 2: text follows a closing quote/);
    const stray = await readTicketCsv('barcode,name\nA,Ann\nB,Bo"b\n');
    expect(!stray.ok && stray.errors[0]).toMatch(/^line 3: a quote inside a field/);
  });
});

describe('readTicketCsv columns and rows', () => {
  it('finds columns by header name whatever their case, spacing or order', async () => {
    const result = await readTicketCsv(
      'E-mail Address,TICKET BARCODE,Is Valid,Surname,First_Name\nann@x.com,B1,no,Smith,Ann\n',
    );
    expect(result).toEqual({
      ok: true,
      rows: [
        {
          barcode: 'B1',
          valid: false,
          orderId: null,
          ticketId: null,
          ticketTypeId: null,
          ticketTypeName: null,
          holderName: 'Ann Smith',
          email: 'ann@x.com',
        },
      ],
    });
  });

  it('reads a status column when there is no valid column, anything unknown being not admissible', async () => {
    const result = await readTicketCsv('barcode,status\nA,Active\nB,Refunded\nC,\n');
    expect(result.ok && result.rows.map((row) => [row.barcode, row.valid])).toEqual([
      ['A', true],
      ['B', false],
      ['C', true],
    ]);
  });

  it('reports every bad row, not just the first', async () => {
    const result = await readTicketCsv('barcode,valid\n,true\nX,perhaps\nX,true\nX,false\n');
    expect(result).toEqual({
      ok: false,
      errors: [
        'line 2: barcode is empty',
        'line 3: valid must be true/false/yes/no/1/0, got "perhaps"',
        'line 4: barcode X already appears on line 3',
        'line 5: barcode X already appears on line 3',
      ],
      errorCount: 4,
    });
  });

  it('lists the first errors of a garbage file and counts the rest', async () => {
    const text = `barcode,valid\n${Array.from({ length: 500 }, (_, index) => `B${index},perhaps`).join('\n')}`;
    const result = await readTicketCsv(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && [result.errors.length, result.errorCount]).toEqual([MAX_LISTED_ERRORS, 500]);
  });

  it('refuses an empty file and a file without a barcode column', async () => {
    expect(await readTicketCsv('')).toMatchObject({ ok: false, errors: [expect.stringMatching(/empty/)] });
    expect(await readTicketCsv('\n\nname,email\nAnn,a@x\n')).toMatchObject({
      ok: false,
      errors: ['line 3: no barcode column (headers: name, email)'],
    });
  });
});
