import {
  highestSeverity,
  isAtLeast,
  roleExposure,
  severityRank,
  SEVERITIES,
  UNUSED_AFTER_DAYS,
  type RoleInventoryFacet,
  type RoleInventoryPage,
  type RoleInventoryPreset,
  type RoleInventoryRow,
  type Severity,
} from '@backstage-iam/plugin-iam-roles-common';
import type { TrustSnapshot } from './TrustSnapshot';
import { unrequestableReasons } from './AccessRules';

/** The filters of `GET /roles`; they combine (`owner` a normalised group ref, as TrustService passes it). */
export interface InventoryFilter {
  q?: string;
  owner?: string;
  account?: string;
  severity?: Severity;
  preset?: RoleInventoryPreset;
}

/** The CSV columns of the inventory export, in order. */
export const INVENTORY_CSV_COLUMNS = [
  'entityRef',
  'title',
  'arn',
  'accountId',
  'accountName',
  'owner',
  'severity',
  'findings',
  'topFinding',
  'exposure',
  'trustedBy',
  'lastUsed',
  'requestable',
] as const;

const EXPOSURE_RANK = { public: 0, unpinned: 1, none: 2 };

interface Row extends RoleInventoryRow {
  /** Lower-cased name, title and ARN, for `q`. */
  text: string;
}

// One row list per snapshot: built at the first inventory query after a rebuild, then filtered.
const rowsBySnapshot = new WeakMap<TrustSnapshot, Row[]>();

function rowsOf(snapshot: TrustSnapshot): Row[] {
  const cached = rowsBySnapshot.get(snapshot);
  if (cached) return cached;
  const rows: Row[] = [];
  for (const role of snapshot.roles.values()) {
    const { findings, principals } = role.analysis;
    const worst = highestSeverity(findings);
    const top = [...findings].sort(
      (a, b) => severityRank(a.severity) - severityRank(b.severity),
    )[0];
    const kinds = new Map<string, number>();
    for (const p of principals) kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1);
    const accountId = role.entity.spec.iam.accountId;
    const accountRef = snapshot.accountRefById.get(accountId);
    const accountName = snapshot.accountNameById.get(accountId);
    const exposure = roleExposure(findings);
    const lastUsed = role.entity.spec.iam.lastUsed?.date;
    rows.push({
      entityRef: role.ref,
      title: role.title,
      arn: role.arn,
      accountId,
      ...(accountName ? { accountName } : {}),
      ...(accountRef ? { accountRef } : {}),
      ...(role.ownerRef ? { owner: role.ownerRef } : {}),
      ...(worst !== 'none' ? { severity: worst } : {}),
      findings: findings.length,
      ...(top ? { topFinding: top.id } : {}),
      ...(exposure ? { exposure } : {}),
      trustedBy: [...kinds]
        .map(([kind, count]) => ({ kind, count }))
        .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)),
      ...(lastUsed ? { lastUsed } : {}),
      requestable: unrequestableReasons(role.arn).length === 0,
      text: `${role.entity.metadata.name}\n${role.title}\n${role.arn}`.toLocaleLowerCase(
        'en-US',
      ),
    });
  }
  // Risky first: worst severity, then publicly assumable before unpinned, then by title.
  const exposureRank = (r: Row) => EXPOSURE_RANK[r.exposure ?? 'none'];
  rows.sort(
    (a, b) =>
      severityRank(a.severity ?? 'none') - severityRank(b.severity ?? 'none') ||
      exposureRank(a) - exposureRank(b) ||
      a.title.localeCompare(b.title) ||
      a.entityRef.localeCompare(b.entityRef),
  );
  rowsBySnapshot.set(snapshot, rows);
  return rows;
}

function isUnused(row: RoleInventoryRow, now: number): boolean {
  if (!row.lastUsed) return true;
  const at = Date.parse(row.lastUsed);
  return Number.isNaN(at) || now - at > UNUSED_AFTER_DAYS * 86_400_000;
}

const PRESETS: Record<
  RoleInventoryPreset,
  (row: RoleInventoryRow, now: number) => boolean
> = {
  exposed: row => row.exposure !== undefined,
  unused: isUnused,
  critical: row => row.severity === 'critical',
};

function facet(counts: Map<string, number>, labels?: Map<string, string>) {
  return [...counts]
    .map(([value, count]): RoleInventoryFacet => {
      const label = labels?.get(value);
      return label ? { value, label, count } : { value, count };
    })
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

/** Every role matching the filter, risky first (without the paging or facets of a page). */
export function inventoryRows(
  snapshot: TrustSnapshot,
  filter: InventoryFilter,
  now = Date.now(),
): RoleInventoryRow[] {
  const q = filter.q?.trim().toLocaleLowerCase('en-US');
  return rowsOf(snapshot)
    .filter(
      row =>
        (!q || row.text.includes(q)) &&
        (!filter.owner || row.owner === filter.owner) &&
        (!filter.account || row.accountId === filter.account) &&
        (!filter.severity ||
          (row.severity !== undefined &&
            isAtLeast(row.severity, filter.severity))) &&
        (!filter.preset || PRESETS[filter.preset](row, now)),
    )
    .map(({ text: _text, ...row }) => row);
}

/** One page of the inventory with the facets of the whole index. */
export function inventoryPage(
  snapshot: TrustSnapshot,
  filter: InventoryFilter,
  page: { offset: number; limit: number },
  now = Date.now(),
): Omit<RoleInventoryPage, 'index'> {
  const all = rowsOf(snapshot);
  const matching = inventoryRows(snapshot, filter, now);
  const accounts = new Map<string, number>();
  const accountLabels = new Map<string, string>();
  const owners = new Map<string, number>();
  const severities = new Map<string, number>(SEVERITIES.map(s => [s, 0]));
  const presets = { exposed: 0, unused: 0, critical: 0 };
  for (const row of all) {
    accounts.set(row.accountId, (accounts.get(row.accountId) ?? 0) + 1);
    if (row.accountName) accountLabels.set(row.accountId, row.accountName);
    if (row.owner) owners.set(row.owner, (owners.get(row.owner) ?? 0) + 1);
    const severity = row.severity ?? 'none';
    severities.set(severity, (severities.get(severity) ?? 0) + 1);
    for (const preset of Object.keys(PRESETS) as RoleInventoryPreset[]) {
      if (PRESETS[preset](row, now)) presets[preset] += 1;
    }
  }
  return {
    items: matching.slice(page.offset, page.offset + page.limit),
    totalItems: matching.length,
    offset: page.offset,
    limit: page.limit,
    facets: {
      roles: all.length,
      accounts: facet(accounts, accountLabels),
      owners: facet(owners),
      // In severity order (not by count), so a page lists them as a scale.
      severities: [...severities].map(([value, count]) => ({ value, count })),
      presets,
    },
  };
}
