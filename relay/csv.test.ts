import { describe, expect, it } from 'vitest';
import { parseCsv, readTicketCsv } from './csv.js';

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, commas and newlines inside quotes, CRLF and a BOM', () => {
    const text = '\uFEFFa,b\r\n"x, y","say ""hi"""\r\n"two\nlines",z\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['two\nlines', 'z'] },
    ]);
  });

  it('keeps empty fields, skips blank lines and numbers records by their first line', () => {
    expect(parseCsv('a,,c\n\n,\nlast')).toEqual([
      { line: 1, fields: ['a', '', 'c'] },
      { line: 3, fields: ['', ''] },
      { line: 4, fields: ['last'] },
    ]);
  });
});

describe('readTicketCsv', () => {
  it('finds columns by header name whatever their case, spacing or order', () => {
    const result = readTicketCsv(
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

  it('reads a status column when there is no valid column, anything unknown being not admissible', () => {
    const result = readTicketCsv('barcode,status\nA,Active\nB,Refunded\nC,\n');
    expect(result.ok && result.rows.map((row) => [row.barcode, row.valid])).toEqual([
      ['A', true],
      ['B', false],
      ['C', true],
    ]);
  });

  it('reports every bad row, not just the first', () => {
    const result = readTicketCsv('barcode,valid\n,true\nX,perhaps\nX,true\nX,false\n');
    expect(result).toEqual({
      ok: false,
      errors: [
        'line 2: barcode is empty',
        'line 3: valid must be true/false/yes/no/1/0, got "perhaps"',
        'line 4: barcode X already appears on line 3',
        'line 5: barcode X already appears on line 3',
      ],
    });
  });
});
