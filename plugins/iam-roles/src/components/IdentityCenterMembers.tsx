import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Link, Table, TableColumn } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import type {
  IdentityCenterIdentity,
  IdentityCenterMemberAccess,
  IdentityCenterRoleGrant,
} from '@backstage-iam/plugin-iam-roles-common';
import { useLookup } from '../hooks/queries';
import { ErrorState, RoleLink, shortRef, useEntityHref } from './common';

/** The query that asks the broker for the Identity Center group a catalog group matches. */
export function identityCenterGroupQuery(groupRef: string): string {
  return `identity-center-group:${groupRef}`;
}

/** "own assignment" or "through Platform Engineering": whose assignment gives the member the role. */
export function describeAssignment(
  grant: IdentityCenterRoleGrant,
  member: IdentityCenterIdentity,
): string {
  return grant.assignedTo.principalType === 'USER' &&
    grant.assignedTo.principalId === member.principalId
    ? 'own assignment'
    : `through ${grant.assignedTo.name}`;
}

function Identity(props: { identity: IdentityCenterIdentity }) {
  const href = useEntityHref();
  const { identity } = props;
  const link = identity.entityRef ? href(identity.entityRef) : undefined;
  return (
    <Stack direction="row" spacing={1} alignItems="center">
      {link ? (
        <Link to={link}>{shortRef(identity.entityRef!)}</Link>
      ) : (
        <Typography variant="body2">{identity.name}</Typography>
      )}
      {identity.status === 'unmatched' && (
        <Chip size="small" variant="outlined" label="no catalog match" />
      )}
      {identity.status === 'ambiguous' && (
        <Chip
          size="small"
          variant="outlined"
          label={`ambiguous: ${(identity.candidates ?? [])
            .map(shortRef)
            .join(', ')}`}
        />
      )}
    </Stack>
  );
}

function Grants(props: { row: IdentityCenterMemberAccess }) {
  if (props.row.grants.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        No role
      </Typography>
    );
  }
  return (
    // Links set in running text are underlined, not told apart by colour alone.
    <Box
      component="ul"
      sx={{ m: 0, pl: 2, '& a': { textDecoration: 'underline' } }}
    >
      {props.row.grants.map(g => (
        <li
          key={`${g.entityRef ?? g.permissionSetArn}:${g.accountId}:${
            g.assignedTo.principalId
          }`}
        >
          {g.entityRef ? (
            <RoleLink entityRef={g.entityRef} title={g.title ?? g.entityRef} />
          ) : (
            <>
              {g.permissionSetName}{' '}
              <Typography
                component="span"
                variant="caption"
                color="text.secondary"
              >
                (no role in the catalog)
              </Typography>
            </>
          )}{' '}
          <Typography component="span" variant="body2" color="text.secondary">
            — {g.permissionSetName} in {g.accountId},{' '}
            {describeAssignment(g, props.row.member)}
          </Typography>
        </li>
      ))}
    </Box>
  );
}

/**
 * On a group page: the members of the Identity Center group this catalog group matches, each with
 * every role it gets through Identity Center (this group's assignments, its other groups', its own).
 * Renders nothing when no Identity Center group matches the catalog group.
 */
export function IdentityCenterMembers(props: { entityRef: string }) {
  const lookup = useLookup(identityCenterGroupQuery(props.entityRef));
  if (lookup.isError) {
    // 400: the broker knows no Identity Center group for this catalog group; nothing to show.
    if (
      ResponseError.is(lookup.error) &&
      lookup.error.response.status === 400
    ) {
      return null;
    }
    return (
      <ErrorState
        error={lookup.error}
        title="Could not read what the members get through Identity Center"
      />
    );
  }
  const ic = lookup.data?.identityCenter;
  if (!lookup.isPending && !ic) return null;
  const rows = ic?.members ?? [];
  const columns: TableColumn<IdentityCenterMemberAccess>[] = [
    {
      title: 'Member',
      field: 'member.name',
      render: row => <Identity identity={row.member} />,
    },
    {
      title: 'Roles through Identity Center',
      field: 'grants',
      sorting: false,
      render: row => <Grants row={row} />,
    },
  ];
  const title = 'Roles its members get through Identity Center';
  return (
    <Box component="section" aria-label={title}>
      <Table<IdentityCenterMemberAccess>
        title={title}
        subtitle={
          ic
            ? `Identity Center group ${ic.principal.name}: ${rows.length} ${
                rows.length === 1 ? 'member' : 'members'
              }`
            : undefined
        }
        isLoading={lookup.isPending}
        data={rows}
        columns={columns}
        options={{
          paging: rows.length > 20,
          pageSize: 20,
          search: rows.length > 5,
          padding: 'dense',
          // Draggable headers wrap the sort buttons in another control (axe: nested-interactive).
          draggable: false,
        }}
        emptyContent={
          <Box p={2}>
            <Typography variant="body2" color="text.secondary">
              The Identity Center group has no members, or its memberships were
              not read.
            </Typography>
          </Box>
        }
      />
    </Box>
  );
}
