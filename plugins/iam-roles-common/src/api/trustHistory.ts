import type { components } from './generated/openapi';

type Schemas = components['schemas'];

/** One version of a role's trust: what it let in, what was risky, and what changed from the version before. */
export type TrustVersion = Schemas['TrustVersion'];
/** A principal of a version, in words. */
export type TrustVersionPrincipal = Schemas['TrustVersionPrincipal'];
/** A finding of a version. */
export type TrustVersionFinding = Schemas['TrustVersionFinding'];
/** `GET /trust-history/roles`: a role's versions, newest first. */
export type RoleTrustHistory = Schemas['RoleTrustHistory'];
/** `GET /trust-history/changes`: one page of changes across roles. */
export type TrustChangePage = Schemas['TrustChangePage'];
/** `GET /trust-history/first-access`: since when a principal can assume a role. */
export type FirstTrustAccess = Schemas['FirstTrustAccess'];
/** A user's subscription to a role's trust changes. */
export type TrustSubscription = Schemas['TrustSubscription'];

/** A row of a trust history export: a version flattened into text columns. */
export type TrustHistoryCsvRow = {
  seenAt: string;
  roleRef: string;
  arn: string;
  version: number;
  kind: string;
  ownerRef: string;
  introducedSeverity: string;
  changed: string;
  principalsAdded: string;
  principalsRemoved: string;
  findingsAppeared: string;
  findingsGone: string;
  summary: string;
  policyHash: string;
};

/** The columns of a trust history CSV export, in order (the broker's `format=csv`). */
export const TRUST_HISTORY_CSV_COLUMNS: ReadonlyArray<
  keyof TrustHistoryCsvRow
> = [
  'seenAt',
  'roleRef',
  'arn',
  'version',
  'kind',
  'ownerRef',
  'introducedSeverity',
  'changed',
  'principalsAdded',
  'principalsRemoved',
  'findingsAppeared',
  'findingsGone',
  'summary',
  'policyHash',
];

/** A version as a CSV row: lists joined with "; ", principals in words, findings as `id (severity)`. */
export function toTrustHistoryCsvRow(v: TrustVersion): TrustHistoryCsvRow {
  const join = (items: string[]) => items.join('; ');
  return {
    seenAt: v.seenAt,
    roleRef: v.roleRef,
    arn: v.arn,
    version: v.version,
    kind: v.kind,
    ownerRef: v.ownerRef,
    introducedSeverity: v.introducedSeverity,
    changed: join(v.changes.changed),
    principalsAdded: join(v.changes.principalsAdded.map(p => p.description)),
    principalsRemoved: join(
      v.changes.principalsRemoved.map(p => p.description),
    ),
    findingsAppeared: join(
      v.changes.findingsAppeared.map(f => `${f.id} (${f.severity})`),
    ),
    findingsGone: join(
      v.changes.findingsGone.map(f => `${f.id} (${f.severity})`),
    ),
    summary: v.summary,
    policyHash: v.policyHash,
  };
}
