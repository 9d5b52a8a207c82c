import { FormEvent, useId, useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { DateTime } from 'luxon';
import type { Grant } from '@backstage-iam/plugin-iam-roles-common';
import { useBrokerInfo } from '../hooks/queries';
import { useWorkflowAction } from '../hooks/workflowQueries';
import { formatDate, formatDuration } from '../lib/format';
import { ErrorState, roleNameOf } from './common';
import { JustificationField, justificationProblem } from './JustificationField';
import { ReasonDialog } from './ReasonDialog';

const STEPS = [15, 30, 60, 120, 240, 480];

/** Minutes a grant may still be extended by: it lasts at most `maxMinutes` from its start. */
export function extensionLeft(grant: Grant, maxMinutes: number): number {
  const cap = DateTime.fromISO(grant.grantedAt).plus({ minutes: maxMinutes });
  return Math.max(
    0,
    Math.floor(cap.diff(DateTime.fromISO(grant.expiresAt), 'minutes').minutes),
  );
}

function ExtendDialog(props: {
  grant: Grant;
  left: number;
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const titleId = useId();
  const act = useWorkflowAction();
  const choices = STEPS.filter(m => m <= props.left);
  const [minutes, setMinutes] = useState(
    choices[Math.min(1, choices.length - 1)],
  );
  const [justification, setJustification] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const unjustified = justificationProblem(justification) !== undefined;
  const role = roleNameOf(props.grant.roleArn);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (unjustified || act.isPending) {
      return;
    }
    act.mutate(
      {
        action: 'extend',
        grantId: props.grant.id,
        durationMinutes: minutes,
        justification: justification.trim(),
      },
      {
        onSuccess: () =>
          props.onDone(
            `Asked to extend your access to ${role} by ${formatDuration(
              minutes,
            )}; the role's approvers decide it.`,
          ),
      },
    );
  };

  return (
    <Dialog
      open
      onClose={props.onClose}
      aria-labelledby={titleId}
      fullWidth
      maxWidth="sm"
    >
      <form onSubmit={onSubmit} noValidate>
        <DialogTitle id={titleId}>Extend your access to {role}</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>
            Your access ends {formatDate(props.grant.expiresAt)}. The role's
            approvers decide an extension as they decide a request; once
            approved, the end moves by the time you ask for.
          </DialogContentText>
          <Stack spacing={2}>
            <TextField
              select
              label="More time"
              value={minutes}
              onChange={e => setMinutes(Number(e.target.value))}
              helperText={`At most ${formatDuration(
                props.left,
              )} more: a grant lasts at most the broker's maximum from its start.`}
            >
              {choices.map(m => (
                <MenuItem key={m} value={m}>
                  {formatDuration(m)}
                </MenuItem>
              ))}
            </TextField>
            <JustificationField
              label="Why you need more time"
              hint="The approvers read this."
              value={justification}
              onChange={setJustification}
              submitted={submitted}
            />
          </Stack>
          {act.error ? (
            <ErrorState error={act.error} title="The broker refused" />
          ) : null}
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={act.isPending}>
            Ask to extend
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/**
 * What the holder of an active grant can do with it: ask for more time (decided like a request)
 * or give it back early.
 */
export function GrantActions(props: { grant: Grant }) {
  const { grant } = props;
  const info = useBrokerInfo();
  const release = useWorkflowAction();
  const [open, setOpen] = useState<'extend' | 'release'>();
  const [done, setDone] = useState<string>();
  const role = roleNameOf(grant.roleArn);
  const left = info.data
    ? extensionLeft(grant, info.data.maxDurationMinutes)
    : 0;
  const canExtend = left >= (info.data?.minDurationMinutes ?? 15);

  return (
    <Stack spacing={0.5}>
      <Stack direction="row" spacing={1}>
        <Button
          size="small"
          variant="outlined"
          sx={{ whiteSpace: 'nowrap', flexShrink: 0 }}
          aria-label={`Extend access to ${role}`}
          disabled={!canExtend}
          title={
            canExtend
              ? undefined
              : 'This grant already lasts the longest time the broker allows.'
          }
          onClick={() => setOpen('extend')}
        >
          Extend
        </Button>
        <Button
          size="small"
          variant="outlined"
          color="warning"
          sx={{ whiteSpace: 'nowrap', flexShrink: 0 }}
          aria-label={`Release access to ${role}`}
          onClick={() => {
            release.reset();
            setOpen('release');
          }}
        >
          Release
        </Button>
      </Stack>
      {!canExtend && info.data && (
        <Typography variant="caption" color="text.secondary">
          Already at the longest time allowed.
        </Typography>
      )}
      {done && (
        <Alert severity="success" role="status">
          {done}
        </Alert>
      )}
      {open === 'extend' && (
        <ExtendDialog
          grant={grant}
          left={left}
          onClose={() => setOpen(undefined)}
          onDone={text => {
            setOpen(undefined);
            setDone(text);
          }}
        />
      )}
      {open === 'release' && (
        <ReasonDialog
          open
          title={`Release your access to ${role}`}
          description="Your access ends now. Credentials already issued stay valid until they expire."
          confirmLabel="Release"
          reasonRequired={false}
          destructive
          pending={release.isPending}
          error={release.error ?? undefined}
          onCancel={() => setOpen(undefined)}
          onConfirm={reason =>
            release.mutate(
              { action: 'release', grantId: grant.id, reason },
              {
                onSuccess: () => {
                  setOpen(undefined);
                  setDone(`Released your access to ${role}.`);
                },
              },
            )
          }
        />
      )}
    </Stack>
  );
}
