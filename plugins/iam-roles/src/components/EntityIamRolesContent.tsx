import { useEffect, useMemo, useRef, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef, useEntity } from '@backstage/plugin-catalog-react';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useQuery } from '@tanstack/react-query';
import {
  AWS_IAM_ROLE_RESOURCE_TYPE,
  highestSeverity,
  severityRank,
  isIamRoleEntity,
  type AssumableRole,
  type DescribeOptions,
  type Finding,
} from '@backstage-iam/plugin-iam-roles-common';
import {
  assumableAnswer,
  ownedAnswer,
  tallyRoles,
  type RoleTally,
} from '../lib/answer';
import {
  describeAction,
  describeMatchedBy,
  rawConditions,
  summarizeConditions,
} from '../lib/words';
import { useAssumableRoles, useGrants, useRequests } from '../hooks/queries';
import { useDescribeOptions } from '../hooks/useAccounts';
import { derivedAccess, type DerivedAccess } from '../lib/accessDerivation';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';
import { describeLastUsed, formatDate } from '../lib/format';
import {
  AnswerLine,
  ConditionalTag,
  EmptyLine,
  ErrorState,
  FindingDetails,
  fitColumn,
  OwnerLink,
  SeverityChip,
  StatusChip,
  RoleCell,
  shortRef,
} from './common';
import { RequestAccessDialog } from './RequestAccessDialog';
import { IdentityCenterMembers } from './IdentityCenterMembers';

/** One row of the roles table of a component or a group. */
export interface RoleRow {
  entityRef: string;
  arn: string;
  title: string;
  owner?: string;
  risk: string;
  /** How the entity reaches the role (component) or when it was last used (group), in words. */
  detail: string;
  /** Only under conditions the entity's identity cannot settle: they, summarised. */
  conditional?: string;
  /** The same conditions as the policy writes them (provider ARNs, keys), shown on hover. */
  conditionalRaw?: string;
  /** The role's findings, when the answer carries them. */
  findings?: Finding[];
  /** Got beyond the trust policy: through Identity Center or Pod Identity. */
  derived?: DerivedAccess[];
}

/** A role the entity can assume as a row; `names` lets the words name accounts and EKS clusters. */
function assumableToRow(
  role: AssumableRole,
  names: DescribeOptions = {},
): RoleRow {
  const how = [
    role.through && `for ${shortRef(role.through)}`,
    describeMatchedBy(role.matchedBy) &&
      `as ${describeMatchedBy(role.matchedBy)}`,
    describeAction(role.via),
  ].filter(Boolean);
  return {
    entityRef: role.entityRef,
    arn: role.arn,
    title: role.title,
    owner: role.owner,
    risk: highestSeverity(role.findings),
    detail: how.join(', ') || role.outcome,
    conditional:
      role.outcome === 'possible'
        ? summarizeConditions(role.conditions, names) ||
          'only if its conditions hold'
        : undefined,
    conditionalRaw:
      role.outcome === 'possible' && role.conditions.length > 0
        ? rawConditions(role.conditions)
        : undefined,
    findings: role.findings,
    derived: derivedAccess(role),
  };
}

function roleEntityToRow(entity: Entity): RoleRow | undefined {
  if (!isIamRoleEntity(entity)) {
    return undefined;
  }
  return {
    entityRef: stringifyEntityRef(entity),
    arn: entity.spec.iam.arn,
    title: entity.metadata.title ?? entity.spec.iam.roleName,
    owner: entity.spec.owner,
    risk: entity.spec.iam.risk,
    detail: describeLastUsed(entity.spec.iam.lastUsed).text,
  };
}

/** Risky rows first, then by name. */
function byRisk(a: RoleRow, b: RoleRow): number {
  return (
    severityRank(a.risk) - severityRank(b.risk) ||
    a.title.localeCompare(b.title)
  );
}

