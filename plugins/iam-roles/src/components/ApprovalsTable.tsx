import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import type { TableColumn } from '@backstage/core-components';
import type { AccessRequest } from '@backstage-iam/plugin-iam-roles-common';
import { useApprovals } from '../hooks/queries';
import { DecisionPrompt, useDecisionDialog } from '../hooks/useDecisionDialog';
import { formatDate, formatDuration } from '../lib/format';
import { ErrorState, roleColumn, roleNameOf, shortRef } from './common';
import { ListTable } from './ListTable';

/** What the dialog asks before approving or denying a request. */
function decisionPrompt(
  request: AccessRequest,
  action: 'approve' | 'deny',
): DecisionPrompt {
  const approve = action === 'approve';
  return {
    title: `${approve ? 'Approve' : 'Deny'} access to ${roleNameOf(
      request.roleArn,
    )}`,
    description: `${shortRef(request.requester)} asks for ${formatDuration(
      request.durationMinutes,
    )}: “${request.justification}”`,
    confirmLabel: approve ? 'Approve' : 'Deny',
    reasonRequired: !approve,
    destructive: !approve,
    decision: reason =>
      approve
        ? {
            action: 'approve',
            requestId: request.id,
            reason: reason || undefined,
          }
        : { action: 'deny', requestId: request.id, reason },
    done: `${approve ? 'Approved' : 'Denied'} the request from ${shortRef(
      request.requester,
    )}.`,
  };
}

/** Pending requests the caller can decide, with approve and deny. */
export function ApprovalsTable(props: { roleRef?: string; title?: string }) {
  const { roleRef } = props;
  const approvals = useApprovals();
  const { ask, dialog, status } = useDecisionDialog();

  if (approvals.isError) {
    return (
      <ErrorState
        error={approvals.error}
        title="Could not load the requests waiting for you"
      />
    );
  }
  const rows = (approvals.data?.items ?? []).filter(
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
        const who = `${shortRef(r.requester)} for ${roleNameOf(r.roleArn)}`;
        return (
          <Stack direction="row" spacing={1}>
            <Button
              size="small"
              variant="contained"
              color="success"
              aria-label={`Approve request from ${who}`}
              onClick={() => ask(decisionPrompt(r, 'approve'))}
            >
              Approve
            </Button>
            <Button
              size="small"
              variant="outlined"
              color="error"
              aria-label={`Deny request from ${who}`}
              onClick={() => ask(decisionPrompt(r, 'deny'))}
            >
              Deny
            </Button>
          </Stack>
        );
      },
    },
  ];

  const title = props.title ?? 'Waiting for your decision';
  return (
    <>
      {status}
      <ListTable<AccessRequest>
        title={title}
        list={approvals}
        rows={rows}
        columns={columns}
        noun="requests waiting for a decision"
        emptyText="No requests are waiting for your decision."
      />
      {dialog}
    </>
  );
}
