/*
 * Renders the role tab for a role whose trust policy names 500 principals, in jsdom, and writes
 * the time to content to $IAM_BENCH_OUT. Run by `yarn bench` (bench/run.js), not by `yarn test`.
 */
import { writeFileSync } from 'node:fs';
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { identityApiRef } from '@backstage/core-plugin-api';
import {
  mockApis,
  TestApiProvider,
  wrapInTestApp,
} from '@backstage/test-utils';
import {
  catalogApiRef,
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type { Entity } from '@backstage/catalog-model';
import type {
  PrincipalKind,
  ResolvedPrincipal,
  RoleTrustView,
} from '@backstage-iam/plugin-iam-roles-common';
import { iamRolesApiRef, IamRolesApi } from '../src/api/IamRolesApi';
import { RoleTrustContent } from '../src/components/RoleTrustContent';
import { INITIAL_ROWS_PER_KIND } from '../src/components/WhoCanAssume';

const PRINCIPALS = Number(process.env.P ?? 500);
const RUNS = 15;
const ARN = 'arn:aws:iam::111111111111:role/bench-role';

function principal(i: number): {
  statement: Record<string, unknown>;
  resolved: ResolvedPrincipal;
} {
  const account = String(200000000000 + i);
  const kinds: PrincipalKind[] = ['account', 'role', 'oidc', 'service'];
  const kind = kinds[i % kinds.length];
  const base = {
    actions: ['sts:AssumeRole'],
    conditions: [],
    statementIndex: i,
  };
  switch (kind) {
    case 'role':
      return {
        statement: {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:role/deployer-${i}` },
          Action: 'sts:AssumeRole',
        },
        resolved: {
          ...base,
          kind,
          id: `arn:aws:iam::${account}:role/deployer-${i}`,
          accountId: account,
          description: `role deployer-${i} in account ${account}`,
          entityRef: `resource:default/deployer-${i}`,
        },
      };
    case 'oidc':
      return {
        statement: {
          Effect: 'Allow',
          Principal: {
            Federated:
              'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
          },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:sub': `repo:acme/service-${i}:ref:refs/heads/main`,
            },
          },
        },
        resolved: {
          ...base,
          kind,
          actions: ['sts:AssumeRoleWithWebIdentity'],
          id: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
          provider: 'github',
          description: `GitHub Actions in acme/service-${i} on branch main`,
          entityRef: `component:default/service-${i}`,
        },
      };
    case 'service':
      return {
        statement: {
          Effect: 'Allow',
          Principal: { Service: `svc${i}.amazonaws.com` },
          Action: 'sts:AssumeRole',
        },
        resolved: {
          ...base,
          kind,
          id: `svc${i}.amazonaws.com`,
          description: `the AWS service svc${i}`,
        },
      };
    default:
      return {
        statement: {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: 'sts:AssumeRole',
        },
        resolved: {
          ...base,
          kind: 'account',
          id: account,
          accountId: account,
          description: `account ${account} (external), any principal it allows`,
          external: true,
        },
      };
  }
}

const generated = Array.from({ length: PRINCIPALS }, (_, i) => principal(i));
// Through JSON, as the catalog delivers it.
const trustPolicy = JSON.parse(
  JSON.stringify({
    Version: '2012-10-17',
    Statement: generated.map(g => g.statement),
  }),
);
const principals = generated.map(g => g.resolved);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'bench-role', namespace: 'default' },
  spec: {
    type: 'aws-iam-role',
    owner: 'group:default/platform',
    iam: {
      arn: ARN,
      accountId: '111111111111',
      roleName: 'bench-role',
      path: '/',
      roleId: 'AROABENCH',
      createDate: '2024-01-01T00:00:00Z',
      lastUsed: { date: '2026-11-01T00:00:00Z', region: 'eu-west-1' },
      trustPolicy,
      attachedManagedPolicies: [],
      inlinePolicyNames: [],
      findings: [{ id: 'cross-account-no-external-id', severity: 'high' }],
      risk: 'high',
    },
  },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/platform' }],
};

const view: RoleTrustView = {
  entityRef: 'resource:default/bench-role',
  analysis: {
    arn: ARN,
    accountId: '111111111111',
    name: 'bench-role',
    path: '/',
    principals,
    findings: principals
      .filter(p => p.external)
      .slice(0, 50)
      .map(p => ({
        id: 'cross-account-no-external-id' as const,
        severity: 'high' as const,
        message: `Account ${p.id} can assume this role without an ExternalId. Fix: require sts:ExternalId.`,
        principal: p.id,
        statementIndex: p.statementIndex,
      })),
  },
  principals,
  broker: { trusted: true },
};

const emptyPage = { items: [], totalItems: 0, offset: 0, limit: 500 };

const api: Partial<IamRolesApi> = {
  getRoleTrust: async () => view,
  getBrokerInfo: async () => ({
    credentialsEnabled: true,
    defaultDurationMinutes: 60,
    minDurationMinutes: 15,
    maxDurationMinutes: 720,
  }),
  listRequests: async () => emptyPage,
  listApprovals: async () => emptyPage,
  listGrants: async () => emptyPage,
  getAudit: async () => [],
  getRequestOptions: async role => ({
    role,
    requestable: true,
    reasons: [],
    credentials: { issuable: true },
    approvers: { groups: [], quorum: 1, members: [] },
    maxDurationMinutes: 480,
    defaultDurationMinutes: 60,
    breakGlass: { allowed: false },
  }),
};

/** Resolves when the container holds `count` principal rows. */
function rowsRendered(container: HTMLElement, count: number): Promise<void> {
  const rows = () =>
    container.querySelectorAll('section[aria-labelledby^="iam-who-"] tbody tr')
      .length;
  return new Promise(resolve => {
    if (rows() >= count) {
      resolve();
      return;
    }
    const observer = new MutationObserver(() => {
      if (rows() >= count) {
        observer.disconnect();
        resolve();
      }
    });
    observer.observe(container, { childList: true, subtree: true });
  });
}

// What the tab shows first: every kind with its count, the first rows of each.
const perKind = new Map<string, number>();
for (const p of principals) {
  perKind.set(p.kind, (perKind.get(p.kind) ?? 0) + 1);
}
const INITIAL_ROWS = [...perKind.values()].reduce(
  (sum, n) => sum + Math.min(n, INITIAL_ROWS_PER_KIND),
  0,
);

// Measure React as it runs for users, not inside act(): updates are scheduled normally.
(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = false;

// The test app (theme, APIs, router) is mounted once; each run mounts only the tab inside it,
// as navigating to the tab does in an app that is already running.
let setShown: (shown: boolean) => void = () => {};
function Host() {
  const [shown, set] = useState(false);
  setShown = set;
  return shown ? (
    <EntityProvider entity={entity}>
      <RoleTrustContent />
    </EntityProvider>
  ) : null;
}

const container = document.createElement('div');
document.body.appendChild(container);
const root = createRoot(container);

async function mountApp() {
  root.render(
    wrapInTestApp(
      <TestApiProvider
        apis={[
          [iamRolesApiRef, api],
          // The role tab names the account from the catalog's account entities.
          [catalogApiRef, catalogApiMock({ entities: [] })],
          [
            identityApiRef,
            mockApis.identity({ ownershipEntityRefs: ['user:default/dev'] }),
          ],
        ]}
      >
        <Host />
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    ),
  );
  await new Promise(resolve => setTimeout(resolve, 50));
}

async function renderOnce(): Promise<{
  initial: number;
  cpu: number;
  all: number;
}> {
  setShown(false);
  await new Promise(resolve => setTimeout(resolve, 20));

  const start = performance.now();
  // CPU time of this process too: on a shared machine wall time also counts waiting for a core.
  const cpuStart = process.cpuUsage();
  setShown(true);
  await rowsRendered(container, INITIAL_ROWS);
  const initial = performance.now() - start;
  const cpuUsed = process.cpuUsage(cpuStart);
  const cpu = (cpuUsed.user + cpuUsed.system) / 1000;

  // Then every "Show all", until all 500 rows are in the document.
  const expandStart = performance.now();
  for (const button of Array.from(container.querySelectorAll('button'))) {
    if (button.textContent?.startsWith('Show all')) {
      button.click();
    }
  }
  await rowsRendered(container, PRINCIPALS);
  const all = performance.now() - expandStart;
  return { initial, cpu, all };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

it(`renders the role tab with ${PRINCIPALS} principals`, async () => {
  await mountApp();
  // The first render pays for module initialisation and JIT warm-up; it is reported separately.
  const cold = await renderOnce();
  const runs: Array<{ initial: number; cpu: number; all: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(await renderOnce());
  }
  const out = process.env.IAM_BENCH_OUT;
  if (out) {
    writeFileSync(
      out,
      JSON.stringify({
        principals: PRINCIPALS,
        initialRows: INITIAL_ROWS,
        coldMs: cold.initial,
        runsMs: runs.map(r => r.initial),
        medianMs: median(runs.map(r => r.initial)),
        cpuMedianMs: median(runs.map(r => r.cpu)),
        showAllMedianMs: median(runs.map(r => r.all)),
      }),
    );
  }
  root.unmount();
  expect(runs).toHaveLength(RUNS);
});
