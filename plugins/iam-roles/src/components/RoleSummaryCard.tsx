import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  isIamRoleEntity,
  type IamRoleEntity,
} from '@backstage-iam/plugin-iam-roles-common';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';
import { describeLastUsed } from '../lib/format';
import { EmptyLine, SeverityChip } from './common';
import { RequestAccessDialog } from './RequestAccessDialog';
import { BreakGlassButton } from './BreakGlassDialog';

function Summary(props: { role: IamRoleEntity; roleRef: string }) {
  const iam = props.role.spec.iam;
  const [open, setOpen] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const lastUsed = describeLastUsed(iam.lastUsed);
  const bySeverity = new Map<string, number>();
  for (const finding of iam.findings) {
    bySeverity.set(
      finding.severity,
      (bySeverity.get(finding.severity) ?? 0) + 1,
    );
  }
  return (
    <Stack spacing={1.5}>
      <Stack direction="row" spacing={1} alignItems="center">
        <Typography variant="body2">Risk</Typography>
        <SeverityChip severity={iam.risk} />
        {[...bySeverity.entries()].map(([severity, count]) => (
          <Typography key={severity} variant="body2" color="text.secondary">
            {count} {severity}
          </Typography>
        ))}
      </Stack>
      <Typography variant="body2" sx={{ wordBreak: 'break-all' }}>
        {iam.arn}
      </Typography>
      <Typography
        variant="body2"
        sx={
          lastUsed.stale
            ? { color: 'warning.main', fontWeight: 600 }
            : undefined
        }
      >
        Last used: {lastUsed.text}
      </Typography>
      {submitted && (
        <Alert severity="success" role="status">
          Request submitted; the role's owners decide it from their approvals
          inbox.
        </Alert>
      )}
      <div>
        <Button variant="outlined" size="small" onClick={() => setOpen(true)}>
          Request access
        </Button>
      </div>
      <BreakGlassButton roleRef={props.roleRef} roleTitle={iam.roleName} />
      <RequestAccessDialog
        open={open}
        roleRef={props.roleRef}
        roleTitle={iam.roleName}
        roleArn={iam.arn}
        onClose={() => setOpen(false)}
        onSubmitted={() => {
          setOpen(false);
          setSubmitted(true);
        }}
      />
    </Stack>
  );
}

/** Overview card of a role: risk, findings by severity, last use and a request-access button. */
export function RoleSummaryCard() {
  const { entity } = useEntity();
  return (
    <InfoCard title="IAM role">
      {isIamRoleEntity(entity) ? (
        <IamRolesQueryProvider>
          <Summary role={entity} roleRef={stringifyEntityRef(entity)} />
        </IamRolesQueryProvider>
      ) : (
        <EmptyLine>This entity is not an IAM role.</EmptyLine>
      )}
    </InfoCard>
  );
}
