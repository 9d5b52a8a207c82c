import { useState } from 'react';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Table, TableColumn } from '@backstage/core-components';
import type {
  AccessRequest,
  AuditEntry,
  BrokerInfo,
  Grant,
} from '@backstage-iam/plugin-iam-roles-common';
import {
  useApprovals,
  useAudit,
  useBrokerInfo,
  useDecision,
  useGrants,
  useRequests,
} from '../hooks/queries';
import { formatDate, formatDuration, formatRelative } from '../lib/format';
import { downloadText, toCsv } from '../lib/exportRows';
import DownloadOutlined from '@mui/icons-material/DownloadOutlined';
import {
  EmptyLine,
  EmptyTable,
  ErrorState,
  Loading,
  StatusChip,
  shortRef,
  RoleLink,
} from './common';
import { GetCredentialsButton } from './GetCredentialsButton';
import { ReasonDialog } from './ReasonDialog';

/** The "Role" column of requests and grants: the role's name, linked to its entity page. */
function roleColumn<
  T extends { roleRef: string; roleArn: string },
>(): TableColumn<T> {
  return {
    title: 'Role',
    field: 'roleArn',
    render: r => (
      <RoleLink
        entityRef={r.roleRef}
        title={r.roleArn.split('/').pop() ?? r.roleArn}
      />
    ),
  };
}

function credentialsBlocker(
  info: BrokerInfo | undefined,
  grant: Grant,
): string | undefined {
  if (!info) {
    return 'Reading what the broker can do…';
  }
  if (!info.credentialsEnabled) {
    return (
      info.credentialsDisabledReason ??
      'This installation does not issue credentials.'
    );
  }
  if (Date.parse(grant.expiresAt) <= Date.now()) {
    return 'The grant has expired.';
  }
  return undefined;
}

/** Cancels a pending request of the caller. */
function CancelButton(props: { request: AccessRequest }) {
  const decide = useDecision();
  return (
    <Button
      size="small"
      onClick={() =>
        decide.mutate({ action: 'cancel', requestId: props.request.id })
      }
      disabled={decide.isPending}
      aria-label={`Cancel request for ${props.request.roleArn}`}
    >
      {decide.isError ? 'Cancel failed, retry' : 'Cancel'}
    </Button>
  );
}

/** The caller's requests (for one role, or all), with their state and what they can do next. */
export function MyRequestsTable(props: { roleRef?: string; title?: string }) {
  const { roleRef } = props;
  const requests = useRequests({ mine: true, roleRef });
  const info = useBrokerInfo();

  if (requests.isError) {
    return (
      <ErrorState error={requests.error} title="Could not load your requests" />
    );
  }
  const columns: TableColumn<AccessRequest>[] = [
    ...(roleRef ? [] : [roleColumn<AccessRequest>()]),
    {
      title: 'State',
      field: 'status',
      render: r => (
        <Stack direction="row" spacing={1} alignItems="center">
          <StatusChip status={r.status} />
          {r.grant && r.grant.status !== 'active' && (
            <StatusChip status={`grant ${r.grant.status}`} />
          )}
        </Stack>
      ),
    },
    {
      title: 'Requested',
      field: 'createdAt',
      defaultSort: 'desc',
      render: r => formatDate(r.createdAt),
    },
    {
      title: 'Duration',
      field: 'durationMinutes',
      render: r => formatDuration(r.durationMinutes),
    },
    { title: 'Justification', field: 'justification' },
    { title: 'Ticket', field: 'ticket', render: r => r.ticket ?? '—' },
    {
      title: 'Decision',
      field: 'decisionReason',
      render: r =>
        r.status === 'pending'
          ? `${r.approvals.length} of ${
              r.requiredApprovals
            } approvals, expires ${formatRelative(r.expiresAt)}`
          : [r.decidedBy && `by ${shortRef(r.decidedBy)}`, r.decisionReason]
              .filter(Boolean)
              .join(': ') || '—',
    },
    {
      title: 'Access',
      sorting: false,
      render: r => {
        if (r.status === 'pending') {
          return <CancelButton request={r} />;
        }
        if (r.grant?.status === 'active') {
          return (
            <Stack spacing={0.5} alignItems="flex-start">
              <Typography variant="caption">
                Active until {formatDate(r.grant.expiresAt)}
              </Typography>
              <GetCredentialsButton
                grant={r.grant}
                disabledReason={credentialsBlocker(info.data, r.grant)}
              />
            </Stack>
          );
        }
        return '—';
      },
    },
  ];
  const emptyText = roleRef
    ? 'You have not requested access to this role.'
    : 'You have not requested access to any role yet.';
  if (requests.isPending) {
    return <Loading />;
  }
  if (requests.data.length === 0) {
    return (
      <EmptyTable title={props.title ?? 'Your requests'}>
        {emptyText}
      </EmptyTable>
    );
  }
  return (
    <Table<AccessRequest>
      title={props.title ?? 'Your requests'}
      data={requests.data ?? []}
      columns={columns}
      options={{
        paging: (requests.data?.length ?? 0) > 10,
        pageSize: 10,
        search: true,
        padding: 'dense',
      }}
      emptyContent={<EmptyLine>{emptyText}</EmptyLine>}
    />
  );
}

