import { ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Chip from '@mui/material/Chip';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import {
  Link,
  Progress,
  ResponseErrorPanel,
  TableColumn,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  parseRoleArn,
  type Severity,
} from '@backstage-iam/plugin-iam-roles-common';

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

/** A finding's severity, or a role's risk (`none` reads "no findings"). */
export function SeverityChip(props: { severity: Severity | 'none' | string }) {
  const severity = (
    props.severity in SEVERITY_COLOR ? props.severity : 'info'
  ) as Severity | 'none';
  return (
    <Chip
      size="small"
      color={SEVERITY_COLOR[severity]}
      variant={severity === 'critical' ? 'filled' : 'outlined'}
      label={severity === 'none' ? 'no findings' : severity}
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

/** `group:default/payments` → `payments`; `user:acme/jo` → `acme/jo`. */
export function shortRef(ref: string): string {
  try {
    const { namespace, name } = parseEntityRef(ref);
    return namespace === 'default' ? name : `${namespace}/${name}`;
  } catch {
    return ref;
  }
}

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

/** A role's title, linked to its entity page when it has one, with its ARN beneath. */
export function RoleCell(props: {
  entityRef: string;
  title: string;
  arn: string;
}) {
  return (
    <>
      <RoleLink entityRef={props.entityRef} title={props.title} />
      <Typography
        variant="caption"
        component="div"
        color="text.secondary"
        sx={{ wordBreak: 'break-all' }}
      >
        {props.arn}
      </Typography>
    </>
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