/** Roles as a table with risk and a request-access button per role. */
export function RolesTable(props: {
  rows: RoleRow[];
  isLoading: boolean;
  title: string;
  detailTitle: string;
  emptyText: string;
  dense?: boolean;
  /** The one-line answer above the table, from the rows' counts. */
  answer?: (tally: RoleTally) => string;
}) {
  const [requesting, setRequesting] = useState<RoleRow>();
  const [submitted, setSubmitted] = useState<string>();
  const { dense, detailTitle } = props;
  const rows = useMemo(() => [...props.rows].sort(byRisk), [props.rows]);
  // The caller's own open requests and grants: a row says "pending" instead of inviting a duplicate;
  // the pending ones are asked again, so a decision shows on the row without a reload.
  const mine = useRequests({ mine: true, status: 'pending' }, true, true);
  const grants = useGrants({ mine: true, status: 'active' });
  const pendingRoles = useMemo(
    () => new Set((mine.data?.items ?? []).map(r => r.roleRef)),
    [mine.data],
  );
  // A request no longer pending was decided or cancelled: an approval's grant shows on its row.
  const wasPending = useRef(pendingRoles);
  const refetchGrants = grants.refetch;
  useEffect(() => {
    if ([...wasPending.current].some(role => !pendingRoles.has(role))) {
      refetchGrants();
    }
    wasPending.current = pendingRoles;
  }, [pendingRoles, refetchGrants]);
  const activeGrants = useMemo(
    () => new Map((grants.data?.items ?? []).map(g => [g.roleRef, g])),
    [grants.data],
  );
  const tally = tallyRoles(
    rows.map(r => ({ arn: r.arn, risk: r.risk, conditional: !!r.conditional })),
  );

  const columns = useMemo<TableColumn<RoleRow>[]>(
    () => [
      fitColumn<RoleRow>(
        {
          title: 'Role',
          field: 'title',
          highlight: true,
          render: r => (
            <>
              <RoleCell entityRef={r.entityRef} title={r.title} arn={r.arn} />
              {r.derived && r.derived.length > 0 && (
                <Stack direction="row" spacing={0.5} mt={0.5}>
                  {r.derived.map(d => (
                    <Chip
                      key={d}
                      size="small"
                      variant="outlined"
                      label={`through ${d}`}
                      sx={{ borderColor: 'info.main' }}
                    />
                  ))}
                </Stack>
              )}
            </>
          ),
        },
        dense ? undefined : '24%',
      ),
      fitColumn<RoleRow>(
        {
          title: 'Risk',
          field: 'risk',
          customSort: byRisk,
          render: r =>
            !dense && r.findings && r.findings.length > 0 ? (
              <FindingDetails findings={r.findings} label={r.title} />
            ) : (
              <SeverityChip severity={r.risk} />
            ),
        },
        dense ? undefined : '26%',
      ),
      ...(dense
        ? []
        : [
            fitColumn<RoleRow>(
              {
                title: 'Owner',
                field: 'owner',
                render: r => <OwnerLink owner={r.owner} />,
              },
              '14%',
              { wholeWords: true },
            ),
            fitColumn<RoleRow>(
              {
                title: detailTitle,
                field: 'detail',
                render: r => (
                  <>
                    {r.detail}
                    {r.conditional && (
                      <ConditionalTag>
                        <span title={r.conditionalRaw}>{r.conditional}</span>
                      </ConditionalTag>
                    )}
                  </>
                ),
              },
              '24%',
            ),
          ]),
      fitColumn<RoleRow>({
        title: 'Access',
        sorting: false,
        // Every column sized: one without a width claims the whole table's and squeezes the rest.
        width: dense ? undefined : '12%',
        render: r => {
          const grant = activeGrants.get(r.entityRef);
          if (grant) {
            return (
              <Typography variant="body2" sx={{ whiteSpace: 'nowrap' }}>
                <StatusChip status="active" /> until{' '}
                {formatDate(grant.expiresAt)}
              </Typography>
            );
          }
          if (pendingRoles.has(r.entityRef)) {
            // The request in full (and its cancel) is one click away: the dialog shows it instead of a form.
            return (
              <Stack direction="row" spacing={0.5} alignItems="center">
                <Typography variant="body2" sx={{ whiteSpace: 'nowrap' }}>
                  <StatusChip status="pending" /> request sent
                </Typography>
                <Button
                  size="small"
                  aria-label={`View your request for ${r.title}`}
                  onClick={() => setRequesting(r)}
                >
                  View
                </Button>
              </Stack>
            );
          }
          return (
            <Button
              size="small"
              variant="outlined"
              aria-label={`Request access to ${r.title}`}
              onClick={() => setRequesting(r)}
              sx={{ whiteSpace: 'nowrap' }}
            >
              Request access
            </Button>
          );
        },
      }),
    ],
    [dense, detailTitle, pendingRoles, activeGrants],
  );

  // A region named like the table: a group's page holds two of them.
  return (
    <Box component="section" aria-label={props.title}>
      {submitted && (
        <Alert
          severity="success"
          role="status"
          sx={{ mb: 1 }}
          onClose={() => setSubmitted(undefined)}
        >
          {submitted}
        </Alert>
      )}
      {props.answer && !props.isLoading && (
        <Box mb={1}>
          <AnswerLine severity={tally.worst}>{props.answer(tally)}</AnswerLine>
        </Box>
      )}
      <Table<RoleRow>
        title={props.title}
        isLoading={props.isLoading}
        data={rows}
        columns={columns}
        options={{
          paging: rows.length > 10,
          pageSize: 10,
          search: !props.dense,
          padding: 'dense',
          draggable: false,
        }}
        emptyContent={<EmptyLine>{props.emptyText}</EmptyLine>}
      />
      {requesting && (
        <RequestAccessDialog
          open
          roleRef={requesting.entityRef}
          roleTitle={requesting.title}
          roleArn={requesting.arn}
          onClose={() => setRequesting(undefined)}
          // The dialog stays open and follows the request; the row shows it once closed.
          onSubmitted={() =>
            setSubmitted(
              `Request for ${requesting.title} submitted; its owners decide it from their approvals inbox.`,
            )
          }
        />
      )}
    </Box>
  );
}

