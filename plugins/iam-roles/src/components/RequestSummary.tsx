import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type {
  AccessRequest,
  RequestOptions,
} from '@backstage-iam/plugin-iam-roles-common';
import { useBrokerInfo } from '../hooks/queries';
import { useIamRolesPageHref } from '../hooks/useIamRolesPageHref';
import { useAccessRequest, useRequestOptions } from '../hooks/workflowQueries';
import { formatDate, formatDuration } from '../lib/format';
import { plural } from '../lib/answer';
import {
  ErrorState,
  Loading,
  RoleLink,
  roleNameOf,
  StatusChip,
} from './common';
import { CancelRequestButton } from './MyRequestsTable';
import {
  credentialsBlocker,
  GetCredentialsButton,
} from './GetCredentialsButton';

/** How many approver members are named before "and N more". */
const MEMBERS_SHOWN = 8;

/** The approver groups as catalog links, with their members: "Payments team (priya.patel, sam.lee)". */
export function ApproverNames(props: {
  approvers: RequestOptions['approvers'];
}) {
  const { groups, members } = props.approvers;
  return (
    <>
      {groups.map((g, i) => (
        <span key={g}>
          {i > 0 && (i === groups.length - 1 ? ' or ' : ', ')}
          <EntityRefLink entityRef={g} defaultKind="group" />
        </span>
      ))}
      {members.length > 0 && (
        <>
          {' '}
          ({plural(members.length, 'member')}:{' '}
          {members.slice(0, MEMBERS_SHOWN).map((m, i) => (
            <span key={m}>
              {i > 0 && ', '}
              <EntityRefLink entityRef={m} defaultKind="user" />
            </span>
          ))}
          {members.length > MEMBERS_SHOWN
            ? `, and ${members.length - MEMBERS_SHOWN} more`
            : ''}
          )
        </>
      )}
    </>
  );
}

/** A decider as a catalog link (their display name), or the broker when no person decided. */
function Decider(props: { request: AccessRequest }) {
  const { decidedBy, approvals } = props.request;
  const refs = decidedBy ? [decidedBy] : approvals.map(a => a.approver);
  if (refs.length === 0) {
    return <>the access broker</>;
  }
  return (
    <>
      {refs.map((ref, i) => (
        <span key={ref}>
          {i > 0 && ', '}
          <EntityRefLink entityRef={ref} defaultKind="user" />
        </span>
      ))}
    </>
  );
}

/** Where the request stands, in one sentence: who decides, or who decided and why. */
function StateLine(props: {
  request: AccessRequest;
  approvers?: RequestOptions['approvers'];
}) {
  const { request, approvers } = props;
  const reason = request.decisionReason ? `: ${request.decisionReason}` : '.';
  switch (request.status) {
    case 'pending':
      return (
        <>
          Request sent
          {approvers && approvers.groups.length > 0 ? (
            <>
              {' '}
              to <ApproverNames approvers={approvers} />
            </>
          ) : (
            ' to an administrator, as no approver group is known for this role'
          )}{' '}
          — you'll be notified when they decide. {request.approvals.length} of{' '}
          {plural(request.requiredApprovals, 'approval')} so far; open until{' '}
          {formatDate(request.expiresAt)}.
        </>
      );
    case 'approved':
      return (
        <>
          Approved by <Decider request={request} />{' '}
          {formatDate(request.decidedAt)}
          {reason}
        </>
      );
    case 'denied':
      return (
        <>
          Denied by <Decider request={request} />{' '}
          {formatDate(request.decidedAt)}
          {reason}
        </>
      );
    case 'expired':
      return (
        <>
          Expired {formatDate(request.expiresAt)} without a decision: ask again
          if you still need access.
        </>
      );
    case 'cancelled':
    default:
      return <>You cancelled it {formatDate(request.updatedAt)}.</>;
  }
}

/** What the requester can do now: cancel while pending, get credentials once approved. */
function NextStep(props: { request: AccessRequest; options?: RequestOptions }) {
  const { request, options } = props;
  const info = useBrokerInfo();
  if (request.status === 'pending') {
    return <CancelRequestButton request={request} />;
  }
  const grant = request.grant;
  if (request.status !== 'approved' || !grant) {
    return null;
  }
  if (grant.status !== 'active') {
    return (
      <Typography variant="body2">
        <StatusChip status={`grant ${grant.status}`} />
      </Typography>
    );
  }
  const notIssuable =
    options && !options.credentials.issuable
      ? options.credentials.reason ??
        'No credentials can be issued for this role.'
      : undefined;
  return (
    <Stack direction="row" spacing={1} alignItems="center">
      <Typography variant="body2">
        Active until {formatDate(grant.expiresAt)}
      </Typography>
      <GetCredentialsButton
        grant={grant}
        disabledReason={credentialsBlocker(info.data, grant) ?? notIssuable}
      />
      {notIssuable && (
        <Typography variant="body2" color="text.secondary">
          {notIssuable}
        </Typography>
      )}
    </Stack>
  );
}

/**
 * The caller's request as they follow it after sending it: the role, why and how long, who
 * decides, its state (asked again while pending) with the decider and reason, and what they can
 * do now.
 */
export function RequestSummary(props: { requestId: string; roleRef: string }) {
  const request = useAccessRequest(props.requestId);
  const options = useRequestOptions(props.roleRef);
  // In an app without the IAM roles page, the summary is complete without the link.
  const myAccess = useIamRolesPageHref({ tab: 'access' });
  if (request.isPending) {
    return <Loading />;
  }
  if (request.isError) {
    return (
      <ErrorState error={request.error} title="Could not read your request" />
    );
  }
  const r = request.data;
  const role = roleNameOf(r.roleArn);
  return (
    <Box
      component="section"
      aria-label={`Your request for ${role}`}
      sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 2 }}
    >
      <Stack spacing={1.5}>
        <Stack direction="row" spacing={1} alignItems="center">
          <Typography variant="subtitle1" component="h3">
            Your request
          </Typography>
          <StatusChip status={r.status} />
        </Stack>
        <Typography variant="body2" role="status">
          <StateLine request={r} approvers={options.data?.approvers} />
        </Typography>
        <Box
          component="dl"
          sx={{
            m: 0,
            display: 'grid',
            gridTemplateColumns: 'max-content 1fr',
            columnGap: 2,
            rowGap: 0.5,
            '& dt': { fontWeight: 600 },
            '& dd': { m: 0 },
          }}
        >
          <dt>Role</dt>
          <dd>
            <RoleLink entityRef={r.roleRef} title={role} />
          </dd>
          <dt>Why</dt>
          <dd>
            {r.justification}
            {r.ticket ? ` (${r.ticket})` : ''}
          </dd>
          <dt>For</dt>
          <dd>{formatDuration(r.durationMinutes)}</dd>
          <dt>Asked</dt>
          <dd>{formatDate(r.createdAt)}</dd>
        </Box>
        <NextStep request={r} options={options.data} />
        {myAccess && (
          <Typography variant="body2">
            All your requests and grants are in{' '}
            <Link to={myAccess}>My access</Link>.
          </Typography>
        )}
      </Stack>
    </Box>
  );
}
