import { useEffect, useMemo, useState } from 'react';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { Link, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  findingTitle,
  SEVERITIES,
  severityRank,
  UNUSED_AFTER_DAYS,
  type RoleInventoryPage,
  type RoleInventoryPreset,
  type RoleInventoryRow,
  type Severity,
} from '@backstage-iam/plugin-iam-roles-common';
import { iamRolesApiRef, type ListRolesOptions } from '../api/IamRolesApi';
import { useRoleInventory } from '../hooks/queries';
import { plural } from '../lib/answer';
import { describeLastUsed } from '../lib/format';
import { downloadText } from '../lib/downloadText';
import {
  AnswerLine,
  EmptyLine,
  ErrorState,
  FilterSelect,
  errorMessage,
  fitColumn,
  ListCutNotice,
  Loading,
  OwnerLink,
  RoleLink,
  SeverityChip,
  shortRef,
  useEntityHref,
} from './common';
import { KIND_ORDER } from './WhoCanAssume';

const ALL = '';

/** The presets, in the order an owner reviews them, with their labels. */
export const PRESETS: Array<[RoleInventoryPreset, string]> = [
  ['exposed', 'Publicly assumable or unpinned'],
  ['unused', `Not used in ${UNUSED_AFTER_DAYS} days`],
  ['critical', 'Critical'],
];

const KIND_LABELS = new Map<string, string>(KIND_ORDER);

/** Who a role trusts, in words: "Web identity (OIDC) · 2, IAM roles · 1". */
export function describeTrustedBy(
  trustedBy: RoleInventoryRow['trustedBy'],
): string {
  if (trustedBy.length === 0) return 'Nobody';
  return trustedBy
    .map(t => `${KIND_LABELS.get(t.kind) ?? t.kind} · ${t.count}`)
    .join(', ');
}

/** The inventory's one-line answer: how many roles, in how many accounts, and what to look at first. */
export function inventoryAnswer(
  page: Pick<RoleInventoryPage, 'facets' | 'totalItems'>,
  filtered: boolean,
): string {
  const { facets } = page;
  const count = (n: number) => n.toLocaleString('en-US');
  const head = filtered
    ? `${count(page.totalItems)} of ${plural(facets.roles, 'role')} match`
    : `${plural(facets.roles, 'role')} in ${plural(
        facets.accounts.length,
        'account',
      )}`;
  const risks = [
    facets.presets.exposed
      ? `${count(facets.presets.exposed)} publicly assumable or unpinned`
      : undefined,
    facets.presets.critical
      ? `${count(facets.presets.critical)} critical`
      : undefined,
    facets.presets.unused
      ? `${count(facets.presets.unused)} not used in ${UNUSED_AFTER_DAYS} days`
      : undefined,
  ].filter(Boolean);
  return risks.length ? `${head} — ${risks.join(', ')}` : head;
}

function AccountCell(props: { row: RoleInventoryRow }) {
  const href = useEntityHref();
  const { row } = props;
  const text = row.accountName
    ? `${row.accountName} (${row.accountId})`
    : row.accountId;
  const to = row.accountRef ? href(row.accountRef) : undefined;
  return to ? <Link to={to}>{text}</Link> : <>{text}</>;
}

function RiskCell(props: { row: RoleInventoryRow }) {
  const { row } = props;
  if (!row.severity) {
    return (
      <Typography variant="body2" color="text.secondary">
        No finding
      </Typography>
    );
  }
  return (
    <Stack spacing={0.5} alignItems="flex-start">
      <Stack direction="row" spacing={0.5} alignItems="center">
        <SeverityChip severity={row.severity} />
        {row.exposure && (
          <Chip
            size="small"
            variant="outlined"
            label={row.exposure === 'public' ? 'Public' : 'Unpinned'}
            sx={{ borderColor: 'error.main', color: 'text.primary' }}
          />
        )}
      </Stack>
      <Typography variant="body2">
        {row.topFinding ? findingTitle(row.topFinding) : ''}
        {row.findings > 1 ? ` (+${row.findings - 1} more)` : ''}
      </Typography>
    </Stack>
  );
}

