import { FormEvent, useId, useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type {
  AccessRequest,
  BrokerInfo,
} from '@backstage-iam/plugin-iam-roles-common';
import { useBrokerInfo, useCreateRequest } from '../hooks/queries';
import { formatDuration } from '../lib/format';
import { ErrorState, Loading } from './common';

/** Limits of a justification, shared with the broker's validation. */
export const JUSTIFICATION_MIN = 10;
export const JUSTIFICATION_MAX = 1000;

export interface RequestAccessDialogProps {
  open: boolean;
  roleRef: string;
  roleTitle: string;
  roleArn?: string;
  /** False when the role's trust policy does not admit the broker (from the trust view). */
  roleTrustsBroker?: boolean;
  onClose: () => void;
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
  if (info.isPending) {
    return (
      <DialogContent>
        <Loading />
      </DialogContent>
    );
  }
  if (info.isError) {
    return (
      <>
        <DialogContent>
          <ErrorState
            error={info.error}
            title="Could not read the broker's limits"
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>Close</Button>
        </DialogActions>
      </>
    );
  }
  return <RequestAccessFields {...props} info={info.data} />;
}

function RequestAccessFields(
  props: RequestAccessDialogProps & { info: BrokerInfo },
) {
  const { info, roleRef, roleArn, onClose, onSubmitted } = props;
  const [justification, setJustification] = useState('');
  const [duration, setDuration] = useState(String(info.defaultDurationMinutes));
  const [ticket, setTicket] = useState('');
  const [submitted, setSubmitted] = useState(false);
  // One key per dialog: a double submit or a retry after a lost answer creates one request.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const create = useCreateRequest();

  const trimmed = justification.trim();
  let justificationError: string | undefined;
  if (trimmed.length < JUSTIFICATION_MIN) {
    justificationError = `Say why you need access (at least ${JUSTIFICATION_MIN} characters).`;
  } else if (trimmed.length > JUSTIFICATION_MAX) {
    justificationError = `Keep it to ${JUSTIFICATION_MAX} characters at most.`;
  }
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
  const outlook = credentialsOutlook(info, props.roleTrustsBroker);

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
        justification: trimmed,
        durationMinutes: minutes,
        ticket: ticket.trim() || undefined,
        idempotencyKey,
      },
      { onSuccess: request => onSubmitted(request) },
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
          <Alert severity={outlook.severity}>{outlook.text}</Alert>
          <TextField
            label="Justification"
            required
            multiline
            minRows={3}
            value={justification}
            onChange={e => setJustification(e.target.value)}
            error={submitted && Boolean(justificationError)}
            helperText={
              submitted && justificationError
                ? justificationError
                : `${trimmed.length}/${JUSTIFICATION_MAX} — what you will do and why`
            }
            inputProps={{ maxLength: JUSTIFICATION_MAX + 100 }}
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
