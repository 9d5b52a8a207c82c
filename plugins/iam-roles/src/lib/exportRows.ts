/** Quotes a CSV field when it has to (RFC 4180). */
function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  // A leading =, +, - or @ would make a spreadsheet evaluate the cell.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Rows of flat records as CSV with a header line. */
export function toCsv<T extends Record<string, unknown>>(
  columns: Array<keyof T & string>,
  rows: T[],
): string {
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) {
    lines.push(columns.map(column => csvField(row[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Offers text to the user as a file download. */
export function downloadText(filename: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = filename;
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  URL.revokeObjectURL(url);
}
