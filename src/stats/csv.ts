/**
 * RFC 4180 CSV: quoted fields may hold commas, line breaks and "" (an escaped quote);
 * records end with CRLF or LF. Each record remembers the physical line it starts on,
 * so import errors can name the line an official sees in a spreadsheet or editor.
 */

export interface CsvRecord {
  /** 1-based physical line on which the record starts. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`dòng ${line}: ${message}`);
  }
}

/** Parses CSV text into records. A leading UTF-8 BOM is ignored; blank lines are skipped. */
export function parseCsv(text: string): CsvRecord[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let quotedField = false; // the current field was quoted (so only separators may follow the closing quote)
  let afterClosingQuote = false;
  let fieldStarted = false;

  const endField = () => {
    fields.push(field);
    field = '';
    quotedField = false;
    afterClosingQuote = false;
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    const blank = fields.length === 1 && fields[0] === '';
    if (!blank) records.push({ line: recordLine, fields });
    fields = [];
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
          afterClosingQuote = true;
        }
      } else {
        if (c === '\n') line++;
        else if (c === '\r' && text[i + 1] !== '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === ',') {
      endField();
      fieldStarted = true;
      continue;
    }
    if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
      continue;
    }
    if (afterClosingQuote) throw new CsvSyntaxError('có ký tự sau dấu ngoặc kép đóng của một ô', line);
    if (c === '"') {
      if (field.length > 0) throw new CsvSyntaxError('dấu ngoặc kép nằm giữa một ô không được bao trong ngoặc kép', line);
      inQuotes = true;
      quotedField = true;
      continue;
    }
    field += c;
  }
  if (inQuotes) throw new CsvSyntaxError('thiếu dấu ngoặc kép đóng', recordLine);
  if (field !== '' || fields.length > 0 || quotedField || fieldStarted) endRecord();
  return records;
}

/** Quotes a field when it holds a comma, quote, CR or LF (or leading/trailing space). */
export function csvField(value: string): string {
  if (/[",\r\n]/.test(value) || /^\s|\s$/.test(value)) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

/** Writes records as CSV with CRLF line ends (RFC 4180). */
export function toCsv(rows: string[][]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
