import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Table, TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  describeCondition,
  type ChainedRole,
} from '@backstage-iam/plugin-iam-roles-common';
import { RoleCell, RoleLink, shortRef } from './common';

/** The one-line answer for role chains: how many more roles, and how many only under conditions. */
export function chainsSummary(chains: ChainedRole[], truncated?: boolean) {
  const possible = chains.filter(c => c.outcome === 'possible').length;
  const deepest = Math.max(0, ...chains.map(c => c.depth));
  return `Through role chaining it reaches ${chains.length} more role${
    chains.length === 1 ? '' : 's'
  }${possible ? ` (${possible} only under conditions)` : ''}${
    deepest ? `, up to ${deepest} hops away` : ''
  }${truncated ? '; the list is cut' : ''}.`;
}

/** One path, hop by hop: the role assumed at each step, and what that step needs. */
function ChainPath(props: { chain: ChainedRole }) {
  return (
    <Box component="ol" sx={{ m: 0, pl: 2.5 }}>
      {props.chain.path.map((hop, i) => (
        <li key={`${hop.entityRef}-${i}`}>
          <RoleLink entityRef={hop.entityRef} title={hop.title} />{' '}
          <Typography component="span" variant="caption" color="text.secondary">
            ({hop.via}
            {hop.conditions.length
              ? `, only if ${hop.conditions
                  .map(describeCondition)
                  .join(' and ')}`
              : ''}
            )
          </Typography>
        </li>
      ))}
    </Box>
  );
}

/** Roles an identity reaches through other roles (a leaked CI token → deploy role → admin role). */
export function RoleChains(props: {
  chains: ChainedRole[];
  truncated?: boolean;
}) {
  const { chains } = props;
  if (chains.length === 0) return null;
  const columns: TableColumn<ChainedRole>[] = [
    {
      title: 'Role',
      field: 'title',
      highlight: true,
      render: c => (
        <RoleCell entityRef={c.entityRef} title={c.title} arn={c.arn} />
      ),
    },
    {
      title: 'Owner',
      field: 'owner',
      render: c => (c.owner ? shortRef(c.owner) : '—'),
    },
    {
      title: 'Hops',
      field: 'depth',
      defaultSort: 'asc',
      type: 'numeric',
    },
    {
      title: 'Reaches it',
      field: 'outcome',
      render: c => (c.outcome === 'allowed' ? 'Yes' : 'Only under conditions'),
    },
    {
      title: 'Shortest path',
      sorting: false,
      render: c => <ChainPath chain={c} />,
    },
  ];
  return (
    <Stack spacing={1}>
      <Typography variant="body2">
        {chainsSummary(chains, props.truncated)}
      </Typography>
      <Table<ChainedRole>
        title="Reached through role chains"
        data={chains}
        columns={columns}
        options={{
          paging: chains.length > 20,
          pageSize: 20,
          search: true,
          padding: 'dense',
          draggable: false,
        }}
      />
    </Stack>
  );
}

/** The one-line answer for a role's chains: how many roles reach it, and which catalog entities are behind them. */
export function reachableFromSummary(chains: ChainedRole[]) {
  const holders = new Set(chains.flatMap(c => c.holders ?? []));
  const possible = chains.filter(c => c.outcome === 'possible').length;
  return `${chains.length} role${
    chains.length === 1 ? '' : 's'
  } can reach it through role chaining${
    possible ? ` (${possible} only under conditions)` : ''
  }${
    holders.size
      ? `, and through them ${holders.size} catalog entit${
          holders.size === 1 ? 'y' : 'ies'
        }`
      : ''
  }.`;
}

/** On a role's tab: the roles (and the components and groups behind them) that reach it through other roles. */
export function ReachableFrom(props: { chains: ChainedRole[] }) {
  const { chains } = props;
  if (chains.length === 0) return null;
  const columns: TableColumn<ChainedRole>[] = [
    {
      title: 'Starting role',
      field: 'title',
      highlight: true,
      render: c => (
        <RoleCell entityRef={c.entityRef} title={c.title} arn={c.arn} />
      ),
    },
    {
      title: 'Held by',
      sorting: false,
      render: c =>
        c.holders?.length ? (
          <Box component="ul" sx={{ m: 0, pl: 2 }}>
            {c.holders.map(h => (
              <li key={h}>
                <EntityRefLink entityRef={h} />
              </li>
            ))}
          </Box>
        ) : (
          '—'
        ),
    },
    { title: 'Hops', field: 'depth', defaultSort: 'asc', type: 'numeric' },
    {
      title: 'Then assumes',
      sorting: false,
      render: c => <ChainPath chain={c} />,
    },
  ];
  return (
    <Stack spacing={1} mt={2}>
      <Typography variant="body2">{reachableFromSummary(chains)}</Typography>
      <Table<ChainedRole>
        title="Through role chains"
        data={chains}
        columns={columns}
        options={{
          paging: chains.length > 20,
          pageSize: 20,
          search: chains.length > 5,
          padding: 'dense',
          draggable: false,
        }}
      />
    </Stack>
  );
}
