import { memo } from 'react';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Typography from '@mui/material/Typography';
import { Link } from '@backstage/core-components';
import type {
  PrincipalKind,
  ResolvedPrincipal,
} from '@backstage-iam/plugin-iam-roles-common';
import { EmptyLine, useEntityHref } from './common';

const KIND_ORDER: Array<[PrincipalKind, string]> = [
  ['public', 'Anyone'],
  ['oidc', 'Web identity (OIDC)'],
  ['saml', 'SAML federation'],
  ['account', 'AWS accounts'],
  ['role', 'IAM roles'],
  ['assumed-role', 'Assumed-role sessions'],
  ['user', 'IAM users'],
  ['federated-user', 'Federated users'],
  ['service', 'AWS services'],
  ['canonical-user', 'Canonical users'],
  ['unique-id', 'Unique ids'],
];

/** Principals grouped by kind, in the order a reviewer should read them. */
export function groupPrincipals(
  principals: ResolvedPrincipal[],
): Array<{ kind: PrincipalKind; label: string; principals: ResolvedPrincipal[] }> {
  const byKind = new Map<PrincipalKind, ResolvedPrincipal[]>();
  for (const p of principals) {
    const list = byKind.get(p.kind) ?? [];
    list.push(p);
    byKind.set(p.kind, list);
  }
  return KIND_ORDER.filter(([kind]) => byKind.has(kind)).map(([kind, label]) => ({
    kind,
    label,
    principals: byKind.get(kind)!,
  }));
}

const tableSx = {
  width: '100%',
  borderCollapse: 'collapse',
  '& th, & td': {
    py: 0.75,
    pr: 2,
    textAlign: 'left',
    verticalAlign: 'top',
    borderBottom: 1,
    borderColor: 'divider',
  },
  '& td.principal': { fontFamily: 'monospace', fontSize: 12, wordBreak: 'break-all' },
  '& td.actions': { fontSize: 12 },
} as const;

// Rows are plain table markup: a role can trust hundreds of principals.
const PrincipalRow = memo(function PrincipalRowView(props: {
  principal: ResolvedPrincipal;
  href?: string;
}) {
  const { principal: p, href } = props;
  return (
    <tr>
      <td>
        {href ? <Link to={href}>{p.description}</Link> : p.description}
        {p.external && (
          <Chip size="small" color="warning" variant="outlined" label="external" sx={{ ml: 1 }} />
        )}
      </td>
      <td className="principal">{p.id}</td>
      <td className="actions">{p.actions.join(', ')}</td>
    </tr>
  );
});

/** Every principal the role trusts, in plain words, linked to the catalog where possible. */
export function WhoCanAssume(props: { principals: ResolvedPrincipal[] }) {
  const toHref = useEntityHref();
  const groups = groupPrincipals(props.principals);
  if (groups.length === 0) {
    return <EmptyLine>No principal can assume this role: its trust policy allows no one.</EmptyLine>;
  }
  return (
    <>
      {groups.map(group => {
        const headingId = `iam-who-${group.kind}`;
        return (
          <Box component="section" key={group.kind} aria-labelledby={headingId} mb={2}>
            <Typography id={headingId} variant="subtitle1" component="h3">
              {group.label} ({group.principals.length})
            </Typography>
            <Box component="table" sx={tableSx} aria-labelledby={headingId}>
              <thead>
                <tr>
                  <th scope="col">Who</th>
                  <th scope="col">Principal</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {group.principals.map((p, i) => (
                  <PrincipalRow
                    key={`${p.statementIndex}-${p.id}-${i}`}
                    principal={p}
                    href={p.entityRef ? toHref(p.entityRef) : undefined}
                  />
                ))}
              </tbody>
            </Box>
          </Box>
        );
      })}
    </>
  );
}
