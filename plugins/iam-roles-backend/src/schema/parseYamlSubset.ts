/**
 * Reads the block-style YAML subset that `openapi.yaml` is written in: mappings, sequences, plain,
 * quoted and block (`|`, `>`) scalars, flow sequences of scalars, `{}` and `[]`. Anything else
 * (anchors, tags, flow mappings with content, multi-document files) is refused with the line
 * number, so the spec can never be read differently from how it is written.
 */
export function parseYamlSubset(source: string): unknown {
  const lines = source.split(/\r?\n/);
  let pos = 0;

  const isContent = (line: string) => {
    const t = line.trim();
    return t !== '' && !t.startsWith('#');
  };
  const indentOf = (line: string) => line.length - line.trimStart().length;
  const fail = (message: string, at = pos): never => {
    throw new Error(`openapi.yaml line ${at + 1}: ${message}`);
  };

  function peek(): { indent: number; text: string } | undefined {
    while (pos < lines.length && !isContent(lines[pos])) {
      pos++;
    }
    if (pos >= lines.length) {
      return undefined;
    }
    const line = lines[pos];
    if (line.includes('\t') && /^\s*\t/.test(line)) {
      fail('tabs are not allowed for indentation');
    }
    return { indent: indentOf(line), text: line.trim() };
  }

  function stripComment(text: string): string {
    let quote: string | undefined;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quote) {
        if (c === quote) {
          quote = undefined;
        }
      } else if (c === '"' || c === "'") {
        if (i === 0 || /[\s[,]/.test(text[i - 1])) {
          quote = c;
        }
      } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
        return text.slice(0, i).trimEnd();
      }
    }
    return text;
  }

  function scalar(raw: string): unknown {
    const text = stripComment(raw).trim();
    if (text.startsWith("'")) {
      if (!text.endsWith("'") || text.length < 2) {
        fail('unterminated single-quoted string');
      }
      return text.slice(1, -1).replace(/''/g, "'");
    }
    if (text.startsWith('"')) {
      try {
        return JSON.parse(text);
      } catch {
        return fail('invalid double-quoted string');
      }
    }
    if (text.startsWith('[')) {
      if (!text.endsWith(']')) {
        fail('flow sequences must be on one line');
      }
      const inner = text.slice(1, -1).trim();
      if (!inner) {
        return [];
      }
      const items: string[] = [];
      let current = '';
      let quote: string | undefined;
      for (const c of inner) {
        if (quote) {
          current += c;
          if (c === quote) {
            quote = undefined;
          }
        } else if (c === '"' || c === "'") {
          quote = c;
          current += c;
        } else if (c === ',') {
          items.push(current);
          current = '';
        } else if (c === '[' || c === '{') {
          fail('nested flow collections are not supported');
        } else {
          current += c;
        }
      }
      items.push(current);
      return items.map(i => scalar(i.trim()));
    }
    if (text === '{}') {
      return {};
    }
    if (
      text.startsWith('{') ||
      text.startsWith('&') ||
      text.startsWith('*') ||
      text.startsWith('!')
    ) {
      fail(`unsupported YAML syntax: ${text}`);
    }
    if (text === 'true') return true;
    if (text === 'false') return false;
    if (text === 'null' || text === '~' || text === '') return null;
    if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
    return text;
  }

  function blockScalar(indicator: string, parentIndent: number): string {
    const folded = indicator.startsWith('>');
    const keep = indicator.endsWith('+');
    const strip = indicator.endsWith('-');
    const body: string[] = [];
    let blockIndent: number | undefined;
    while (pos < lines.length) {
      const line = lines[pos];
      if (line.trim() === '') {
        body.push('');
        pos++;
        continue;
      }
      const indent = indentOf(line);
      if (indent <= parentIndent) {
        break;
      }
      blockIndent ??= indent;
      if (indent < blockIndent) {
        fail('block scalar lines must keep their indentation');
      }
      body.push(line.slice(blockIndent));
      pos++;
    }
    while (body.length && body[body.length - 1] === '' && !keep) {
      body.pop();
    }
    let text = body.join('\n');
    if (folded) {
      text = '';
      body.forEach((l, i) => {
        if (i === 0) {
          text = l;
        } else if (l === '' || body[i - 1] === '') {
          text += `\n${l}`;
        } else {
          text += ` ${l}`;
        }
      });
    }
    if (!strip) {
      text += '\n';
    }
    return text;
  }

  const KEY =
    /^('(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^'"\s#][^:#]*?)\s*:(?:\s+(.*))?$/;

  function parseMap(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (;;) {
      const next = peek();
      if (!next || next.indent < indent) {
        return out;
      }
      if (next.indent > indent) {
        fail('unexpected indentation');
      }
      if (next.text.startsWith('- ') || next.text === '-') {
        return out;
      }
      const m = KEY.exec(next.text);
      if (!m) {
        fail(`expected "key: value", got: ${next.text}`);
      }
      const key = String(scalar(m![1]));
      if (Object.prototype.hasOwnProperty.call(out, key)) {
        fail(`duplicate key "${key}"`);
      }
      const rest = stripComment(m![2] ?? '').trim();
      if (rest !== '' && !/^[|>][+-]?$/.test(rest)) {
        out[key] = scalar(rest);
        pos++;
        continue;
      }
      pos++;
      if (rest === '') {
        const child = peek();
        if (
          !child ||
          child.indent < indent ||
          (child.indent === indent && !child.text.startsWith('-'))
        ) {
          out[key] = null;
        } else if (child.indent === indent) {
          out[key] = parseSeq(indent);
        } else {
          out[key] = parseNode(child.indent);
        }
      } else {
        out[key] = blockScalar(rest, indent);
      }
    }
  }

  function parseSeq(indent: number): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      const next = peek();
      if (
        !next ||
        next.indent < indent ||
        !(next.text.startsWith('- ') || next.text === '-')
      ) {
        return out;
      }
      if (next.indent > indent) {
        fail('unexpected indentation');
      }
      const item = next.text === '-' ? '' : next.text.slice(2);
      if (item.trim() === '') {
        pos++;
        const child = peek();
        out.push(
          child && child.indent > indent ? parseNode(child.indent) : null,
        );
      } else if (KEY.test(item.trim()) && !item.trim().startsWith('[')) {
        // "- key: value" starts a mapping whose keys line up with "key".
        const itemIndent = indent + 2 + (item.length - item.trimStart().length);
        lines[pos] = ' '.repeat(itemIndent) + item.trim();
        out.push(parseMap(itemIndent));
      } else {
        out.push(scalar(item));
        pos++;
      }
    }
  }

  function parseNode(indent: number): unknown {
    const next = peek();
    if (!next) {
      return null;
    }
    return next.text.startsWith('- ') || next.text === '-'
      ? parseSeq(indent)
      : parseMap(indent);
  }

  const first = peek();
  if (!first) {
    return null;
  }
  if (first.text === '---') {
    pos++;
  }
  const result = parseNode(peek()?.indent ?? 0);
  if (peek()) {
    fail('content after the end of the document (check the indentation)');
  }
  return result;
}