function AssumableRoles(props: {
  entityRef: string;
  /** The entity in the answer's words: its title or name. */
  subject: string;
  dense?: boolean;
  emptyText: string;
}) {
  const assumable = useAssumableRoles(props.entityRef);
  const names = useDescribeOptions();
  const roles = assumable.data?.roles ?? [];
  if (assumable.isError) {
    return (
      <ErrorState
        error={assumable.error}
        title="Could not find the roles this entity can assume"
      />
    );
  }
  const rows = roles.map(role => assumableToRow(role, names));
  return (
    <RolesTable
      title="Roles it can assume"
      detailTitle="How"
      answer={tally => assumableAnswer(tally, props.subject)}
      rows={rows}
      isLoading={assumable.isPending}
      dense={props.dense}
      emptyText={
        assumable.data?.index?.roles === 0
          ? 'The access broker has not indexed any IAM role yet: the catalog is probably still reading them. This list updates by itself.'
          : props.emptyText
      }
    />
  );
}

function GroupRoles(props: {
  entityRef: string;
  subject: string;
  dense?: boolean;
}) {
  const catalogApi = useApi(catalogApiRef);
  const owned = useQuery({
    queryKey: ['iam-roles', 'owned', props.entityRef],
    queryFn: async () =>
      (
        await catalogApi.getEntities({
          filter: {
            kind: 'Resource',
            'spec.type': AWS_IAM_ROLE_RESOURCE_TYPE,
            'relations.ownedBy': props.entityRef,
          },
        })
      ).items,
  });
  if (owned.isError) {
    return (
      <ErrorState
        error={owned.error}
        title="Could not read the roles this group owns"
      />
    );
  }
  const rows = (owned.data ?? [])
    .map(roleEntityToRow)
    .filter((r): r is RoleRow => Boolean(r));
  return (
    <RolesTable
      title="Roles it owns"
      detailTitle="Last used"
      answer={tally => ownedAnswer(tally, props.subject)}
      rows={rows}
      isLoading={owned.isPending}
      dense={props.dense}
      emptyText="This group owns no IAM role."
    />
  );
}

function EntityRoles(props: { dense?: boolean }) {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const subject = entity.metadata.title ?? entity.metadata.name;
  return entity.kind.toLocaleLowerCase('en-US') === 'group' ? (
    <Stack spacing={2}>
      <AssumableRoles
        entityRef={entityRef}
        subject={subject}
        dense={props.dense}
        emptyText="No IAM role is assumable by this group or the entities it owns: no Identity Center assignment, trust policy or catalog relation names them."
      />
      <GroupRoles entityRef={entityRef} subject={subject} dense={props.dense} />
      {!props.dense && <IdentityCenterMembers entityRef={entityRef} />}
    </Stack>
  ) : (
    <AssumableRoles
      entityRef={entityRef}
      subject={subject}
      dense={props.dense}
      emptyText="No IAM role trusts this entity: not its GitHub repository or GitLab project, its Kubernetes service accounts, its Pod Identity associations, or an explicit relation."
    />
  );
}

/** The "IAM roles" tab of a component (roles it can assume) or a group (roles it and what it owns can assume, and roles it owns). */
export function EntityIamRolesContent() {
  return (
    <IamRolesQueryProvider>
      <EntityRoles />
    </IamRolesQueryProvider>
  );
}

/** The same list as a compact card for an entity's overview. */
export function EntityIamRolesCard() {
  return (
    <IamRolesQueryProvider>
      <EntityRoles dense />
    </IamRolesQueryProvider>
  );
}
