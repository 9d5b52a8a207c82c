import { FormEvent, useId, useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useRequestOptions, useWorkflowAction } from '../hooks/workflowQueries';
import { formatDate, formatDuration } from '../lib/format';
import { ErrorState } from './common';
import { JustificationField, justificationProblem } from './JustificationField';

/** Takes a role at once in an emergency: justification and incident reference required, owners told and review it afterwards. */
export function BreakGlassDialog(props: {
  roleRef: string;
  roleTitle: string;
  maxDurationMinutes: number;
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const titleId = useId();
  const act = useWorkflowAction();
  const [justification, setJustification] = useState('');
  const [incident, setIncident] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const unjustified = justificationProblem(justification) !== undefined;
  const noIncident = incident.trim().length < 3;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (unjustified || noIncident || act.isPending) {
      return;
    }
    act.mutate(
      {
        action: 'break-glass',
        roleRef: props.roleRef,
        justification: justification.trim(),
        incident: incident.trim(),
      },
      {
        onSuccess: result => {
          const grant = (result as { grant?: { expiresAt: string } }).grant;
          props.onDone(
            `You have access to ${props.roleTitle} until ${formatDate(
              grant?.expiresAt,
            )}. Its owners were told and will review it.`,
          );
        },
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
        <DialogTitle id={titleId}>Break glass: {props.roleTitle}</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>
            For emergencies only. You get access at once, for{' '}
            {formatDuration(props.maxDurationMinutes)}, without an approval. The
            role's owners are notified now and review what you did afterwards;
            the audit trail marks it as break-glass.
          </DialogContentText>
          <Stack spacing={2}>
            <TextField
              label="Incident reference"
              required
              value={incident}
              onChange={e => setIncident(e.target.value)}
              error={submitted && noIncident}
              helperText={
                submitted && noIncident
                  ? 'Give the incident reference, e.g. INC-1234.'
                  : 'e.g. INC-1234'
              }
            />
            <JustificationField
              label="What is broken and what you will do"
              hint="The owners read this in their review."
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
          <Button
            type="submit"
            variant="contained"
            color="error"
            disabled={act.isPending}
          >
            Break glass
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** A "Break glass" button on roles that allow it for the caller (nothing otherwise), with its dialog. */
export function BreakGlassButton(props: {
  roleRef: string;
  roleTitle: string;
}) {
  const options = useRequestOptions(props.roleRef);
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<string>();
  const breakGlass = options.data?.breakGlass;
  if (!breakGlass?.allowed) {
    return null;
  }
  return (
    <Stack spacing={1}>
      <div>
        <Button
          size="small"
          variant="outlined"
          color="error"
          aria-label={`Break glass: take access to ${props.roleTitle} now`}
          disabled={Boolean(options.data?.activeGrant)}
          onClick={() => setOpen(true)}
        >
          Break glass
        </Button>
      </div>
      {done && (
        <Alert severity="warning" role="status">
          {done}
        </Alert>
      )}
      {open && (
        <BreakGlassDialog
          roleRef={props.roleRef}
          roleTitle={props.roleTitle}
          maxDurationMinutes={breakGlass.maxDurationMinutes ?? 60}
          onClose={() => setOpen(false)}
          onDone={text => {
            setOpen(false);
            setDone(text);
          }}
        />
      )}
    </Stack>
  );
}
