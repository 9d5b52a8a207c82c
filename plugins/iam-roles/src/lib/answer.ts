import {
  accountOfArn,
  highestSeverity,
  SEVERITIES,
  severityRank,
  type Severity,
} from '@backstage-iam/plugin-iam-roles-common';

/** What the first line of a page counts: roles, the accounts they live in, their risks. */
export interface RoleTally {
  roles: number;
  accounts: number;
  /** Roles per risk, worst first; severities without roles are left out. */
  risks: Array<{ severity: Severity; roles: number }>;
  /** Roles only assumable under conditions the caller's identity cannot settle. */
  conditional: number;
  worst: Severity | 'none';
}

/** A role as the first line counts it. */
export interface TalliedRole {
  arn: string;
  risk: Severity | 'none' | string;
  conditional?: boolean;
}

/** "1 role", "3 roles". */
export function plural(count: number, noun: string, nouns = `${noun}s`) {
  return `${count.toLocaleString('en-US')} ${count === 1 ? noun : nouns}`;
}

/** Counts roles, accounts and risks of a list of roles, for the page's one-line answer. */
export function tallyRoles(roles: TalliedRole[]): RoleTally {
  const accounts = new Set<string>();
  const perSeverity = new Map<Severity, number>();
  let conditional = 0;
  for (const role of roles) {
    accounts.add(accountOfArn(role.arn) ?? role.arn);
    if (severityRank(role.risk) < SEVERITIES.length) {
      const severity = role.risk as Severity;
      perSeverity.set(severity, (perSeverity.get(severity) ?? 0) + 1);
    }
    if (role.conditional) {
      conditional += 1;
    }
  }
  const risks = SEVERITIES.filter(s => perSeverity.has(s)).map(severity => ({
    severity,
    roles: perSeverity.get(severity)!,
  }));
  return {
    roles: roles.length,
    accounts: accounts.size,
    risks,
    conditional,
    worst: highestSeverity(risks.map(r => ({ severity: r.severity }))),
  };
}

/** "2 critical, 1 high" (the serious ones: low and info are noise in a one-line answer); "no high risk". */
export function describeRisks(tally: RoleTally): string {
  const serious = tally.risks.filter(r => severityRank(r.severity) <= 2);
  if (serious.length === 0) {
    return tally.worst === 'none' ? 'no findings' : 'no high risk';
  }
  return serious.map(r => `${r.roles} ${r.severity}`).join(', ');
}

/** "7 roles in 3 accounts", with the conditional ones said: "(2 only under conditions)". */
export function describeRoleCount(tally: RoleTally): string {
  const conditional =
    tally.conditional > 0
      ? ` (${tally.conditional} only under conditions)`
      : '';
  return `${plural(tally.roles, 'role')} in ${plural(
    tally.accounts,
    'account',
  )}${conditional}`;
}

/** The incident lookup's answer: "7 roles in 3 accounts trust acme/payments-api — 2 critical, 1 high". */
export function lookupAnswer(tally: RoleTally, subject: string): string {
  if (tally.roles === 0) {
    return `No role trusts ${subject}`;
  }
  return `${describeRoleCount(tally)} trust${
    tally.roles === 1 ? 's' : ''
  } ${subject} — ${describeRisks(tally)}`;
}

/** A component's or group's answer: "payments-api can assume 6 roles in 3 accounts — 1 critical". */
export function assumableAnswer(tally: RoleTally, subject: string): string {
  if (tally.roles === 0) {
    return `${subject} can assume no IAM role`;
  }
  return `${subject} can assume ${describeRoleCount(tally)} — ${describeRisks(
    tally,
  )}`;
}

/** A group's owned roles: "Platform Engineering owns 12 roles in 3 accounts — 2 critical". */
export function ownedAnswer(tally: RoleTally, subject: string): string {
  if (tally.roles === 0) {
    return `${subject} owns no IAM role`;
  }
  return `${subject} owns ${describeRoleCount(tally)} — ${describeRisks(
    tally,
  )}`;
}
