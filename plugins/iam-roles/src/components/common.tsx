import { ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Chip from '@mui/material/Chip';
import FormControl from '@mui/material/FormControl';
import InputLabel from '@mui/material/InputLabel';
import MenuItem from '@mui/material/MenuItem';
import Select from '@mui/material/Select';
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import {
  Link,
  Progress,
  ResponseErrorPanel,
  TableColumn,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  EntityRefLink,
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  compareSeverity,
  findingTitle,
  parseRoleArn,
  shortEntityRef,
  type Finding,
  type Severity,
} from '@backstage-iam/plugin-iam-roles-common';
import { useAccounts } from '../hooks/useAccounts';

const SEVERITY_COLOR: Record<
  Severity | 'none',
  'error' | 'warning' | 'info' | 'default' | 'success'
> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'info',
  info: 'default',
  none: 'success',
};

/** Hides text from the eye, not from screen readers. */
export const visuallyHidden = {
  border: 0,
  clip: 'rect(0 0 0 0)',
  height: '1px',
  margin: '-1px',
  overflow: 'hidden',
  padding: 0,
  position: 'absolute',
  whiteSpace: 'nowrap',
  width: '1px',
} as const;

/** The palette colour of a severity (`error` for critical and high …); an unknown one reads as `info`. */
export function severityColor(
  severity: Severity | 'none' | string,
): 'error' | 'warning' | 'info' | 'default' | 'success' {
  return Object.prototype.hasOwnProperty.call(SEVERITY_COLOR, severity)
    ? SEVERITY_COLOR[severity as Severity | 'none']
    : SEVERITY_COLOR.info;
}

/** A finding's severity, or a role's risk (`none` reads "no findings"). */
export function SeverityChip(props: { severity: Severity | 'none' | string }) {
  const severity = (
    props.severity in SEVERITY_COLOR ? props.severity : 'info'
  ) as Severity | 'none';
  const color = severityColor(severity);
  return (
    <Chip
      size="small"
      color={color}
      variant={severity === 'critical' ? 'filled' : 'outlined'}
      label={severity === 'none' ? 'no findings' : severity}
      // Orange and light blue text on white is too faint to read (WCAG AA): the border keeps the colour.
      sx={
        color === 'warning' || color === 'info'
          ? { color: 'text.primary' }
          : undefined
      }
    />
  );
}

const STATUS_COLOR: Record<
  string,
  'success' | 'warning' | 'error' | 'default' | 'info'
> = {
  pending: 'warning',
  approved: 'success',
  active: 'success',
  denied: 'error',
  revoked: 'error',
  cancelled: 'default',
  expired: 'default',
};

/** State of a request or a grant. */
export function StatusChip(props: { status: string }) {
  return (
    <Chip
      size="small"
      variant="outlined"
      color={STATUS_COLOR[props.status] ?? 'default'}
      label={props.status}
      // Orange text on white is too faint to read (WCAG AA): the border keeps the colour.
      sx={
        STATUS_COLOR[props.status] === 'warning'
          ? { color: 'text.primary' }
          : undefined
      }
    />
  );
}

/** Loading state of a section. */
export function Loading() {
  return <Progress />;
}

