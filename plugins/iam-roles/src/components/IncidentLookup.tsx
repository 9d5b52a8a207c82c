import { FormEvent, useMemo, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { Table, TableColumn } from '@backstage/core-components';
import {
  compareSeverity,
  describeConditionWith,
  highestSeverity,
  toCsv,
  type AssumableRole,
  type ConditionClause,
  type AssumableRolesResponse,
  type DescribeOptions,
  type PrincipalContext,
} from '@backstage-iam/plugin-iam-roles-common';
import { useLookup } from '../hooks/queries';
import { useDescribeOptions } from '../hooks/useAccounts';
import { downloadText } from '../lib/downloadText';
import {
  AnswerLine,
  ConditionalTag,
  EmptyLine,
  ErrorState,
  FindingDetails,
  fitColumn,
  Loading,
  OwnerLink,
  SeverityChip,
  RoleCell,
} from './common';
import { lookupAnswer, tallyRoles } from '../lib/answer';
import {
  describeAction,
  describeMatchedBy,
  rawConditions,
  summarizeConditions,
} from '../lib/words';
import { RoleChains } from './RoleChains';
import { RecentTrustChanges } from './RecentTrustChanges';

/** A looked-up identity in words. */
export function describeContext(p: PrincipalContext): string {
  switch (p.type) {
    case 'arn':
      return p.arn;
    case 'account':
      return `account ${p.accountId}`;
    case 'service':
      return `service ${p.service}`;
    case 'github':
      return `GitHub Actions in ${p.owner}/${p.repo}${
        p.ref ? ` on ${p.ref}` : ''
      }${p.environment ? ` in environment ${p.environment}` : ''}`;
    case 'eks':
      return `Kubernetes service account ${p.namespace}/${p.serviceAccount}`;
    case 'oidc':
      return `OIDC provider ${p.provider}`;
    case 'saml':
      return `SAML provider ${p.provider}`;
    default:
      return 'identity';
  }
}

/** Whether and how the identity can assume a role, in words; `names` lets them name accounts and EKS clusters. */
export function describeOutcome(
  role: AssumableRole,
  names: DescribeOptions = {},
): string {
  if (role.outcome === 'allowed') {
    return `Yes${role.via ? `, via ${role.via}` : ''}`;
  }
  if (role.outcome === 'possible') {
    const conditions = role.conditions
      .map(describeConditionWith(names))
      .join(' and ');
    return `If ${conditions || 'its conditions hold'}`;
  }
  return role.outcome === 'denied' ? 'No, denied explicitly' : 'No';
}

/** Conditions as the policy's own `Condition` block (operator → key → values), exact for the record. */
function conditionBlock(
  conditions: ConditionClause[],
): Record<string, Record<string, string[]>> | '' {
  if (conditions.length === 0) {
    return '';
  }
  const block: Record<string, Record<string, string[]>> = {};
  for (const c of conditions) {
    block[c.operator] = { ...block[c.operator], [c.key]: c.values };
  }
  return block;
}

/** Flat rows of a lookup, as exported: conditions with their exact keys, for the record. */
export function lookupRows(result: AssumableRolesResponse) {
  return result.roles.map(role => ({
    query: result.query,
    role: role.title,
    arn: role.arn,
    entityRef: role.entityRef,
    owner: role.owner ?? '',
    outcome: role.outcome,
    via: role.via ?? '',
    matchedBy: role.matchedBy ?? '',
    conditions: conditionBlock(role.conditions),
    risk: highestSeverity(role.findings),
    findings: role.findings.map(f => `${f.severity}: ${f.id}`).join('; '),
  }));
}

const EXPORT_COLUMNS = [
  'query',
  'role',
  'arn',
  'entityRef',
  'owner',
  'outcome',
  'via',
  'matchedBy',
  'conditions',
  'risk',
  'findings',
] as const;

function fileStem(query: string): string {
  return `iam-lookup-${query.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60)}`;
}

/** The subject of a lookup in the answer's words: "GitHub Actions in acme/payments-api". */
function lookupSubject(result: AssumableRolesResponse): string {
  return result.principals.map(describeContext).join(', ') || result.query;
}

/** Whether and how: "Yes, with an OIDC token" or a tag saying under which conditions only. */
export function OutcomeCell(props: { role: AssumableRole }) {
  const { role } = props;
  const names = useDescribeOptions();
  if (role.outcome === 'possible') {
    return (
      <ConditionalTag>
        <span
          title={
            role.conditions.length > 0
              ? rawConditions(role.conditions)
              : undefined
          }
        >
          {summarizeConditions(role.conditions, names) ||
            'only if its conditions hold'}
        </span>
      </ConditionalTag>
    );
  }
  if (role.outcome === 'allowed') {
    return <>Yes{role.via ? `, ${describeAction(role.via)}` : ''}</>;
  }
  return <>{describeOutcome(role, names)}</>;
}

/** Risky rows first, then by name: the order a responder reads in. */
export function byRiskThenTitle(
  a: { findings: AssumableRole['findings']; title: string },
  b: { findings: AssumableRole['findings']; title: string },
): number {
  return (
    compareSeverity(highestSeverity(a.findings), highestSeverity(b.findings)) ||
    a.title.localeCompare(b.title)
  );
}

const LOOKUP_COLUMNS: TableColumn<AssumableRole>[] = [
  fitColumn<AssumableRole>(
    {
      title: 'Role',
      field: 'title',
      highlight: true,
      render: r => (
        <RoleCell entityRef={r.entityRef} title={r.title} arn={r.arn} />
      ),
    },
    '22%',
  ),
  fitColumn<AssumableRole>(
    {
      title: 'Risk',
      customSort: byRiskThenTitle,
      render: r =>
        r.findings.length > 0 ? (
          <FindingDetails findings={r.findings} label={r.title} />
        ) : (
          <SeverityChip severity="none" />
        ),
    },
    '34%',
  ),
  fitColumn<AssumableRole>(
    {
      title: 'Can assume',
      field: 'outcome',
      render: r => <OutcomeCell role={r} />,
    },
    '14%',
  ),
  fitColumn<AssumableRole>(
    {
      title: 'As',
      field: 'matchedBy',
      render: r => describeMatchedBy(r.matchedBy) || '—',
    },
    '15%',
  ),
  fitColumn<AssumableRole>(
    {
      title: 'Owner',
      field: 'owner',
      render: r => <OwnerLink owner={r.owner} />,
    },
    '15%',
  ),
];

function LookupResults(props: { result: AssumableRolesResponse }) {
  const { result } = props;
  const roles = useMemo(
    () => [...result.roles].sort(byRiskThenTitle),
    [result.roles],
  );
  const tally = tallyRoles(
    roles.map(r => ({
      arn: r.arn,
      risk: highestSeverity(r.findings),
      conditional: r.outcome === 'possible',
    })),
  );
  const rows = lookupRows(result);
  return (
    <Stack spacing={1}>
      {result.index?.roles === 0 && (
        <Alert severity="warning">
          The access broker has not indexed any IAM role yet (it has just
          started, or the catalog is still reading the roles), so this answer is
          not complete. It updates by itself as soon as the roles are in.
        </Alert>
      )}
      <Stack direction="row" spacing={1} alignItems="center" flexWrap="wrap">
        <AnswerLine severity={tally.worst}>
          {lookupAnswer(tally, lookupSubject(result))}
        </AnswerLine>
        <Box flexGrow={1} />
        <Button
          size="small"
          variant="outlined"
          disabled={rows.length === 0}
          onClick={() =>
            downloadText(
              `${fileStem(result.query)}.csv`,
              toCsv([...EXPORT_COLUMNS], rows),
              'text/csv',
            )
          }
        >
          Export CSV
        </Button>
        <Button
          size="small"
          variant="outlined"
          disabled={rows.length === 0}
          onClick={() =>
            downloadText(
              `${fileStem(result.query)}.json`,
              `${JSON.stringify(result, null, 2)}\n`,
              'application/json',
            )
          }
        >
          Export JSON
        </Button>
      </Stack>
      <Table<AssumableRole>
        title="Roles that trust it"
        data={roles}
        columns={LOOKUP_COLUMNS}
        options={{
          paging: roles.length > 20,
          pageSize: 20,
          search: true,
          padding: 'dense',
          draggable: false,
        }}
        emptyContent={
          <EmptyLine>
            No role trusts {result.query}: nothing this identity can assume was
            found.
          </EmptyLine>
        }
      />
      <RoleChains
        chains={result.chains ?? []}
        truncated={result.chainsTruncated}
      />
    </Stack>
  );
}

/** What the lookup accepts, in the words people type. */
export const LOOKUP_HELP =
  'A repository (owner/repo or github:owner/repo@ref), an account id or name, an IAM user or role ARN, "*" or "public" for roles anyone can assume, an identity provider, or a catalog user or group (their Identity Center access)';

/** "What can this leaked identity assume?" in one search. */
export function IncidentLookup(props: {
  query?: string;
  onQueryChange: (query: string) => void;
}) {
  const [draft, setDraft] = useState(props.query ?? '');
  const [touched, setTouched] = useState(false);
  const lookup = useLookup(props.query);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (draft.trim()) {
      props.onQueryChange(draft.trim());
    }
  };

  return (
    <Stack spacing={2}>
      <Box
        component="form"
        role="search"
        aria-label="Incident lookup"
        onSubmit={onSubmit}
        noValidate
      >
        <Stack
          direction={{ xs: 'column', sm: 'row' }}
          spacing={1}
          alignItems="flex-start"
        >
          <TextField
            label="Identity to look up"
            value={draft}
            onChange={e => setDraft(e.target.value)}
            error={touched && !draft.trim()}
            placeholder="e.g. acme/payments-api, 123456789012, acme-production, public"
            helperText={
              touched && !draft.trim()
                ? 'Enter an identity to look up.'
                : LOOKUP_HELP
            }
            InputLabelProps={{ shrink: true }}
            fullWidth
            size="small"
          />
          <Button
            type="submit"
            variant="contained"
            sx={{ whiteSpace: 'nowrap' }}
          >
            Look up
          </Button>
        </Stack>
      </Box>
      {!props.query && (
        <EmptyLine>
          Enter the identity from the incident (a leaked access key's user or
          role ARN, an external account, a repository) to see every role that
          trusts it, with conditions and findings.
        </EmptyLine>
      )}
      {lookup.isFetching && !lookup.data && <Loading />}
      {lookup.isError && (
        <ErrorState
          error={lookup.error}
          title={`Could not look up ${props.query}`}
        />
      )}
      {lookup.data && <LookupResults result={lookup.data} />}
      <RecentTrustChanges />
    </Stack>
  );
}
