import { neutralizeFormula, toCsv } from './csv';

describe('toCsv', () => {
  it('writes a header and rows with CRLF, quoting only where RFC 4180 needs it', () => {
    const csv = toCsv(
      ['id', 'text', 'count'],
      [
        { id: 'a', text: 'plain', count: 1 },
        { id: 'b', text: 'has, comma and "quotes"\nand a line', count: 0 },
      ],
    );
    expect(csv).toBe(
      'id,text,count\r\na,plain,1\r\nb,"has, comma and ""quotes""\nand a line",0\r\n',
    );
  });

  it('neutralises every cell that a spreadsheet would evaluate', () => {
    const csv = toCsv(
      ['v'],
      ['=1+1', '+SUM(A1)', '-2', '@cmd', '\tx', 'safe'].map(v => ({ v })),
    );
    expect(csv.split('\r\n').slice(1, -1)).toEqual([
      "'=1+1",
      "'+SUM(A1)",
      "'-2",
      "'@cmd",
      "'\tx",
      'safe',
    ]);
  });

  it('writes absent values as empty cells and objects as JSON', () => {
    expect(
      toCsv(['a', 'b', 'c'], [{ a: undefined, b: null, c: { k: ['x'] } }]),
    ).toBe('a,b,c\r\n,,"{""k"":[""x""]}"\r\n');
  });
});

describe('neutralizeFormula', () => {
  it('leaves ordinary text alone', () => {
    expect(neutralizeFormula('acme-7f3a')).toBe('acme-7f3a');
    expect(neutralizeFormula('')).toBe('');
  });
});
