import { FormEvent, useId, useState } from 'react';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import { ErrorState } from './common';

/** Confirms a decision (approve, deny, revoke) and asks for its reason. */
export function ReasonDialog(props: {
  open: boolean;
  title: string;
  description: string;
  confirmLabel: string;
  reasonRequired: boolean;
  pending: boolean;
  error?: unknown;
  destructive?: boolean;
  onCancel: () => void;
  onConfirm: (reason: string) => void;
}) {
  const titleId = useId();
  const [reason, setReason] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const missing = props.reasonRequired && reason.trim().length < 3;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!missing && !props.pending) {
      props.onConfirm(reason.trim());
    }
  };

  return (
    <Dialog
      open={props.open}
      onClose={props.onCancel}
      aria-labelledby={titleId}
      fullWidth
      maxWidth="sm"
    >
      <form onSubmit={onSubmit} noValidate>
        <DialogTitle id={titleId}>{props.title}</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>
            {props.description}
          </DialogContentText>
          <TextField
            label={props.reasonRequired ? 'Reason' : 'Reason (optional)'}
            required={props.reasonRequired}
            fullWidth
            multiline
            minRows={2}
            value={reason}
            onChange={e => setReason(e.target.value)}
            error={submitted && missing}
            helperText={
              submitted && missing
                ? 'Give a reason; the requester and the audit trail will see it.'
                : 'Shown to the requester and kept in the audit trail.'
            }
          />
          {props.error !== undefined && props.error !== null && (
            <ErrorState error={props.error} title="That did not work" />
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onCancel}>Cancel</Button>
          <Button
            type="submit"
            variant="contained"
            color={props.destructive ? 'error' : 'primary'}
            disabled={props.pending}
          >
            {props.confirmLabel}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
