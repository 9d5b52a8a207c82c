import { useId, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { CopyTextButton } from '@backstage/core-components';
import {
  parseRoleArn,
  type BrokerInfo,
  type Grant,
  type IssuedCredentials,
} from '@backstage-iam/plugin-iam-roles-common';
import { useIssueCredentials } from '../hooks/queries';
import { formatDate } from '../lib/format';
import { ErrorState, Loading } from './common';

/** Why a grant's credentials cannot be fetched now, or `undefined` when they can. */
const READING = 'Reading what the broker can do…';

export function credentialsBlocker(
  info: BrokerInfo | undefined,
  grant: Grant,
): string | undefined {
  if (!info) {
    return READING;
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

/** Credentials as `export` lines for a POSIX shell. */
export function credentialsAsEnv(c: IssuedCredentials): string {
  const lines = [
    `export AWS_ACCESS_KEY_ID=${c.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${c.secretAccessKey}`,
    `export AWS_SESSION_TOKEN=${c.sessionToken}`,
  ];
  if (c.region) {
    lines.push(`export AWS_REGION=${c.region}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Credentials as a `~/.aws/credentials` profile named after the role. */
export function credentialsAsProfile(c: IssuedCredentials): string {
  const roleName = parseRoleArn(c.roleArn)?.name ?? 'iam-role';
  const lines = [
    `[${roleName}]`,
    `aws_access_key_id = ${c.accessKeyId}`,
    `aws_secret_access_key = ${c.secretAccessKey}`,
    `aws_session_token = ${c.sessionToken}`,
  ];
  if (c.region) {
    lines.push(`region = ${c.region}`);
  }
  return `${lines.join('\n')}\n`;
}

function Block(props: { label: string; text: string }) {
  return (
    <Box>
      <Stack direction="row" alignItems="center" justifyContent="space-between">
        <Typography variant="subtitle2" component="h3">
          {props.label}
        </Typography>
        <CopyTextButton
          text={props.text}
          aria-label={`Copy ${props.label.toLocaleLowerCase('en-US')}`}
          tooltipText="Copied"
        />
      </Stack>
      <Box
        component="pre"
        aria-label={props.label}
        sx={{
          m: 0,
          p: 1.5,
          bgcolor: 'action.hover',
          borderRadius: 1,
          fontSize: 12,
          overflowX: 'auto',
          whiteSpace: 'pre-wrap',
          wordBreak: 'break-all',
        }}
      >
        {props.text}
      </Box>
    </Box>
  );
}

/**
 * Issues credentials for an active grant and shows them once: they live only in this
 * component's mutation state and are discarded when the dialog closes.
 */
export function GetCredentialsButton(props: {
  grant: Grant;
  disabledReason?: string;
}) {
  const { grant, disabledReason } = props;
  const titleId = useId();
  const [open, setOpen] = useState(false);
  const issue = useIssueCredentials();

  const onOpen = () => {
    setOpen(true);
    issue.mutate(grant.id);
  };
  const onClose = () => {
    setOpen(false);
    issue.reset();
  };

  if (disabledReason && disabledReason !== READING) {
    // Said in the page, not in a tooltip: readable without a mouse, and a dead button is no answer.
    return (
      <Box
        component="details"
        sx={{
          maxWidth: 260,
          '& > summary': { cursor: 'pointer', whiteSpace: 'nowrap' },
          '& > summary:focus-visible': {
            outline: '2px solid',
            outlineColor: 'primary.main',
            outlineOffset: 2,
          },
        }}
      >
        <Typography variant="body2" component="summary">
          No credentials here
        </Typography>
        <Typography variant="caption" component="p" sx={{ mt: 0.5, mb: 0 }}>
          {disabledReason}
        </Typography>
      </Box>
    );
  }

  return (
    <>
      <Button
        size="small"
        variant="contained"
        onClick={onOpen}
        disabled={Boolean(disabledReason)}
        sx={{ whiteSpace: 'nowrap', flexShrink: 0 }}
      >
        Get credentials
      </Button>
      <Dialog
        open={open}
        onClose={onClose}
        aria-labelledby={titleId}
        fullWidth
        maxWidth="md"
      >
        <DialogTitle id={titleId}>Credentials for {grant.roleArn}</DialogTitle>
        <DialogContent>
          {issue.isPending && <Loading />}
          {issue.isError && (
            <ErrorState
              error={issue.error}
              title="No credentials were issued"
            />
          )}
          {issue.data && (
            <Stack spacing={2}>
              <Alert severity="warning">
                These credentials are shown once. Copy them now: closing this
                dialog discards them. They expire{' '}
                {formatDate(issue.data.expiration)}.
              </Alert>
              <Block
                label="Environment variables"
                text={credentialsAsEnv(issue.data)}
              />
              <Block
                label="Profile for ~/.aws/credentials"
                text={credentialsAsProfile(issue.data)}
              />
            </Stack>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>
            {issue.data ? 'Done, discard them' : 'Close'}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
