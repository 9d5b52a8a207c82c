import { stringify } from 'csv-stringify/sync';

// A cell that starts with one of these makes a spreadsheet evaluate it (CSV injection); a leading
// tab or carriage return does too in some spreadsheets.
const FORMULA_START = /^[=+\-@\t\r]/;

/** Makes a cell safe to open in a spreadsheet: a value that would start a formula gets a leading `'`. */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object')
    return neutralizeFormula(JSON.stringify(value));
  return neutralizeFormula(String(value));
}

/**
 * Rows as CSV (RFC 4180, CRLF line ends) with a header line of `columns`; every cell is neutralised
 * against formula injection. Objects and arrays become JSON text. The one CSV writer of the family:
 * the broker's audit export and the frontend's table exports both use it.
 */
export function toCsv<T extends object>(
  columns: ReadonlyArray<keyof T & string>,
  rows: readonly T[],
): string {
  return stringify(
    [
      columns.map(c => neutralizeFormula(c)),
      ...rows.map(row =>
        columns.map(column => cell((row as Record<string, unknown>)[column])),
      ),
    ],
    // csv-stringify quotes a field only when it holds a comma, a quote or a line break (RFC 4180).
    { record_delimiter: 'windows' },
  );
}
