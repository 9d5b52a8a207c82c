import { DateTime } from 'luxon';
import { describeLastUsed, formatDuration } from './format';

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

  it('formats durations', () => {
    expect(formatDuration(90)).toBe('1 hour 30 minutes');
    expect(formatDuration(120)).toBe('2 hours');
    expect(formatDuration(15)).toBe('15 minutes');
  });
});
