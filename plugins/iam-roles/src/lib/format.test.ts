import { DateTime } from 'luxon';
import {
  describeLastUsed,
  formatCondition,
  formatDuration,
  severityRank,
  worstSeverity,
} from './format';
import { toCsv } from './exportRows';

describe('format', () => {
  const now = DateTime.fromISO('2026-11-29T12:00:00Z');

  it('calls out never-used and long-unused roles', () => {
    expect(describeLastUsed(undefined, now)).toEqual({
      text: 'Never used',
      stale: true,
    });
    expect(
      describeLastUsed(
        { date: '2026-05-01T00:00:00Z', region: 'us-east-1' },
        now,
      ),
    ).toEqual({
      text: 'Not used in 212 days (last 2026-05-01 in us-east-1)',
      stale: true,
    });
    const recent = describeLastUsed({ date: '2026-11-27T12:00:00Z' }, now);
    expect(recent).toEqual({ text: '2 days ago', stale: false });
  });

  it('orders severities worst first and finds the worst', () => {
    expect(severityRank('critical')).toBeLessThan(severityRank('low'));
    expect(severityRank('none')).toBeGreaterThan(severityRank('info'));
    expect(worstSeverity([])).toBe('none');
    expect(
      worstSeverity([
        { severity: 'low' },
        { severity: 'high' },
        { severity: 'medium' },
      ]),
    ).toBe('high');
  });

  it('puts conditions in words', () => {
    expect(
      formatCondition({
        operator: 'StringLike',
        key: 'token.actions.githubusercontent.com:sub',
        values: ['repo:acme/*'],
      }),
    ).toBe('token.actions.githubusercontent.com:sub matches "repo:acme/*"');
    expect(
      formatCondition({
        operator: 'ForAnyValue:StringEquals',
        key: 'aws:PrincipalOrgID',
        values: ['o-1', 'o-2'],
      }),
    ).toBe('aws:PrincipalOrgID is one of "o-1", "o-2"');
    expect(
      formatCondition({
        operator: 'StringEqualsIfExists',
        key: 'sts:ExternalId',
        values: ['x'],
      }),
    ).toBe('sts:ExternalId is "x" (when present)');
  });

  it('formats durations', () => {
    expect(formatDuration(90)).toBe('1 hour 30 minutes');
    expect(formatDuration(120)).toBe('2 hours');
    expect(formatDuration(15)).toBe('15 minutes');
  });
});

describe('toCsv', () => {
  it('quotes what needs quoting and defuses spreadsheet formulas', () => {
    const csv = toCsv(
      ['a', 'b'],
      [
        { a: 'plain', b: 'with, comma' },
        { a: 'say "hi"', b: '=HYPERLINK("x")' },
        { a: undefined, b: 'line\nbreak' },
      ],
    );
    expect(csv).toBe(
      'a,b\r\nplain,"with, comma"\r\n"say ""hi""","\'=HYPERLINK(""x"")"\r\n,"line\nbreak"\r\n',
    );
  });
});
