import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { InfoCard } from '@backstage/core-components';
import { useSearchParams } from 'react-router-dom';
import type { AccessRequest } from '@backstage-iam/plugin-iam-roles-common';
import { useDecisionDialog } from '../hooks/useDecisionDialog';
import { useAccessRequest } from '../hooks/workflowQueries';
import { formatDate, formatDuration } from '../lib/format';
import {
  ErrorState,
  Loading,
  RoleLink,
  roleNameOf,
  shortRef,
  StatusChip,
} from './common';

function what(request: AccessRequest): string {
  const who = shortRef(request.requester);
  const role = roleNameOf(request.roleArn);
  if (request.kind === 'extension') {
    return `${who} asks to extend access to ${role} by ${formatDuration(
      request.durationMinutes,
    )}`;
  }
  if (request.kind === 'break-glass') {
    return `${who} took break-glass access to ${role}`;
  }
  return `${who} requests access to ${role} for ${formatDuration(
    request.durationMinutes,
  )}`;
}

function Decision(props: { request: AccessRequest; onClose: () => void }) {
  const { request } = props;
  const { ask, dialog, status } = useDecisionDialog();
  const role = roleNameOf(request.roleArn);
  const who = shortRef(request.requester);
  const approvals = `${request.approvals.length} of ${request.requiredApprovals} approvals`;
  return (
    <InfoCard title={what(request)}>
      <Stack spacing={1.5}>
        {status}
        <Stack direction="row" spacing={1} alignItems="center">
          <StatusChip status={request.status} />
          <Typography variant="body2">
            Asked {formatDate(request.createdAt)}
            {request.status === 'pending'
              ? `; ${approvals}; open until ${formatDate(request.expiresAt)}`
              : ''}
          </Typography>
        </Stack>
        <Typography variant="body2">
          Role: <RoleLink entityRef={request.roleRef} title={role} />
        </Typography>
        <Typography variant="body2">
          Why: {request.justification}
          {request.ticket ? ` (${request.ticket})` : ''}
        </Typography>
        {request.status !== 'pending' && request.decidedBy && (
          <Typography variant="body2">
            Decided by {shortRef(request.decidedBy)}{' '}
            {formatDate(request.decidedAt)}
            {request.decisionReason ? `: ${request.decisionReason}` : ''}
          </Typography>
        )}
        {request.status === 'pending' && !request.canDecide && (
          <Alert severity="info">
            You cannot decide this request: the role's approvers do (never the
            person who asked).
          </Alert>
        )}
        <Stack direction="row" spacing={1}>
          {request.canDecide && (
            <>
              <Button
                variant="contained"
                aria-label={`Approve ${who}'s request for ${role}`}
                onClick={() =>
                  ask({
                    title: `Approve ${who}'s request for ${role}`,
                    description: what(request),
                    confirmLabel: 'Approve',
                    reasonRequired: false,
                    decision: reason => ({
                      action: 'approve',
                      requestId: request.id,
                      reason: reason || undefined,
                    }),
                    done: `Approved ${who}'s request for ${role}.`,
                  })
                }
              >
                Approve
              </Button>
              <Button
                variant="outlined"
                color="error"
                aria-label={`Deny ${who}'s request for ${role}`}
                onClick={() =>
                  ask({
                    title: `Deny ${who}'s request for ${role}`,
                    description: 'Tell the requester why.',
                    confirmLabel: 'Deny',
                    reasonRequired: true,
                    destructive: true,
                    decision: reason => ({
                      action: 'deny',
                      requestId: request.id,
                      reason,
                    }),
                    done: `Denied ${who}'s request for ${role}.`,
                  })
                }
              >
                Deny
              </Button>
            </>
          )}
          <Button onClick={props.onClose}>Close</Button>
        </Stack>
      </Stack>
      {dialog}
    </InfoCard>
  );
}

/**
 * The request a notification links to (`/iam-roles?request=ID`), with its decision buttons for
 * those who may decide; nothing when the page was opened without one.
 */
export function RequestDecision() {
  const [params, setParams] = useSearchParams();
  const id = params.get('request') ?? undefined;
  const request = useAccessRequest(id);
  if (!id) {
    return null;
  }
  const close = () => {
    const next = new URLSearchParams(params);
    next.delete('request');
    setParams(next);
  };
  if (request.isPending) {
    return <Loading />;
  }
  if (request.isError) {
    return (
      <Alert severity="error" onClose={close}>
        <AlertTitle>Could not open the request from the link</AlertTitle>
        <ErrorState error={request.error} />
      </Alert>
    );
  }
  return <Decision request={request.data} onClose={close} />;
}
