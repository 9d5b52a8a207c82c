import { DateTime } from 'luxon';
import type {
  ConditionClause,
  Finding,
  Severity,
} from '@backstage-iam/plugin-iam-roles-common';

/** Severities from the worst down. */
export const SEVERITIES: Severity[] = [
  'critical',
  'high',
  'medium',
  'low',
  'info',
];

/** Rank for sorting: 0 is the worst; `none` sorts last. */
export function severityRank(severity: Severity | 'none' | string): number {
  const index = SEVERITIES.indexOf(severity as Severity);
  return index === -1 ? SEVERITIES.length : index;
}

/** The worst severity among findings, or `none`. */
export function worstSeverity(
  findings: Array<Pick<Finding, 'severity'>>,
): Severity | 'none' {
  let worst: Severity | 'none' = 'none';
  for (const finding of findings) {
    if (severityRank(finding.severity) < severityRank(worst)) {
      worst = finding.severity;
    }
  }
  return worst;
}

/** A date for people, e.g. "12 Mar 2024, 14:05"; the raw value when unreadable. */
export function formatDate(iso: string | undefined): string {
  if (!iso) {
    return '—';
  }
  const date = DateTime.fromISO(iso);
  return date.isValid ? date.toLocaleString(DateTime.DATETIME_MED) : iso;
}

/** "in 3 hours", "2 days ago". */
export function formatRelative(
  iso: string | undefined,
  now: DateTime = DateTime.now(),
): string {
  if (!iso) {
    return '—';
  }
  const date = DateTime.fromISO(iso);
  return date.isValid ? date.toRelative({ base: now }) ?? iso : iso;
}

/** How long ago a role was used, with the cases a reviewer should notice called out. */
export function describeLastUsed(
  lastUsed: { date?: string; region?: string } | undefined,
  now: DateTime = DateTime.now(),
): { text: string; stale: boolean } {
  if (!lastUsed?.date) {
    return { text: 'Never used', stale: true };
  }
  const date = DateTime.fromISO(lastUsed.date);
  if (!date.isValid) {
    return { text: lastUsed.date, stale: false };
  }
  const days = Math.floor(now.diff(date, 'days').days);
  const where = lastUsed.region ? ` in ${lastUsed.region}` : '';
  if (days >= 90) {
    return {
      text: `Not used in ${days} days (last ${date.toISODate()}${where})`,
      stale: true,
    };
  }
  return {
    text: `${date.toRelative({ base: now }) ?? date.toISODate()}${where}`,
    stale: false,
  };
}

/** Minutes as "1 hour 30 minutes". */
export function formatDuration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const parts: string[] = [];
  if (hours) {
    parts.push(`${hours} hour${hours === 1 ? '' : 's'}`);
  }
  if (rest || !hours) {
    parts.push(`${rest} minute${rest === 1 ? '' : 's'}`);
  }
  return parts.join(' ');
}

const OPERATOR_WORDS: Array<[RegExp, string]> = [
  [/^StringNotEquals/, 'is not'],
  [/^StringNotLike/, 'does not match'],
  [/^StringEquals/, 'is'],
  [/^StringLike/, 'matches'],
  [/^ArnNotEquals|^ArnNotLike/, 'is not'],
  [/^ArnEquals|^ArnLike/, 'is'],
  [/^Bool/, 'is'],
  [/^Null/, 'is absent:'],
  [/^IpAddress/, 'is within'],
  [/^NotIpAddress/, 'is outside'],
  [/^NumericEquals/, '='],
  [/^NumericLessThan/, '<'],
  [/^NumericGreaterThan/, '>'],
  [/^DateLessThan/, 'before'],
  [/^DateGreaterThan/, 'after'],
];

/** A condition clause as a short phrase, e.g. `sts:ExternalId is "abc"`. */
export function formatCondition(clause: ConditionClause): string {
  const bare = clause.operator.replace(/^(ForAnyValue|ForAllValues):/, '');
  const words =
    OPERATOR_WORDS.find(([pattern]) => pattern.test(bare))?.[1] ?? bare;
  const values = clause.values.map(v => `"${v}"`);
  const joined =
    values.length > 1 ? `one of ${values.join(', ')}` : values[0] ?? '';
  const ifExists = bare.endsWith('IfExists') ? ' (when present)' : '';
  return `${clause.key} ${words} ${joined}${ifExists}`.trim();
}
