import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { TableColumn } from '@backstage/core-components';
import type { AccessRequest } from '@backstage-iam/plugin-iam-roles-common';
import { useBrokerInfo, useDecision, useRequests } from '../hooks/queries';
import { formatDate, formatDuration, formatRelative } from '../lib/format';
import {
  ErrorState,
  StatusChip,
  roleColumn,
  roleNameOf,
  shortRef,
} from './common';
import { ListTable } from './ListTable';
import {
  credentialsBlocker,
  GetCredentialsButton,
} from './GetCredentialsButton';

/** Cancels a pending request of the caller. */
export function CancelRequestButton(props: { request: AccessRequest }) {
  const decide = useDecision();
  return (
    <Button
      size="small"
      onClick={() =>
        decide.mutate({ action: 'cancel', requestId: props.request.id })
      }
      disabled={decide.isPending}
      aria-label={`${
        decide.isError ? 'Cancel failed, retry' : 'Cancel'
      } request for ${roleNameOf(props.request.roleArn)}`}
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
          return <CancelRequestButton request={r} />;
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
  return (
    <ListTable<AccessRequest>
      title={props.title ?? 'Your requests'}
      list={requests}
      rows={requests.data?.items ?? []}
      columns={columns}
      noun="requests"
      emptyText={emptyText}
    />
  );
}
