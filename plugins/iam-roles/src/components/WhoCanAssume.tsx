import {
  memo,
  MouseEvent,
  useDeferredValue,
  useId,
  useMemo,
  useState,
} from 'react';
import TextField from '@mui/material/TextField';
import Button from '@mui/material/Button';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useNavigate } from 'react-router-dom';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  describeCondition,
  describeTrustActions,
  summarizePrincipalConditions,
  WEB_IDENTITY_PROVIDERS,
  type PrincipalKind,
  type ResolvedPrincipal,
} from '@backstage-iam/plugin-iam-roles-common';
import { EmptyLine, useEntityHref } from './common';

/** Principal kinds in the order a reviewer should read them, with their labels. */
export const KIND_ORDER: Array<[PrincipalKind, string]> = [
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
export function groupPrincipals(principals: ResolvedPrincipal[]): Array<{
  kind: PrincipalKind;
  label: string;
  principals: ResolvedPrincipal[];
}> {
  const byKind = new Map<PrincipalKind, ResolvedPrincipal[]>();
  for (const p of principals) {
    const list = byKind.get(p.kind) ?? [];
    list.push(p);
    byKind.set(p.kind, list);
  }
  return KIND_ORDER.filter(([kind]) => byKind.has(kind)).map(
    ([kind, label]) => ({
      kind,
      label,
      principals: byKind.get(kind)!,
    }),
  );
}

/** The look of the principal tables of the role tab: plain markup, cheap for hundreds of rows. */
export const principalTableSx = {
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
  '& td.principal': {
    fontFamily: 'monospace',
    fontSize: 12,
    wordBreak: 'break-all',
  },
  '& td.actions': { fontSize: 12 },
  '& .conditions': { fontFamily: 'inherit', color: 'text.secondary', mt: 0.5 },
  '& a': { color: 'primary.main' },
  '& button.details': {
    font: 'inherit',
    fontSize: 12,
    color: 'primary.main',
    background: 'none',
    border: 0,
    p: 0,
    mt: 0.5,
    cursor: 'pointer',
    textDecoration: 'underline',
    whiteSpace: 'nowrap',
    display: 'block',
  },
  '& button.details:focus-visible': {
    outline: 2,
    outlineStyle: 'solid',
    outlineColor: 'primary.main',
  },
  '& tr.details td': {
    pt: 0,
    fontSize: 12,
    bgcolor: 'action.hover',
  },
  '& tr.details dl': { m: 0 },
  '& tr.details dt': { fontWeight: 'bold', mt: 0.5 },
  '& tr.details dd': { ml: 2 },
  '& tr.details ul': { m: 0, pl: 2 },
  '& tr.details code': { fontFamily: 'monospace', wordBreak: 'break-all' },
  '& tr.has-details td': { borderBottom: 0 },
  '& .external': {
    ml: 1,
    px: 0.75,
    border: 1,
    borderRadius: 2,
    borderColor: 'warning.main',
    color: 'warning.main',
    fontSize: 12,
  },
} as const;

/** Who a principal is, in words: a principal over several repositories is counted, not listed. */
function whoOf(p: ResolvedPrincipal): string {
  const repositories = p.repositories?.length ?? 0;
  if (repositories <= 1) return p.description;
  const provider =
    (p.provider ? WEB_IDENTITY_PROVIDERS[p.provider]?.name : undefined) ??
    'Web identity';
  return `${provider} in ${repositories} repositories`;
}

/** The raw form behind a row's words, rendered only when asked for: the repositories linked one by one. */
function PrincipalDetails(props: { principal: ResolvedPrincipal; id: string }) {
  const { principal: p, id } = props;
  return (
    <tr className="details" id={id}>
      <td colSpan={3}>
        <dl>
          {p.repositories && p.repositories.length > 0 && (
            <>
              <dt>Repositories ({p.repositories.length})</dt>
              <dd>
                <ul>
                  {p.repositories.map(r => (
                    <li key={r.slug}>
                      <code>{r.slug}</code>{' '}
                      {r.entityRef ? (
                        <EntityRefLink entityRef={r.entityRef} />
                      ) : (
                        'not in the catalog'
                      )}
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
          {p.conditions.length > 0 && (
            <>
              <dt>Conditions</dt>
              <dd>
                <ul>
                  {p.conditions.map((c, i) => (
                    <li key={i}>
                      <code>
                        {c.operator} {c.key}
                      </code>
                      <ul>
                        {c.values.map((v, j) => (
                          <li key={j}>
                            <code>{v}</code>
                          </li>
                        ))}
                      </ul>
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
          <dt>Actions</dt>
          <dd>
            <code>{p.actions.join(', ')}</code>
          </dd>
          <dt>Statement</dt>
          <dd>
            {p.sid
              ? `statement "${p.sid}" (${p.statementIndex + 1} of the policy)`
              : `statement ${p.statementIndex + 1} of the policy`}
          </dd>
        </dl>
      </td>
    </tr>
  );
}

// Rows are plain markup styled by the table (no component per cell): a role can trust hundreds
// of principals and the tab should still render in a blink. The raw form waits behind "Details".
const PrincipalRow = memo(function PrincipalRowView(props: {
  principal: ResolvedPrincipal;
  href?: string;
}) {
  const { principal: p, href } = props;
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const who = whoOf(p);
  return (
    <>
      <tr className={open ? 'has-details' : undefined}>
        <td>
          {href ? <a href={href}>{who}</a> : who}
          {p.external && <span className="external">external</span>}
        </td>
        <td className="principal">
          {p.id}
          {p.conditions.length > 0 && (
            <div className="conditions">{summarizePrincipalConditions(p)}</div>
          )}
          <button
            type="button"
            className="details"
            aria-expanded={open}
            aria-controls={open ? detailsId : undefined}
            aria-label={`Details: ${who}`}
            onClick={() => setOpen(!open)}
          >
            Details
          </button>
        </td>
        <td className="actions">{describeTrustActions(p.actions)}</td>
      </tr>
      {open && <PrincipalDetails principal={p} id={detailsId} />}
    </>
  );
});

/**
 * Rows shown per kind before "Show all": enough to review, cheap to render for huge policies.
 * The filter above the groups searches every principal, shown or not.
 */
export const INITIAL_ROWS_PER_KIND = 25;

/** The words a principal is found by: who, the principal itself, its conditions and actions (in words and raw), its repositories. */
function searchText(p: ResolvedPrincipal): string {
  return [
    whoOf(p),
    p.description,
    p.id,
    p.entityRef ?? '',
    p.accountId ?? '',
    summarizePrincipalConditions(p),
    ...p.conditions.map(describeCondition),
    ...p.conditions.map(c => `${c.operator} ${c.key} ${c.values.join(' ')}`),
    describeTrustActions(p.actions),
    ...p.actions,
    ...(p.repositories ?? []).map(r => `${r.slug} ${r.entityRef ?? ''}`),
  ]
    .join('\n')
    .toLocaleLowerCase('en-US');
}

function KindSection(props: {
  kind: PrincipalKind;
  label: string;
  principals: ResolvedPrincipal[];
  toHref: (ref: string) => string | undefined;
  /** A filter is applied: show every match. */
  filtered: boolean;
}) {
  const { kind, label, principals, toHref, filtered } = props;
  const [expanded, setExpanded] = useState(false);
  const headingId = `iam-who-${kind}`;
  const shown =
    expanded || filtered
      ? principals
      : principals.slice(0, INITIAL_ROWS_PER_KIND);
  return (
    <Box component="section" aria-labelledby={headingId} mb={2}>
      <Typography id={headingId} variant="subtitle1" component="h3">
        {label} ({principals.length})
      </Typography>
      <Box component="table" sx={principalTableSx} aria-labelledby={headingId}>
        <thead>
          <tr>
            <th scope="col">Who</th>
            <th scope="col">Principal</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((p, i) => (
            <PrincipalRow
              key={`${p.statementIndex}-${p.id}-${i}`}
              principal={p}
              href={p.entityRef ? toHref(p.entityRef) : undefined}
            />
          ))}
        </tbody>
      </Box>
      {shown.length < principals.length && (
        <Button size="small" onClick={() => setExpanded(true)} sx={{ mt: 1 }}>
          Show all {principals.length} ({principals.length - shown.length} more)
        </Button>
      )}
    </Box>
  );
}

/**
 * Every principal the role trusts, in plain words, linked to the catalog where possible.
 * Memoised: the tab around it re-renders as its other queries answer, the principals stay.
 */
export const WhoCanAssume = memo(function WhoCanAssumeView(props: {
  principals: ResolvedPrincipal[];
}) {
  const toHref = useEntityHref();
  const navigate = useNavigate();
  // Rows hold plain anchors; one handler keeps their plain clicks inside the app's router.
  const onClick = (event: MouseEvent<HTMLElement>) => {
    const anchor = (event.target as HTMLElement).closest('a');
    if (
      !anchor ||
      // A router link of its own (the details' entity links) has navigated already.
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return;
    }
    event.preventDefault();
    navigate(anchor.getAttribute('href')!);
  };
  const [query, setQuery] = useState('');
  const filter = useDeferredValue(query.trim().toLocaleLowerCase('en-US'));
  // Built once, on the first filter: the tab pays nothing for it until someone searches.
  const searching = filter !== '';
  const index = useMemo(
    () =>
      searching
        ? new Map(props.principals.map(p => [p, searchText(p)]))
        : undefined,
    [props.principals, searching],
  );
  const matching = index
    ? props.principals.filter(p => index.get(p)!.includes(filter))
    : props.principals;
  if (props.principals.length === 0) {
    return (
      <EmptyLine>
        No principal can assume this role: its trust policy allows no one.
      </EmptyLine>
    );
  }
  const groups = groupPrincipals(matching);
  return (
    <>
      {props.principals.length > INITIAL_ROWS_PER_KIND && (
        <TextField
          size="small"
          type="search"
          label="Filter principals"
          helperText={
            filter
              ? `${matching.length} of ${props.principals.length} principals match`
              : 'An account id, ARN, repository, service or condition'
          }
          value={query}
          onChange={event => setQuery(event.target.value)}
          sx={{ mb: 2, minWidth: 360 }}
        />
      )}
      {groups.length === 0 && (
        <EmptyLine>No principal matches "{query.trim()}".</EmptyLine>
      )}
      {/* eslint-disable-next-line jsx-a11y/click-events-have-key-events, jsx-a11y/no-static-element-interactions */}
      <div onClick={onClick}>
        {groups.map(group => (
          <KindSection
            key={group.kind}
            {...group}
            toHref={toHref}
            filtered={!!filter}
          />
        ))}
      </div>
    </>
  );
});
