import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import type { TableColumn } from '@backstage/core-components';
import type { Grant } from '@backstage-iam/plugin-iam-roles-common';
import { useBrokerInfo, useGrants } from '../hooks/queries';
import { DecisionPrompt, useDecisionDialog } from '../hooks/useDecisionDialog';
import { formatDate, formatRelative } from '../lib/format';
import { ErrorState, roleColumn, shortRef } from './common';
import { ListTable } from './ListTable';
import { GrantActions } from './GrantActions';
import {
  credentialsBlocker,
  GetCredentialsButton,
} from './GetCredentialsButton';

/** What the dialog asks before revoking a grant. */
function revokePrompt(grant: Grant): DecisionPrompt {
  return {
    title: `Revoke access of ${shortRef(grant.user)}`,
    description:
      'The grant ends now; credentials already issued stay valid until they expire, so rotate or deny the session in AWS if it is compromised.',
    confirmLabel: 'Revoke',
    reasonRequired: true,
    destructive: true,
    decision: reason => ({ action: 'revoke', grantId: grant.id, reason }),
    done: `Revoked the access of ${shortRef(grant.user)}.`,
  };
}

/** Active grants (of one role, or all the caller can see), with revoke for owners. */
export function GrantsTable(props: {
  roleRef?: string;
  mine?: boolean;
  canRevoke: boolean;
  title?: string;
}) {
  const { roleRef, mine, canRevoke } = props;
  const grants = useGrants({ roleRef, mine, status: 'active' });
  const info = useBrokerInfo();
  const { ask, dialog, status } = useDecisionDialog();

  if (grants.isError) {
    return (
      <ErrorState
        error={grants.error}
        title="Could not load the active grants"
      />
    );
  }
  const columns: TableColumn<Grant>[] = [
    ...(roleRef ? [] : [roleColumn<Grant>()]),
    ...(mine
      ? []
      : [
          {
            title: 'User',
            field: 'user',
            render: (g: Grant) => shortRef(g.user),
          },
        ]),
    {
      title: 'Granted',
      field: 'grantedAt',
      render: g => formatDate(g.grantedAt),
    },
    {
      title: 'Expires',
      field: 'expiresAt',
      defaultSort: 'asc',
      render: g =>
        `${formatDate(g.expiresAt)} (${formatRelative(g.expiresAt)})`,
    },
    {
      title: 'Actions',
      sorting: false,
      // The buttons keep their words whole: the column takes the room they need.
      cellStyle: { whiteSpace: 'nowrap', width: '1%' },
      headerStyle: { whiteSpace: 'nowrap' },
      render: g => (
        <Stack direction="row" spacing={1} alignItems="flex-start">
          {mine && (
            <GetCredentialsButton
              grant={g}
              disabledReason={credentialsBlocker(info.data, g)}
            />
          )}
          {mine && <GrantActions grant={g} />}
          {canRevoke && (
            <Button
              size="small"
              color="error"
              variant="outlined"
              aria-label={`Revoke access of ${shortRef(g.user)}`}
              onClick={() => ask(revokePrompt(g))}
            >
              Revoke
            </Button>
          )}
        </Stack>
      ),
    },
  ];
  const rows = grants.data?.items ?? [];
  const title = props.title ?? 'Active grants';
  return (
    <>
      {status}
      <ListTable<Grant>
        title={title}
        list={grants}
        rows={rows}
        columns={columns}
        noun="active grants"
        emptyText="No one has active access right now."
        search={rows.length > 5}
      />
      {dialog}
    </>
  );
}