type PendingDecision = { request: AccessRequest; action: 'approve' | 'deny' };

/** Pending requests the caller can decide, with approve and deny. */
export function ApprovalsTable(props: { roleRef?: string; title?: string }) {
  const { roleRef } = props;
  const approvals = useApprovals();
  const decide = useDecision();
  const [pending, setPending] = useState<PendingDecision>();
  const [done, setDone] = useState<string>();

  if (approvals.isError) {
    return (
      <ErrorState
        error={approvals.error}
        title="Could not load the requests waiting for you"
      />
    );
  }
  const rows = (approvals.data ?? []).filter(
    r => r.canDecide !== false && (!roleRef || r.roleRef === roleRef),
  );
  const columns: TableColumn<AccessRequest>[] = [
    ...(roleRef ? [] : [roleColumn<AccessRequest>()]),
    {
      title: 'Requester',
      field: 'requester',
      render: r => shortRef(r.requester),
    },
    { title: 'Justification', field: 'justification' },
    {
      title: 'Duration',
      field: 'durationMinutes',
      render: r => formatDuration(r.durationMinutes),
    },
    { title: 'Ticket', field: 'ticket', render: r => r.ticket ?? '—' },
    {
      title: 'Requested',
      field: 'createdAt',
      defaultSort: 'desc',
      render: r => formatDate(r.createdAt),
    },
    {
      title: 'Approvals',
      render: r => `${r.approvals.length} of ${r.requiredApprovals}`,
      sorting: false,
    },
    {
      title: 'Decide',
      sorting: false,
      render: r => {
        const who = `${shortRef(r.requester)} for ${r.roleArn
          .split('/')
          .pop()}`;
        return (
          <Stack direction="row" spacing={1}>
            <Button
              size="small"
              variant="contained"
              color="success"
              aria-label={`Approve request from ${who}`}
              onClick={() => {
                decide.reset();
                setPending({ request: r, action: 'approve' });
              }}
            >
              Approve
            </Button>
            <Button
              size="small"
              variant="outlined"
              color="error"
              aria-label={`Deny request from ${who}`}
              onClick={() => {
                decide.reset();
                setPending({ request: r, action: 'deny' });
              }}
            >
              Deny
            </Button>
          </Stack>
        );
      },
    },
  ];

  const request = pending?.request;
  const title = props.title ?? 'Waiting for your decision';
  return (
    <>
      {done && (
        <Typography role="status" variant="body2" sx={{ mb: 1 }}>
          {done}
        </Typography>
      )}
      {approvals.isPending && <Loading />}
      {approvals.data && rows.length === 0 && (
        <EmptyTable title={title}>
          No requests are waiting for your decision.
        </EmptyTable>
      )}
      {rows.length > 0 && (
        <Table<AccessRequest>
          title={title}
          data={rows}
          columns={columns}
          options={{
            paging: rows.length > 10,
            pageSize: 10,
            search: true,
            padding: 'dense',
          }}
          emptyContent={
            <EmptyLine>No requests are waiting for your decision.</EmptyLine>
          }
        />
      )}
      {pending && request && (
        <ReasonDialog
          open
          title={`${
            pending.action === 'approve' ? 'Approve' : 'Deny'
          } access to ${request.roleArn.split('/').pop()}`}
          description={`${shortRef(
            request.requester,
          )} asks for ${formatDuration(request.durationMinutes)}: “${
            request.justification
          }”`}
          confirmLabel={pending.action === 'approve' ? 'Approve' : 'Deny'}
          reasonRequired={pending.action === 'deny'}
          destructive={pending.action === 'deny'}
          pending={decide.isPending}
          error={decide.error ?? undefined}
          onCancel={() => setPending(undefined)}
          onConfirm={reason =>
            decide.mutate(
              pending.action === 'approve'
                ? {
                    action: 'approve',
                    requestId: request.id,
                    reason: reason || undefined,
                  }
                : { action: 'deny', requestId: request.id, reason },
              {
                onSuccess: () => {
                  setDone(
                    `${
                      pending.action === 'approve' ? 'Approved' : 'Denied'
                    } the request from ${shortRef(request.requester)}.`,
                  );
                  setPending(undefined);
                },
              },
            )
          }
        />
      )}
    </>
  );
}

