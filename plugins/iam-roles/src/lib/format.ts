import { DateTime } from 'luxon';
import { UNUSED_AFTER_DAYS } from '@backstage-iam/plugin-iam-roles-common';

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
  if (days >= UNUSED_AFTER_DAYS) {
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
