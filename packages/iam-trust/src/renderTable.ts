/** Wraps text at spaces so that no line is longer than `width` (a longer word stays whole). */
export function wrap(text: string, width: number): string {
  return text
    .split('\n')
    .map(line => {
      const out: string[] = [];
      let current = '';
      for (const word of line.split(' ')) {
        if (current && current.length + 1 + word.length > width) {
          out.push(current);
          current = word;
        } else {
          current = current ? `${current} ${word}` : word;
        }
      }
      out.push(current);
      return out.join('\n');
    })
    .join('\n');
}

/** Renders rows as a plain-text table; cells may hold several lines. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) =>
    Math.max(
      h.length,
      ...rows.flatMap(r => (r[i] ?? '').split('\n').map(l => l.length)),
    ),
  );
  const line = (cells: string[]) =>
    `${cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd()}\n`;
  let out = line(headers) + line(widths.map(w => '-'.repeat(w)));
  for (const row of rows) {
    const cells = row.map(c => (c ?? '').split('\n'));
    const height = Math.max(1, ...cells.map(c => c.length));
    for (let k = 0; k < height; k++) out += line(cells.map(c => c[k] ?? ''));
  }
  return out;
}
