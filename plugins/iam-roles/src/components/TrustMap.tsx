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
import { useTheme } from '@mui/material/styles';
import {
  DependencyGraph,
  DependencyGraphTypes,
} from '@backstage/core-components';
import {
  highestSeverity,
  WEB_IDENTITY_PROVIDERS,
  type Finding,
  type IamRoleSpec,
  type ResolvedPrincipal,
  type RoleTrustView,
  type Severity,
} from '@backstage-iam/plugin-iam-roles-common';
import { plural } from '../lib/answer';
import { severityColor, visuallyHidden } from './common';
import { countWhoCanAssume, identityCenterPrincipals } from './EffectiveAccess';
import { groupPrincipals } from './WhoCanAssume';

/** Id of the block around the role chains of the role tab, the target of the map's chain node. */
export const ROLE_CHAINS_SECTION_ID = 'iam-who-role-chains';

/** One box of the trust map: who (or the role itself), how many, and how risky. */
export interface TrustMapNode {
  id: string;
  /** "AWS accounts". */
  label: string;
  /** "2 (1 external)"; absent when the label says it all ("Anyone (public)"). */
  detail?: string;
  /** The worst finding about these principals, or `none`. */
  severity: Severity | 'none';
  /** Id of the element of "Who can assume this role" that lists them; absent for the role. */
  target?: string;
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

/** Brings a part of the "Who can assume" section into view and moves the keyboard focus there. */
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
  onActivate: (target: string) => void;
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
  const target = node.target;
  const interactive = target
    ? {
        role: 'button',
        tabIndex: 0,
        'aria-label': `${spoken(node)}. Show in the table`,
        onClick: () => onActivate(target),
        onKeyDown: (event: KeyboardEvent<SVGGElement>) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            onActivate(target);
          }
        },
      }
    : { role: 'img', 'aria-label': spoken(node) };
  return (
    <g data-severity={node.severity} {...interactive}>
      <rect
        width={width}
        height={height}
        rx={6}
        fill={
          target
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
 * A small diagram of who can assume a role: the kinds of principal, each with its count and worst
 * finding, pointing at the role. Activating a kind shows its part of the table below.
 */
export const TrustMap = memo(function TrustMapView(props: {
  roleName: string;
  view: Pick<RoleTrustView, 'principals' | 'reachableFrom'> & {
    analysis: { findings: Finding[] };
  };
  iam: Pick<IamRoleSpec, 'identityCenter' | 'podIdentityAssociations'>;
}) {
  const { roleName, view, iam } = props;
  const theme = useTheme();
  // Stable nodes and edges: the graph lays itself out again whenever they change.
  const graph = useMemo(() => {
    const sources = trustMapSources(view, iam);
    const role: TrustMapNode = {
      id: 'role',
      label: roleName,
      severity: highestSeverity(view.analysis.findings),
    };
    return {
      sources,
      nodes: [...sources, role],
      edges: sources.map(s => ({ from: s.id, to: role.id })),
    };
  }, [roleName, view, iam]);
  const renderNode = useCallback(
    ({ node }: DependencyGraphTypes.RenderNodeProps<TrustMapNode>) => (
      <MapNode node={node} onActivate={showTarget} />
    ),
    [],
  );
  const { sources } = graph;
  if (sources.length === 0) {
    // Nobody to draw: the section's own sentence says so.
    return null;
  }
  const summaryId = 'iam-trust-map-summary';
  // About one row per source at full size; many sources shrink to fit the first screen.
  const height = Math.min(260, sources.length * 36 + 12);
  return (
    <Box
      sx={{
        height,
        overflow: 'hidden',
        mb: 2,
        '& g[role="button"]': { cursor: 'pointer', outline: 'none' },
        '& g[role="button"]:focus-visible > rect, & g[role="button"]:hover > rect':
          { stroke: theme.palette.primary.main, strokeWidth: 3 },
      }}
      data-testid="iam-trust-map"
    >
      <Box component="p" id={summaryId} sx={visuallyHidden}>
        {`${roleName} can be assumed by ${sources.map(spoken).join('; ')}.`}
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
        aria-label={`Who can assume ${roleName}, as a map`}
        aria-describedby={summaryId}
      />
    </Box>
  );
});