const columns: TableColumn<RoleInventoryRow>[] = [
  fitColumn(
    {
      title: 'Role',
      field: 'title',
      render: r => (
        <>
          <RoleLink entityRef={r.entityRef} title={r.title} />
          {!r.requestable && (
            <Typography
              variant="caption"
              component="div"
              color="text.secondary"
            >
              Managed by AWS: not requestable
            </Typography>
          )}
        </>
      ),
    },
    '20%',
  ),
  fitColumn(
    {
      title: 'Account',
      field: 'accountId',
      render: r => <AccountCell row={r} />,
    },
    '16%',
  ),
  fitColumn(
    {
      title: 'Owner',
      field: 'owner',
      render: r => <OwnerLink owner={r.owner} />,
    },
    '13%',
    { wholeWords: true },
  ),
  fitColumn(
    {
      title: 'Risk',
      field: 'severity',
      customSort: (a, b) =>
        severityRank(a.severity ?? 'none') - severityRank(b.severity ?? 'none'),
      render: r => <RiskCell row={r} />,
    },
    '25%',
  ),
  fitColumn(
    {
      title: 'Trusted by',
      field: 'trustedBy',
      sorting: false,
      render: r => (
        <Typography variant="body2">
          {describeTrustedBy(r.trustedBy)}
        </Typography>
      ),
    },
    '14%',
  ),
  fitColumn(
    {
      title: 'Last used',
      field: 'lastUsed',
      render: r => {
        const used = describeLastUsed(
          r.lastUsed ? { date: r.lastUsed } : undefined,
        );
        return (
          // Stale use stands out by weight: the words say it, and any colour keeps its contrast.
          <Typography
            variant="body2"
            sx={{ fontWeight: used.stale ? 600 : undefined }}
          >
            {used.text}
          </Typography>
        );
      },
    },
    '12%',
  ),
];

/** The filters of the inventory as the URL holds them (`undefined` for all). */
export type InventoryFilters = ListRolesOptions;

/**
 * The IAM roles home: every role of the trust index, risky first, with presets, facets, words
 * search and a CSV export of what is filtered.
 */
