import { FormEvent, useId, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import {
  isIamRoleEntity,
  policyNameOfArn,
  type AccessRequest,
  type BrokerInfo,
  type RequestOptions,
} from '@backstage-iam/plugin-iam-roles-common';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { ResponseError } from '@backstage/errors';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useBrokerInfo, useCreateRequest } from '../hooks/queries';
import { useRequestOptions, workflowKeys } from '../hooks/workflowQueries';
import { describeLastUsed, formatDate, formatDuration } from '../lib/format';
import { ErrorState, Loading } from './common';
import { JustificationField, justificationProblem } from './JustificationField';
import { ApproverNames, RequestSummary } from './RequestSummary';

export interface RequestAccessDialogProps {
  open: boolean;
  roleRef: string;
  roleTitle: string;
  roleArn?: string;
  /** False when the role's trust policy does not admit the broker (from the trust view). */
  roleTrustsBroker?: boolean;
  onClose: () => void;
  /** The request was created; the dialog stays open and follows it until closed. */
  onSubmitted: (request: AccessRequest) => void;
}

function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) {
    return crypto.randomUUID();
  }
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** What approval will give the requester, in one sentence. */
export function credentialsOutlook(
  info: BrokerInfo,
  roleTrustsBroker: boolean | undefined,
): { severity: 'info' | 'warning'; text: string } {
  if (!info.credentialsEnabled) {
    return {
      severity: 'warning',
      text: `Approval records your access, but this installation does not issue credentials${
        info.credentialsDisabledReason
          ? `: ${info.credentialsDisabledReason}`
          : '.'
      }`,
    };
  }
  if (roleTrustsBroker === false) {
    return {
      severity: 'warning',
      text: 'Approval records your access, but this role does not trust the access broker yet, so no credentials can be issued until its owner adds the broker to the trust policy.',
    };
  }
  return {
    severity: 'info',
    text: 'Once approved, you can get short-lived credentials for this role here, shown once, for the duration you ask for.',
  };
}

/** Asks for time-boxed access to a role. */
export function RequestAccessDialog(props: RequestAccessDialogProps) {
  const { open, onClose, roleTitle } = props;
  const titleId = useId();
  return (
    <Dialog
      open={open}
      onClose={onClose}
      aria-labelledby={titleId}
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id={titleId}>Request access to {roleTitle}</DialogTitle>
      {open && <RequestAccessForm {...props} />}
    </Dialog>
  );
}

function RequestAccessForm(props: RequestAccessDialogProps) {
  const info = useBrokerInfo();
  const options = useRequestOptions(props.roleRef);
  // The request sent from this dialog: followed here, even once decided or auto-approved.
  const [sentId, setSentId] = useState<string>();
  if (info.isPending || options.isPending) {
    return (
      <DialogContent>
        <Loading />
      </DialogContent>
    );
  }
  if (info.isError || options.isError) {
    return (
      <>
        <DialogContent>
          <ErrorState
            error={info.error ?? options.error}
            title={
              info.isError
                ? "Could not read the broker's limits"
                : 'Could not read what you can request on this role'
            }
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>Close</Button>
        </DialogActions>
      </>
    );
  }
  // The caller's open request (sent now, or earlier) in full, instead of a form for a duplicate.
  const shownId = sentId ?? options.data.openRequest?.id;
  if (shownId) {
    return (
      <>
        <DialogContent>
          <RequestSummary requestId={shownId} roleRef={props.roleRef} />
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>Close</Button>
        </DialogActions>
      </>
    );
  }
  const blocked = blockedBecause(options.data);
  if (blocked) {
    return (
      <>
        <DialogContent>
          <Stack spacing={2}>
            <RoleFacts roleRef={props.roleRef} />
            <Alert severity={blocked.severity}>{blocked.text}</Alert>
            {blocked.reasons.length > 0 && (
              <Box component="ul" sx={{ m: 0, pl: 3 }}>
                {blocked.reasons.map(r => (
                  <li key={r}>{r}</li>
                ))}
              </Box>
            )}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>Close</Button>
        </DialogActions>
      </>
    );
  }
  return (
    <RequestAccessFields
      {...props}
      info={info.data}
      options={options.data}
      onSubmitted={request => {
        setSentId(request.id);
        props.onSubmitted(request);
      }}
    />
  );
}