/** Active grants (of one role, or all the caller can see), with revoke for owners. */
export function GrantsTable(props: {
  roleRef?: string;
  mine?: boolean;
  canRevoke: boolean;
  title?: string;
}) {
  const { roleRef, mine, canRevoke } = props;
  const grants = useGrants({ roleRef, mine, status: 'active' });
  const info = useBrokerInfo();
  const decide = useDecision();
  const [revoking, setRevoking] = useState<Grant>();
  const [done, setDone] = useState<string>();

  if (grants.isError) {
    return (
      <ErrorState
        error={grants.error}
        title="Could not load the active grants"
      />
    );
  }
  const columns: TableColumn<Grant>[] = [
    ...(roleRef ? [] : [roleColumn<Grant>()]),
    ...(mine
      ? []
      : [
          {
            title: 'User',
            field: 'user',
            render: (g: Grant) => shortRef(g.user),
          },
        ]),
    {
      title: 'Granted',
      field: 'grantedAt',
      render: g => formatDate(g.grantedAt),
    },
    {
      title: 'Expires',
      field: 'expiresAt',
      defaultSort: 'asc',
      render: g =>
        `${formatDate(g.expiresAt)} (${formatRelative(g.expiresAt)})`,
    },
    {
      title: 'Actions',
      sorting: false,
      render: g => (
        <Stack direction="row" spacing={1}>
          {mine && (
            <GetCredentialsButton
              grant={g}
              disabledReason={credentialsBlocker(info.data, g)}
            />
          )}
          {canRevoke && (
            <Button
              size="small"
              color="error"
              variant="outlined"
              aria-label={`Revoke access of ${shortRef(g.user)}`}
              onClick={() => {
                decide.reset();
                setRevoking(g);
              }}
            >
              Revoke
            </Button>
          )}
        </Stack>
      ),
    },
  ];
  const rows = grants.data ?? [];
  return (
    <>
      {done && (
        <Typography role="status" variant="body2" sx={{ mb: 1 }}>
          {done}
        </Typography>
      )}
      {grants.isPending && <Loading />}
      {grants.data && rows.length === 0 && (
        <EmptyTable title={props.title ?? 'Active grants'}>
          No one has active access right now.
        </EmptyTable>
      )}
      {rows.length > 0 && (
        <Table<Grant>
          title={props.title ?? 'Active grants'}
          data={rows}
          columns={columns}
          options={{
            paging: rows.length > 10,
            pageSize: 10,
            search: rows.length > 5,
            padding: 'dense',
          }}
          emptyContent={
            <EmptyLine>No one has active access right now.</EmptyLine>
          }
        />
      )}
      {revoking && (
        <ReasonDialog
          open
          title={`Revoke access of ${shortRef(revoking.user)}`}
          description="The grant ends now; credentials already issued stay valid until they expire, so rotate or deny the session in AWS if it is compromised."
          confirmLabel="Revoke"
          reasonRequired
          destructive
          pending={decide.isPending}
          error={decide.error ?? undefined}
          onCancel={() => setRevoking(undefined)}
          onConfirm={reason =>
            decide.mutate(
              { action: 'revoke', grantId: revoking.id, reason },
              {
                onSuccess: () => {
                  setDone(`Revoked the access of ${shortRef(revoking.user)}.`);
                  setRevoking(undefined);
                },
              },
            )
          }
        />
      )}
    </>
  );
}

/** The audit trail of a role, for its owners. */
export function AuditTable(props: { roleRef: string }) {
  const audit = useAudit(props.roleRef);
  if (audit.isError) {
    return (
      <ErrorState error={audit.error} title="Could not load the audit trail" />
    );
  }
  const columns: TableColumn<AuditEntry>[] = [
    {
      title: 'When',
      field: 'at',
      defaultSort: 'desc',
      render: e => formatDate(e.at),
    },
    { title: 'Who', field: 'actor', render: e => shortRef(e.actor) },
    { title: 'Action', field: 'action' },
    {
      title: 'Change',
      render: e =>
        e.fromState || e.toState
          ? `${e.fromState ?? '—'} → ${e.toState ?? '—'}`
          : '—',
      sorting: false,
    },
    { title: 'Reason', field: 'reason', render: e => e.reason ?? '—' },
  ];
  const rows = audit.data ?? [];
  if (audit.isPending) {
    return <Loading />;
  }
  if (rows.length === 0) {
    return (
      <EmptyTable title="Audit trail">
        Nothing has happened to this role's access yet.
      </EmptyTable>
    );
  }
  const exportCsv = () =>
    downloadText(
      `iam-audit-${props.roleRef.replace(/[^A-Za-z0-9._-]+/g, '_')}.csv`,
      toCsv(
        [
          'at',
          'actor',
          'action',
          'requestId',
          'grantId',
          'roleRef',
          'fromState',
          'toState',
          'reason',
        ],
        rows.map(e => ({ ...e })),
      ),
      'text/csv',
    );
  return (
    <Stack spacing={1}>
      <div>
        <Button
          size="small"
          variant="outlined"
          startIcon={<DownloadOutlined />}
          onClick={exportCsv}
        >
          Export audit CSV
        </Button>
      </div>
      <Table<AuditEntry>
        title="Audit trail"
        data={rows}
        columns={columns}
        options={{
          paging: rows.length > 20,
          pageSize: 20,
          search: true,
          padding: 'dense',
        }}
        emptyContent={
          <EmptyLine>Nothing has happened to this role's access yet.</EmptyLine>
        }
      />
    </Stack>
  );
}