export function RoleInventory(props: {
  filters: InventoryFilters;
  onFiltersChange: (filters: InventoryFilters) => void;
}) {
  const { filters, onFiltersChange } = props;
  const api = useApi(iamRolesApiRef);
  const inventory = useRoleInventory(filters);
  const [words, setWords] = useState(filters.q ?? '');
  const [exportError, setExportError] = useState<unknown>();

  // Words are searched as typed, a moment after the last key.
  useEffect(() => {
    if ((filters.q ?? '') === words.trim()) return undefined;
    const timer = setTimeout(
      () => onFiltersChange({ ...filters, q: words.trim() || undefined }),
      300,
    );
    return () => clearTimeout(timer);
  }, [words, filters, onFiltersChange]);

  const set = (next: Partial<InventoryFilters>) =>
    onFiltersChange({ ...filters, ...next });
  const filtered = Object.values(filters).some(v => v !== undefined);
  const facets = inventory.data?.facets;

  const accountOptions = useMemo(
    () =>
      (facets?.accounts ?? []).map(a => ({
        value: a.value,
        label: `${a.label ? `${a.label} (${a.value})` : a.value} · ${a.count}`,
      })),
    [facets],
  );
  const ownerOptions = useMemo(
    () =>
      (facets?.owners ?? []).map(o => ({
        value: o.value,
        label: `${shortRef(o.value)} · ${o.count}`,
      })),
    [facets],
  );

  if (inventory.isError) {
    return (
      <ErrorState
        error={inventory.error}
        title="Could not load the roles: the IAM roles backend did not answer"
      />
    );
  }
  if (!inventory.data) {
    return <Loading />;
  }
  const page = inventory.data;
  const worst = page.facets.presets.critical ? 'critical' : undefined;

  const exportCsv = async () => {
    setExportError(undefined);
    try {
      downloadText('iam-roles.csv', await api.exportRoles(filters), 'text/csv');
    } catch (e) {
      setExportError(e);
    }
  };

  return (
    <Stack spacing={2}>
      <AnswerLine severity={worst}>
        {page.facets.roles === 0
          ? 'No IAM roles yet: the catalog has not ingested any account'
          : inventoryAnswer(page, filtered)}
      </AnswerLine>
      <ToggleButtonGroup
        exclusive
        size="small"
        value={filters.preset ?? null}
        onChange={(_e, value: RoleInventoryPreset | null) =>
          set({ preset: value ?? undefined })
        }
        aria-label="Presets"
      >
        {PRESETS.map(([preset, label]) => (
          <ToggleButton
            key={preset}
            value={preset}
            sx={{ textTransform: 'none' }}
          >
            {label} ({page.facets.presets[preset].toLocaleString('en-US')})
          </ToggleButton>
        ))}
      </ToggleButtonGroup>
      <Stack direction="row" spacing={2} flexWrap="wrap" useFlexGap>
        <TextField
          size="small"
          label="Search roles"
          placeholder="name, title or ARN"
          value={words}
          onChange={e => setWords(e.target.value)}
          sx={{ minWidth: 240 }}
        />
        <FilterSelect
          id="iam-inventory-account"
          label="Account"
          allLabel="All accounts"
          minWidth={240}
          value={filters.account ?? ALL}
          options={accountOptions}
          onChange={account => set({ account })}
        />
        <FilterSelect
          id="iam-inventory-owner"
          label="Owner"
          allLabel="All owners"
          minWidth={200}
          value={filters.owner ?? ALL}
          options={ownerOptions}
          onChange={owner => set({ owner })}
        />
        <FilterSelect
          id="iam-inventory-severity"
          label="Risk at least"
          allLabel="Any risk"
          minWidth={160}
          value={filters.severity ?? ALL}
          options={SEVERITIES.map(v => {
            const n = page.facets.severities.find(s => s.value === v)?.count;
            return { value: v, label: `${v} · ${n ?? 0}` };
          })}
          onChange={severity => set({ severity: severity as Severity })}
        />
        {filtered && (
          <Button
            variant="text"
            onClick={() => {
              setWords('');
              onFiltersChange({});
            }}
          >
            Clear filters
          </Button>
        )}
        <Button variant="outlined" onClick={exportCsv} sx={{ ml: 'auto' }}>
          Export CSV
        </Button>
      </Stack>
      {exportError !== undefined && (
        <Typography role="alert" color="error">
          The export failed: {errorMessage(exportError)}
        </Typography>
      )}
      <ListCutNotice
        shown={page.items.length}
        total={page.totalItems}
        noun="roles (narrow them with the filters, or export them all as CSV)"
      />
      <Table<RoleInventoryRow>
        title={`Roles (${page.totalItems.toLocaleString('en-US')})`}
        isLoading={inventory.isFetching && inventory.isPlaceholderData}
        data={page.items}
        columns={columns}
        options={{
          paging: page.items.length > 20,
          pageSize: 20,
          pageSizeOptions: [20, 50, 100],
          search: false,
          padding: 'dense',
          draggable: false,
          headerStyle: { position: 'sticky', top: 0 },
          maxBodyHeight: '70vh',
        }}
        emptyContent={
          <EmptyLine>
            {filtered
              ? 'No role matches these filters. Clear them to see every role.'
              : 'No roles yet. Once the catalog module has read an account (or a snapshot), its roles are listed here.'}
          </EmptyLine>
        }
      />
    </Stack>
  );
}