/** What a person can act on: the server's own message when there is one. */
export function errorMessage(error: unknown): string {
  if (ResponseError.is(error)) {
    const cause = error.cause?.message;
    return cause && cause !== error.message
      ? `${cause} (HTTP ${error.statusCode})`
      : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Error state of a section, with what failed and the server's reason. */
export function ErrorState(props: { error: unknown; title?: string }) {
  if (
    !ResponseError.is(props.error) &&
    props.error instanceof Error &&
    !props.title
  ) {
    return <ResponseErrorPanel error={props.error} />;
  }
  return (
    <Alert severity="error" sx={{ my: 1 }}>
      <AlertTitle>{props.title ?? 'Something went wrong'}</AlertTitle>
      {errorMessage(props.error)}
    </Alert>
  );
}

/** A quiet, designed "nothing here" line for sections inside cards. */
export function EmptyLine(props: { children: ReactNode }) {
  return (
    <Box py={2}>
      <Typography variant="body2" color="text.secondary">
        {props.children}
      </Typography>
    </Box>
  );
}

/** Builds links to catalog entities; one route lookup serves many rows. */
export function useEntityHref(): (ref: string) => string | undefined {
  const entityRoute = useRouteRef(entityRouteRef);
  return (ref: string) => {
    try {
      return entityRoute(entityRouteParams(parseEntityRef(ref)));
    } catch {
      return undefined;
    }
  };
}

/** `group:default/payments` → `payments`; `user:acme/jo` → `acme/jo` (-common's one copy). */
export const shortRef = shortEntityRef;

/** A table with nothing in it yet: its title and a designed sentence, without the table machinery. */
export function EmptyTable(props: { title: string; children: ReactNode }) {
  return (
    <Box component="section" aria-label={props.title} py={1}>
      <Typography variant="subtitle1" component="h3">
        {props.title}
      </Typography>
      <EmptyLine>{props.children}</EmptyLine>
    </Box>
  );
}

/** A role's title, linked to its entity page when it has one. */
export function RoleLink(props: { entityRef: string; title: string }) {
  const href = useEntityHref()(props.entityRef);
  return href ? <Link to={href}>{props.title}</Link> : <>{props.title}</>;
}

/** An AWS account as people know it: "acme-production (111111111111)", linked to its entity. */
export function AccountLabel(props: { accountId?: string }) {
  const accounts = useAccounts();
  const href = useEntityHref();
  if (!props.accountId) {
    return null;
  }
  const account = accounts.data?.get(props.accountId);
  const text = account?.name
    ? `${account.name} (${props.accountId})`
    : props.accountId;
  const to = account ? href(account.entityRef) : undefined;
  return to ? <Link to={to}>{text}</Link> : <>{text}</>;
}

/** A role's title, linked to its entity page when it has one, with its account (name and id) beneath. */
export function RoleCell(props: {
  entityRef: string;
  title: string;
  arn: string;
  /** The role is gone from the catalog: its name without a link to a page that no longer exists. */
  gone?: boolean;
}) {
  const role = parseRoleArn(props.arn);
  return (
    <>
      {props.gone ? (
        props.title
      ) : (
        <RoleLink entityRef={props.entityRef} title={props.title} />
      )}
      <Typography
        variant="caption"
        component="div"
        color="text.secondary"
        sx={{ overflowWrap: 'anywhere' }}
      >
        {role ? <AccountLabel accountId={role.accountId} /> : props.arn}
      </Typography>
    </>
  );
}

/** An owner as a catalog link with its title (a group's display name), or a dash. */
export function OwnerLink(props: { owner?: string }) {
  return props.owner ? (
    <EntityRefLink entityRef={props.owner} defaultKind="group" />
  ) : (
    <>—</>
  );
}

/** The one-line answer a page opens with, in the words of the question it answers. */
export function AnswerLine(props: {
  children: ReactNode;
  severity?: Severity | 'none' | string;
}) {
  return (
    <Stack direction="row" spacing={1} alignItems="center" flexWrap="wrap">
      <Typography
        variant="h6"
        component="p"
        data-testid="iam-answer"
        sx={{ fontWeight: 600 }}
      >
        {props.children}
      </Typography>
      {props.severity && props.severity !== 'none' && (
        <SeverityChip severity={props.severity} />
      )}
    </Stack>
  );
}

/** Findings of a row as severity chips and short titles; the explanation and the fix open on demand. */
export function FindingDetails(props: {
  findings: Finding[];
  /** Names the row, so repeated toggles read differently to a screen reader. */
  label: string;
}) {
  if (props.findings.length === 0) {
    return <>—</>;
  }
  const seen = new Map<string, { finding: Finding; count: number }>();
  for (const finding of props.findings) {
    const entry = seen.get(finding.id);
    if (entry) {
      entry.count += 1;
    } else {
      seen.set(finding.id, { finding, count: 1 });
    }
  }
  const groups = [...seen.values()].sort((a, b) =>
    compareSeverity(a.finding.severity, b.finding.severity),
  );
  return (
    <Box sx={{ '& details + details': { mt: 0.5 } }}>
      {groups.map(({ finding: f, count }) => (
        <Box
          component="details"
          key={f.id}
          sx={{
            '& > summary': {
              cursor: 'pointer',
              display: 'flex',
              alignItems: 'center',
              gap: 1,
              borderRadius: 1,
            },
            '& > summary:focus-visible': {
              outline: '2px solid',
              outlineColor: 'primary.main',
              outlineOffset: 2,
            },
          }}
        >
          <summary>
            <SeverityChip severity={f.severity} />
            <Typography variant="body2" component="span">
              {findingTitle(f.id)}
              {count > 1 ? ` (${count})` : ''}
              {/* Names repeated toggles apart for screen readers, without changing what is seen. */}
              <Box component="span" sx={visuallyHidden}>
                {` on ${props.label}`}
              </Box>
            </Typography>
          </summary>
          <Typography
            variant="body2"
            component="p"
            sx={{ whiteSpace: 'pre-line', mt: 0.5, mb: 0, maxWidth: '70ch' }}
          >
            {f.message}
          </Typography>
          <Typography variant="caption" color="text.secondary">
            Rule {f.id}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

/** A role's name from its ARN (`arn:aws:iam::1:role/ci/deploy` → `deploy`); the ARN when it is not a role's. */
export function roleNameOf(arn: string): string {
  return parseRoleArn(arn)?.name ?? arn;
}

/** The "Role" column of requests and grants: the role's name, linked to its entity page. */
export function roleColumn<
  T extends { roleRef: string; roleArn: string },
>(): TableColumn<T> {
  return {
    title: 'Role',
    field: 'roleArn',
    render: r => (
      <RoleLink entityRef={r.roleRef} title={roleNameOf(r.roleArn)} />
    ),
  };
}

/** Says plainly that a list holds fewer rows than the broker has (more than the UI loads). */
export function ListCutNotice(props: {
  shown: number;
  total: number;
  noun: string;
}) {
  if (props.shown >= props.total) {
    return null;
  }
  const count = (n: number) => n.toLocaleString('en-US');
  return (
    <Alert severity="warning" role="status" sx={{ my: 1 }}>
      Showing {count(props.shown)} of {count(props.total)} {props.noun}: the
      rest are not loaded.
    </Alert>
  );
}

/**
 * The cells of a column of names ("Platform Engineering"): lines break at spaces, never inside a
 * word. The theme's `word-break: break-word` lets a cell shrink to one letter's width, so a tight
 * table cut "Platform Engineerin g"; here a word is the narrowest a cell gets, and only a word too
 * long for the whole column wraps.
 */
const WHOLE_WORDS = {
  wordBreak: 'normal',
  overflowWrap: 'break-word',
} as const;

/**
 * A table column that keeps its header on one line ("APPROVE", not "APPR OVE") and takes the
 * width it is given, so tables fit 1280–1920 px without breaking words. Give every column of a
 * table its width: a column without one claims the whole table's width next to the others.
 * `wholeWords` keeps the words of its cells whole too ({@link WHOLE_WORDS}): for names, not ARNs.
 */
export function fitColumn<T extends object>(
  column: TableColumn<T>,
  width?: string,
  options: { wholeWords?: boolean } = {},
): TableColumn<T> {
  const { cellStyle } = column;
  return {
    ...column,
    ...(width ? { width } : {}),
    headerStyle: { whiteSpace: 'nowrap', ...column.headerStyle },
    ...(options.wholeWords
      ? {
          // A copy per column: Backstage's Table writes into a column's cell style.
          cellStyle:
            typeof cellStyle === 'function'
              ? (data: T[], row: T) => ({
                  ...WHOLE_WORDS,
                  ...cellStyle(data, row),
                })
              : { ...WHOLE_WORDS, ...cellStyle },
        }
      : {}),
  };
}

/** Says a role is assumable only under conditions, in a tag readable in any theme. */
export function ConditionalTag(props: { children: ReactNode }) {
  return (
    <Stack spacing={0.5} mt={0.5} alignItems="flex-start">
      <Chip
        size="small"
        variant="outlined"
        label="Conditional"
        sx={{ borderColor: 'warning.main', color: 'text.primary' }}
      />
      <Typography variant="body2">{props.children}</Typography>
    </Stack>
  );
}

/** A filter of a list: one value, or all (`undefined`, the first option). */
export function FilterSelect(props: {
  id: string;
  label: string;
  allLabel: string;
  minWidth: number;
  value: string;
  options: Array<{ value: string; label: string }>;
  onChange: (value: string | undefined) => void;
}) {
  return (
    <FormControl size="small" sx={{ minWidth: props.minWidth }}>
      <InputLabel id={props.id}>{props.label}</InputLabel>
      <Select
        labelId={props.id}
        label={props.label}
        value={props.value}
        onChange={e => props.onChange(e.target.value || undefined)}
      >
        <MenuItem value="">{props.allLabel}</MenuItem>
        {props.options.map(o => (
          <MenuItem key={o.value} value={o.value}>
            {o.label}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}
