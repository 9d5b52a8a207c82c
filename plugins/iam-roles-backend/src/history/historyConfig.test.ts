import { ConfigReader } from '@backstage/config';
import { readHistoryConfig } from './historyConfig';

const read = (history: unknown) =>
  readHistoryConfig(new ConfigReader({ iamRoles: { history } } as any));

describe('readHistoryConfig', () => {
  it('defaults to on, a year of retention and no seed', () => {
    expect(readHistoryConfig(new ConfigReader({}))).toEqual({
      enabled: true,
      retentionDays: 365,
      seed: [],
    });
  });

  it('sorts archived snapshots oldest first and normalises their times to UTC', () => {
    expect(
      read({
        seed: [
          { path: 'b.json', at: '2026-11-20T10:00:00+01:00' },
          { path: 'a.json', at: '2026-11-14T09:00:00Z' },
        ],
      }).seed,
    ).toEqual([
      { path: 'a.json', at: '2026-11-14T09:00:00.000Z' },
      { path: 'b.json', at: '2026-11-20T09:00:00.000Z' },
    ]);
  });

  it('says what to fix in a bad retention or seed time', () => {
    expect(() => read({ retentionDays: 0 })).toThrow(
      /retentionDays must be a number of days of at least 1, got 0/,
    );
    expect(() => read({ seed: [{ path: 'a.json', at: 'last week' }] })).toThrow(
      /seed\[0\]\.at must be an ISO 8601 time such as 2026-11-14T00:00:00Z, got "last week"/,
    );
  });
});