/** Why no request can be made now: the role cannot be requested, or one is open or granted already. */
export function blockedBecause(
  options: RequestOptions,
):
  | { severity: 'info' | 'warning'; text: string; reasons: string[] }
  | undefined {
  if (options.activeGrant) {
    return {
      severity: 'info',
      text: `You have access to this role until ${formatDate(
        options.activeGrant.expiresAt,
      )}: no new request is needed.`,
      reasons: [],
    };
  }
  if (options.openRequest) {
    return {
      severity: 'info',
      text: `Your request of ${formatDate(options.openRequest.createdAt)} is ${
        options.openRequest.status
      }: its approvers decide it, and it shows here when they do.`,
      reasons: [],
    };
  }
  if (!options.requestable) {
    return {
      severity: 'warning',
      text: 'This role cannot be requested here:',
      reasons: options.reasons,
    };
  }
  return undefined;
}

/** What the role can do and when it was last used, from its catalog entity. */
function RoleFacts(props: { roleRef: string }) {
  const catalogApi = useApi(catalogApiRef);
  const role = useQuery({
    queryKey: ['iam-roles', 'role-facts', props.roleRef],
    queryFn: async () =>
      (await catalogApi.getEntityByRef(props.roleRef)) ?? null,
  });
  const entity = role.data;
  if (!entity || !isIamRoleEntity(entity)) {
    return null;
  }
  const iam = entity.spec.iam;
  const policies = iam.attachedManagedPolicies.map(p => p.name);
  return (
    <Box
      component="dl"
      sx={{ m: 0, '& dt': { fontWeight: 600 }, '& dd': { m: 0, mb: 1 } }}
    >
      <dt>What it can do</dt>
      <dd>
        {policies.length > 0
          ? `Managed policies: ${policies.join(', ')}`
          : 'No managed policy'}
        {iam.inlinePolicyNames.length > 0
          ? `; inline: ${iam.inlinePolicyNames.join(', ')}`
          : ''}
        {iam.permissionsBoundary
          ? `; limited by the permissions boundary ${policyNameOfArn(
              iam.permissionsBoundary,
            )}`
          : ''}
      </dd>
      <dt>Last used</dt>
      <dd>{describeLastUsed(iam.lastUsed).text}</dd>
    </Box>
  );
}

/** Who decides: the approver groups as catalog links, and how many approvals it takes. */
function Approvers(props: { approvers: RequestOptions['approvers'] }) {
  const { groups, quorum } = props.approvers;
  if (groups.length === 0) {
    return (
      <Typography variant="body2">
        No approver group is known for this role: an administrator decides.
      </Typography>
    );
  }
  return (
    <Typography variant="body2" component="div">
      {quorum === 1 ? 'One approval' : `${quorum} approvals`} from{' '}
      <ApproverNames approvers={props.approvers} />
    </Typography>
  );
}

