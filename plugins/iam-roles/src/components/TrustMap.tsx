import {
  KeyboardEvent,
  memo,
  useCallback,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import { useNavigate } from 'react-router-dom';
import {
  DependencyGraph,
  DependencyGraphTypes,
} from '@backstage/core-components';
import {
  highestSeverity,
  policyNameOfArn,
  WEB_IDENTITY_PROVIDERS,
  type AssumableRolesResponse,
  type Finding,
  type IamRoleSpec,
  type ResolvedPrincipal,
  type RoleTrustView,
  type Severity,
} from '@backstage-iam/plugin-iam-roles-common';
import { plural } from '../lib/answer';
import { useLookup } from '../hooks/queries';
import { useIamRolesPageHref } from '../hooks/useIamRolesPageHref';
import { errorMessage, severityColor, visuallyHidden } from './common';
import { countWhoCanAssume, identityCenterPrincipals } from './EffectiveAccess';
import { groupPrincipals } from './WhoCanAssume';

/** Id of the block around the role chains of the role tab, the target of the map's chain node. */
export const ROLE_CHAINS_SECTION_ID = 'iam-who-role-chains';

/** Id of the role header's "Permissions" fact, the target of the map's policy nodes. */
export const PERMISSIONS_FACT_ID = 'iam-role-permissions';

/** Id of the heading of the role tab's RCP section, the target of the map's RCP node. */
export const GUARDRAILS_SECTION_ID = 'iam-role-guardrails';

/** One box of the trust map: who (or the role itself), how many, and how risky. */
export interface TrustMapNode {
  id: string;
  /** "AWS accounts". */
  label: string;
  /** "2 (1 external)"; absent when the label says it all ("Anyone (public)"). */
  detail?: string;
  /** The worst finding about them (the principals, or the roles it reaches), or `none`. */
  severity: Severity | 'none';
  /** Id of the element of the role tab that lists them; absent for the role. */
  target?: string;
  /** Where activating it shows them, when not "the table": "the incident lookup". */
  shows?: string;
  /** A page that lists them instead (the incident lookup of the role's ARN). */
  href?: string;
}

/** A node in words, for screen readers: "AWS accounts: 2 (1 external), high risk". */
function spoken(node: TrustMapNode): string {
  const what = node.detail ? `${node.label}: ${node.detail}` : node.label;
  return node.severity === 'none' ? what : `${what}, ${node.severity} risk`;
}

/** The findings about some of the principals: the engine names the principal (and its statement). */
function findingsAbout(
  principals: ResolvedPrincipal[],
  findings: Finding[],
): Finding[] {
  return findings.filter(
    f =>
      f.principal !== undefined &&
      principals.some(
        p =>
          p.id === f.principal &&
          (f.statementIndex === undefined ||
            f.statementIndex === p.statementIndex),
      ),
  );
}

function providerName(provider: string | undefined): string | undefined {
  return provider &&
    Object.prototype.hasOwnProperty.call(WEB_IDENTITY_PROVIDERS, provider)
    ? WEB_IDENTITY_PROVIDERS[provider].name
    : undefined;
}

function principalNode(
  id: string,
  label: string,
  principals: ResolvedPrincipal[],
  findings: Finding[],
  target: string,
): TrustMapNode {
  const external = principals.filter(p => p.external).length;
  return {
    id,
    label,
    detail: `${principals.length.toLocaleString('en-US')}${
      external > 0 ? ` (${external.toLocaleString('en-US')} external)` : ''
    }`,
    severity: highestSeverity(findingsAbout(principals, findings)),
    target,
  };
}

/**
 * The left side of the map: who can assume the role, one node per kind of principal (per
 * provider for web identities), then Identity Center, Pod Identity and role chains.
 */
export function trustMapSources(
  view: Pick<RoleTrustView, 'principals' | 'reachableFrom'> & {
    analysis: { findings: Finding[] };
  },
  iam: Pick<IamRoleSpec, 'identityCenter' | 'podIdentityAssociations'>,
): TrustMapNode[] {
  const findings = view.analysis.findings;
  const nodes: TrustMapNode[] = [];
  for (const group of groupPrincipals(view.principals)) {
    const target = `iam-who-${group.kind}`;
    if (group.kind === 'public') {
      nodes.push({
        ...principalNode(
          'public',
          'Anyone (public)',
          group.principals,
          findings,
          target,
        ),
        detail: undefined,
      });
    } else if (group.kind === 'oidc') {
      const byProvider = new Map<string, ResolvedPrincipal[]>();
      for (const p of group.principals) {
        const name = providerName(p.provider) ?? group.label;
        byProvider.set(name, [...(byProvider.get(name) ?? []), p]);
      }
      for (const [name, principals] of byProvider) {
        nodes.push(
          principalNode(`oidc:${name}`, name, principals, findings, target),
        );
      }
    } else {
      nodes.push(
        principalNode(
          group.kind,
          group.label,
          group.principals,
          findings,
          target,
        ),
      );
    }
  }
  const counts = countWhoCanAssume(view.principals.length, iam);
  const identityCenter = identityCenterPrincipals(iam.identityCenter);
  if (identityCenter.length > 0) {
    const [only] = identityCenter;
    const { groups, users } = counts.identityCenter;
    nodes.push({
      id: 'identity-center',
      label: 'Identity Center',
      detail:
        identityCenter.length === 1
          ? `${only.principalType === 'GROUP' ? 'group' : 'user'} ${only.name}`
          : [
              groups > 0 && plural(groups, 'group'),
              users > 0 && plural(users, 'user'),
            ]
              .filter(Boolean)
              .join(', '),
      severity: 'none',
      target: 'iam-who-identity-center',
    });
  }
  if (counts.podIdentity > 0) {
    nodes.push({
      id: 'pod-identity',
      label: 'EKS Pod Identity',
      detail: plural(counts.podIdentity, 'service account'),
      severity: 'none',
      target: 'iam-who-pod-identity',
    });
  }
  const chains = view.reachableFrom ?? [];
  if (chains.length > 0) {
    nodes.push({
      id: 'role-chains',
      label: 'Roles that chain here',
      detail: chains.length.toLocaleString('en-US'),
      severity: 'none',
      target: ROLE_CHAINS_SECTION_ID,
    });
  }
  return nodes;
}

/** The facts of `spec.iam` the right side of the map draws. */
export type TrustMapPermissions = Pick<
  IamRoleSpec,
  | 'arn'
  | 'attachedManagedPolicies'
  | 'inlinePolicyNames'
  | 'permissionsBoundary'
  | 'resourceControlPolicies'
>;

/** "AdministratorAccess", "AdministratorAccess, 2 more": a node stays one short line. */
function firstName(names: string[]): string {
  return names.length > 1 ? `${names[0]}, ${names.length - 1} more` : names[0];
}

/**
 * The right side of the map: what the role reaches. The roles it can assume and, beyond them,
 * through role chains (the broker's lookup of the role's ARN: `reach`, with the page that lists
 * them as `href`), then its permissions as the catalog has them — managed and inline policies —
 * and what limits them: its permissions boundary and the RCPs of its account.
 */
export function trustMapReach(
  iam: TrustMapPermissions,
  reach:
    | Pick<AssumableRolesResponse, 'roles' | 'chains' | 'chainsTruncated'>
    | undefined,
  href?: string,
): TrustMapNode[] {
  const nodes: TrustMapNode[] = [];
  const link = href ? { href, shows: 'the incident lookup' } : {};
  // A role that trusts its own account may "assume itself": that reaches nothing new.
  const roles = (reach?.roles ?? []).filter(
    r =>
      r.arn !== iam.arn &&
      (r.outcome === 'allowed' || r.outcome === 'possible'),
  );
  if (roles.length > 0) {
    const possible = roles.filter(r => r.outcome === 'possible').length;
    nodes.push({
      id: 'reach:assumes',
      label: 'Roles it can assume',
      detail: `${roles.length.toLocaleString('en-US')}${
        possible > 0
          ? ` (${possible.toLocaleString('en-US')} only under conditions)`
          : ''
      }`,
      severity: highestSeverity(roles.flatMap(r => r.findings)),
      ...link,
    });
  }
  const chains = (reach?.chains ?? []).filter(c => c.arn !== iam.arn);
  if (chains.length > 0) {
    const deepest = Math.max(...chains.map(c => c.depth));
    nodes.push({
      id: 'reach:chains',
      label: 'Then through role chains',
      // A cut list (the broker stops at its limit) counts what it lists: "20 or more".
      detail: `${chains.length.toLocaleString('en-US')}${
        reach?.chainsTruncated ? ' or more' : ''
      }, up to ${plural(deepest, 'hop')}`,
      // The broker's chains carry no findings: their risk is on the roles' own tabs.
      severity: 'none',
      ...link,
    });
  }
  const permissions = {
    target: PERMISSIONS_FACT_ID,
    shows: "the role's details",
  };
  const managed = iam.attachedManagedPolicies.map(p => p.name);
  if (managed.length > 0) {
    nodes.push({
      id: 'reach:managed-policies',
      label: 'Managed policies',
      detail: `${managed.length.toLocaleString('en-US')} (${firstName(
        managed,
      )})`,
      severity: 'none',
      ...permissions,
    });
  }
  if (iam.inlinePolicyNames.length > 0) {
    nodes.push({
      id: 'reach:inline-policies',
      label: 'Inline policies',
      detail: iam.inlinePolicyNames.length.toLocaleString('en-US'),
      severity: 'none',
      ...permissions,
    });
  }
  if (iam.permissionsBoundary) {
    nodes.push({
      id: 'reach:boundary',
      label: 'Limited by permissions boundary',
      detail: policyNameOfArn(iam.permissionsBoundary),
      severity: 'none',
      ...permissions,
    });
  }
  const rcps = iam.resourceControlPolicies ?? [];
  if (rcps.length > 0) {
    nodes.push({
      id: 'reach:rcps',
      label: 'Limited by resource control policies',
      // Their names and documents are in the guardrails section the node leads to.
      detail: rcps.length.toLocaleString('en-US'),
      severity: 'none',
      target: GUARDRAILS_SECTION_ID,
      shows: 'the guardrails',
    });
  }
  return nodes;
}

/** What the role reaches, in words: the text alternative of the map's right side. */
export function describeReach(
  nodes: TrustMapNode[],
  lookup: {
    isPending: boolean;
    isError: boolean;
    data?: Pick<AssumableRolesResponse, 'index'>;
  },
): string {
  const assumes = nodes.some(n => n.id === 'reach:assumes');
  const policies = nodes.some(
    n => n.id === 'reach:managed-policies' || n.id === 'reach:inline-policies',
  );
  const sentences: string[] = [];
  if (nodes.length > 0) {
    sentences.push(`It reaches ${nodes.map(spoken).join('; ')}.`);
  }
  if (lookup.isError) {
    sentences.push('The roles it can assume could not be looked up.');
  } else if (lookup.isPending) {
    sentences.push('The roles it can assume are being looked up.');
  } else if (lookup.data?.index?.roles === 0) {
    sentences.push(
      'The roles it can assume are not known yet: the access broker has not indexed any role.',
    );
  }
  const known =
    !lookup.isError && !lookup.isPending && lookup.data?.index?.roles !== 0;
  if (known && !assumes && !policies) {
    sentences.push('It can assume no other role and has no permission policy.');
  } else {
    if (known && !assumes) {
      sentences.push('It can assume no other role.');
    }
    if (!policies) {
      sentences.push('It has no permission policy.');
    }
  }
  return sentences.join(' ');
}

/** Brings a part of the role tab into view and moves the keyboard focus there. */
function showTarget(id: string) {
  const target = document.getElementById(id);
  if (!target) {
    return;
  }
  // A heading is not focusable: -1 lets a script focus it without adding it to the tab order.
  if (!target.hasAttribute('tabindex')) {
    target.setAttribute('tabindex', '-1');
  }
  target.focus({ preventScroll: true });
  target.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

const PAD_X = 10;
const PAD_Y = 5;

function MapNode(props: {
  node: TrustMapNode;
  onActivate: (node: TrustMapNode) => void;
}) {
  const { node, onActivate } = props;
  const theme = useTheme();
  const textRef = useRef<SVGTextElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  // The box fits its text: measured once drawn, and again when the text changes, as Backstage's
  // own graph nodes do.
  useLayoutEffect(() => {
    if (!textRef.current) {
      return;
    }
    const box = textRef.current.getBBox();
    const width = Math.round(box.width);
    const height = Math.round(box.height);
    if (width !== size.width || height !== size.height) {
      setSize({ width, height });
    }
  }, [size.width, size.height, node.label, node.detail, node.severity]);
  const width = size.width + PAD_X * 2;
  const height = size.height + PAD_Y * 2;
  const risky = node.severity !== 'none';
  const color = severityColor(node.severity);
  const stroke =
    risky && color !== 'default' && color !== 'success'
      ? theme.palette[color].main
      : theme.palette.divider;
  const interactive = node.target || node.href;
  // A link goes to another page (Enter, as links do); a button shows a part of this one.
  const keys = node.href ? ['Enter'] : ['Enter', ' '];
  const behaviour = interactive
    ? {
        role: node.href ? 'link' : 'button',
        tabIndex: 0,
        'aria-label': `${spoken(node)}. Show in ${node.shows ?? 'the table'}`,
        onClick: () => onActivate(node),
        onKeyDown: (event: KeyboardEvent<SVGGElement>) => {
          if (keys.includes(event.key)) {
            event.preventDefault();
            onActivate(node);
          }
        },
      }
    : { role: 'img', 'aria-label': spoken(node) };
  return (
    <g data-severity={node.severity} {...behaviour}>
      <rect
        width={width}
        height={height}
        rx={6}
        fill={
          interactive
            ? theme.palette.background.paper
            : theme.palette.background.default
        }
        stroke={stroke}
        strokeWidth={risky ? 2 : 1}
      />
      <text
        ref={textRef}
        x={PAD_X}
        y={height / 2}
        dominantBaseline="central"
        fontSize={13}
        fontFamily={theme.typography.fontFamily}
        fill={theme.palette.text.primary}
      >
        {node.label}
        {node.detail && ` · ${node.detail}`}
        {risky && (
          <tspan
            fontWeight={700}
            // Orange on white is too faint to read: only red keeps its colour in the text.
            fill={color === 'error' ? stroke : theme.palette.text.primary}
          >
            {` · ${node.severity}`}
          </tspan>
        )}
      </text>
    </g>
  );
}

/**
 * A small diagram of a role's trust: who can assume it (the kinds of principal, each with its count
 * and worst finding) pointing at the role, and what the role reaches — the roles it can assume and
 * those beyond them, its policies and what limits them. Activating a node shows its part of the
 * tab below, or the incident lookup of the role for the roles it reaches.
 */
export const TrustMap = memo(function TrustMapView(props: {
  roleName: string;
  view: Pick<RoleTrustView, 'principals' | 'reachableFrom'> & {
    analysis: { findings: Finding[] };
  };
  iam: Pick<IamRoleSpec, 'identityCenter' | 'podIdentityAssociations'> &
    TrustMapPermissions;
}) {
  const { roleName, view, iam } = props;
  const theme = useTheme();
  const navigate = useNavigate();
  const sources = useMemo(() => trustMapSources(view, iam), [view, iam]);
  // What the role can assume is the broker's answer for its ARN, as the incident lookup asks it.
  const lookup = useLookup(sources.length > 0 ? iam.arn : undefined);
  const lookupHref = useIamRolesPageHref({ tab: 'lookup', q: iam.arn });
  const reach = useMemo(
    () => trustMapReach(iam, lookup.data, lookupHref),
    [iam, lookup.data, lookupHref],
  );
  // Stable nodes and edges: the graph lays itself out again whenever they change.
  const graph = useMemo(() => {
    const role: TrustMapNode = {
      id: 'role',
      label: roleName,
      severity: highestSeverity(view.analysis.findings),
    };
    const edges = sources.map(s => ({ from: s.id, to: role.id }));
    const assumes = reach.some(n => n.id === 'reach:assumes');
    for (const node of reach) {
      // Chains start at a role it can assume: they hang off that node, one rank further.
      edges.push({
        from: node.id === 'reach:chains' && assumes ? 'reach:assumes' : role.id,
        to: node.id,
      });
    }
    return { nodes: [...sources, role, ...reach], edges };
  }, [roleName, view, sources, reach]);
  const onActivate = useCallback(
    (node: TrustMapNode) => {
      if (node.href) {
        navigate(node.href);
      } else if (node.target) {
        showTarget(node.target);
      }
    },
    [navigate],
  );
  const renderNode = useCallback(
    ({ node }: DependencyGraphTypes.RenderNodeProps<TrustMapNode>) => (
      <MapNode node={node} onActivate={onActivate} />
    ),
    [onActivate],
  );
  if (sources.length === 0) {
    // Nobody to draw: the section's own sentence says so.
    return null;
  }
  const summaryId = 'iam-trust-map-summary';
  // About one row per node of the fullest side at full size; many shrink to fit the first screen.
  const rows = Math.max(
    sources.length,
    reach.filter(n => n.id !== 'reach:chains').length,
  );
  const height = Math.min(260, rows * 36 + 12);
  const actionable = ['button', 'link'].map(role => `& g[role="${role}"]`);
  return (
    <Box mb={2}>
      <Box
        sx={{
          height,
          overflow: 'hidden',
          [actionable.join(', ')]: { cursor: 'pointer', outline: 'none' },
          [actionable
            .flatMap(a => [`${a}:focus-visible > rect`, `${a}:hover > rect`])
            .join(', ')]: {
            stroke: theme.palette.primary.main,
            strokeWidth: 3,
          },
        }}
        data-testid="iam-trust-map"
      >
        <Box component="p" id={summaryId} sx={visuallyHidden}>
          {`${roleName} can be assumed by ${sources
            .map(spoken)
            .join('; ')}. ${describeReach(reach, lookup)}`}
        </Box>
        <DependencyGraph
          nodes={graph.nodes}
          edges={graph.edges}
          renderNode={renderNode}
          direction={DependencyGraphTypes.Direction.LEFT_RIGHT}
          nodeMargin={8}
          rankMargin={48}
          paddingX={4}
          paddingY={4}
          zoom="disabled"
          fit="contain"
          allowFullscreen={false}
          showArrowHeads
          preserveAspectRatio="xMinYMid meet"
          // A fixed height: the graph's own "100%" has no sized parent to resolve against.
          style={{ display: 'block', height }}
          role="group"
          aria-label={`Who can assume ${roleName} and what it reaches, as a map`}
          aria-describedby={summaryId}
        />
      </Box>
      {lookup.isError && (
        <Typography variant="caption" color="text.secondary">
          The roles {roleName} can assume could not be looked up:{' '}
          {errorMessage(lookup.error)}
        </Typography>
      )}
    </Box>
  );
});
