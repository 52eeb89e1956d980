import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv, toCsv } from '../../src/stats/csv.ts';

describe('RFC 4180 CSV parser', () => {
  it('reads plain records with LF and CRLF line ends and remembers line numbers', () => {
    const recs = parseCsv('a,b,c\r\n1,2,3\n4,5,6\r\n');
    expect(recs.map((r) => r.fields)).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
      ['4', '5', '6'],
    ]);
    expect(recs.map((r) => r.line)).toEqual([1, 2, 3]);
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields', () => {
    const recs = parseCsv('x,y\n"Báo LĐ, 23/06/2024","nói ""hơn 1,2 triệu"""\n"dòng 1\r\ndòng 2",z\nlast,row\n');
    expect(recs[1].fields).toEqual(['Báo LĐ, 23/06/2024', 'nói "hơn 1,2 triệu"']);
    expect(recs[2].fields).toEqual(['dòng 1\r\ndòng 2', 'z']);
    expect(recs[2].line).toBe(3);
    expect(recs[3].line).toBe(5); // the quoted line break moved the physical line on
  });

  it('handles empty fields, a missing final newline, a BOM and blank lines', () => {
    const recs = parseCsv('\uFEFFa,b,c\n,,\n\n1,"",3');
    expect(recs.map((r) => r.fields)).toEqual([
      ['a', 'b', 'c'],
      ['', '', ''],
      ['1', '', '3'],
    ]);
    expect(recs[2].line).toBe(4);
  });

  it('rejects an unterminated quote and text after a closing quote, naming the line', () => {
    expect(() => parseCsv('a,b\n1,"open\n')).toThrow(CsvSyntaxError);
    try {
      parseCsv('a,b\n1,2\n"x"y,3\n');
    } catch (err) {
      expect((err as CsvSyntaxError).line).toBe(3);
    }
    expect(() => parseCsv('a,b\n1,"x"y\n')).toThrow(/dòng 2/);
  });

  it('writes what it reads (round trip through toCsv)', () => {
    const rows = [
      ['id', 'text'],
      ['1', 'a, b'],
      ['2', 'say "hi"'],
      ['3', 'two\nlines'],
      ['4', ''],
    ];
    expect(parseCsv(toCsv(rows)).map((r) => r.fields)).toEqual(rows);
  });
});
