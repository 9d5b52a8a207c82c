import type { Config } from '@backstage/config';
import { DateTime } from 'luxon';

/** An archived snapshot to record before the catalog's roles (`iamRoles.history.seed`). */
export interface HistorySeed {
  /** A `get-account-authorization-details` file (CLI or raw API form). */
  path: string;
  /** When the snapshot was taken (ISO 8601): the time its versions are recorded as seen. */
  at: string;
}

/** The trust history's settings, read from `iamRoles.history` with defaults applied. */
export interface HistoryConfig {
  enabled: boolean;
  /** Versions older than this are deleted, but never a role's current one. */
  retentionDays: number;
  seed: HistorySeed[];
}

/** Reads `iamRoles.history`; throws a readable error on a bad value. */
export function readHistoryConfig(config: Config): HistoryConfig {
  const history = config.getOptionalConfig('iamRoles.history');
  const retentionDays = history?.getOptionalNumber('retentionDays') ?? 365;
  if (!Number.isFinite(retentionDays) || retentionDays < 1) {
    throw new Error(
      `iamRoles.history.retentionDays must be a number of days of at least 1, got ${retentionDays}`,
    );
  }
  const seed = (history?.getOptionalConfigArray('seed') ?? []).map((s, i) => {
    const at = s.getString('at');
    const parsed = DateTime.fromISO(at, { zone: 'utc' });
    if (!parsed.isValid) {
      throw new Error(
        `iamRoles.history.seed[${i}].at must be an ISO 8601 time such as 2026-11-14T00:00:00Z, got ${JSON.stringify(
          at,
        )}`,
      );
    }
    return { path: s.getString('path'), at: parsed.toUTC().toISO()! };
  });
  return {
    enabled: history?.getOptionalBoolean('enabled') ?? true,
    retentionDays,
    seed: seed.sort((a, b) => a.at.localeCompare(b.at)),
  };
}