function RequestAccessFields(
  props: RequestAccessDialogProps & {
    info: BrokerInfo;
    options: RequestOptions;
  },
) {
  const { roleRef, roleArn, onClose, onSubmitted, options } = props;
  // The role's own limits, where the broker's general ones are wider.
  const info = {
    ...props.info,
    maxDurationMinutes: Math.min(
      props.info.maxDurationMinutes,
      options.maxDurationMinutes,
    ),
    defaultDurationMinutes: options.defaultDurationMinutes,
  };
  const [justification, setJustification] = useState('');
  const [duration, setDuration] = useState(String(info.defaultDurationMinutes));
  const [ticket, setTicket] = useState('');
  const [submitted, setSubmitted] = useState(false);
  // One key per dialog: a double submit or a retry after a lost answer creates one request.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const create = useCreateRequest();
  const client = useQueryClient();

  const justificationError = justificationProblem(justification);
  const minutes = Number(duration);
  const durationError =
    !Number.isInteger(minutes) ||
    minutes < info.minDurationMinutes ||
    minutes > info.maxDurationMinutes
      ? `Between ${info.minDurationMinutes} and ${info.maxDurationMinutes} minutes.`
      : undefined;
  const ticketError =
    ticket.length > 200
      ? 'A ticket reference is at most 200 characters.'
      : undefined;
  const outlook = credentialsOutlook(
    info,
    options.credentials.issuable ? props.roleTrustsBroker : false,
  );

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (
      justificationError ||
      durationError ||
      ticketError ||
      create.isPending
    ) {
      return;
    }
    create.mutate(
      {
        roleRef,
        justification: justification.trim(),
        durationMinutes: minutes,
        ticket: ticket.trim() || undefined,
        idempotencyKey,
      },
      {
        onSuccess: request => {
          // Shown at once, without waiting for the first read of the request.
          client.setQueryData(workflowKeys.request(request.id), request);
          onSubmitted(request);
        },
        onError: error => {
          // 409: an open request exists (another tab, a lost answer); the options bring it, and the dialog shows it.
          if (ResponseError.is(error) && error.statusCode === 409) {
            client.invalidateQueries({
              queryKey: workflowKeys.options(roleRef),
            });
          }
        },
      },
    );
  };

  return (
    <form onSubmit={onSubmit} noValidate>
      <DialogContent>
        <Stack spacing={2}>
          {roleArn && (
            <Typography
              variant="body2"
              color="text.secondary"
              sx={{ wordBreak: 'break-all' }}
            >
              {roleArn}
            </Typography>
          )}
          <RoleFacts roleRef={roleRef} />
          <Box>
            <Typography variant="subtitle2" component="h3">
              Who approves
            </Typography>
            <Approvers approvers={options.approvers} />
          </Box>
          <Alert severity={outlook.severity}>
            {options.credentials.issuable ||
            !info.credentialsEnabled ||
            !options.credentials.reason
              ? outlook.text
              : `Approval records your access, but no credentials can be issued: ${options.credentials.reason}`}
            {!options.credentials.issuable &&
              options.credentials.trustStatement && (
                <>
                  {' '}
                  The role's owner would add this statement to its trust policy:
                  <Box
                    component="pre"
                    sx={{ fontSize: 12, mb: 0, whiteSpace: 'pre-wrap' }}
                    aria-label="Statement the owner would add"
                  >
                    {JSON.stringify(
                      options.credentials.trustStatement,
                      null,
                      2,
                    )}
                  </Box>
                </>
              )}
          </Alert>
          <JustificationField
            label="Justification"
            hint="what you will do and why"
            value={justification}
            onChange={setJustification}
            submitted={submitted}
            minRows={3}
          />
          <TextField
            label="Duration (minutes)"
            required
            type="number"
            value={duration}
            onChange={e => setDuration(e.target.value)}
            error={submitted && Boolean(durationError)}
            helperText={
              submitted && durationError
                ? durationError
                : `${
                    Number.isFinite(minutes) && minutes > 0
                      ? `${formatDuration(minutes)}. `
                      : ''
                  }Between ${info.minDurationMinutes} and ${
                    info.maxDurationMinutes
                  } minutes.`
            }
            inputProps={{
              min: info.minDurationMinutes,
              max: info.maxDurationMinutes,
              step: 15,
            }}
          />
          <TextField
            label="Ticket (optional)"
            value={ticket}
            onChange={e => setTicket(e.target.value)}
            error={Boolean(ticketError)}
            helperText={
              ticketError ?? 'Incident or change reference, e.g. INC-1234'
            }
          />
          {create.isError && (
            <ErrorState
              error={create.error}
              title="The request was not created"
            />
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="contained" disabled={create.isPending}>
          {create.isPending ? 'Submitting…' : 'Submit request'}
        </Button>
      </DialogActions>
    </form>
  );
}
