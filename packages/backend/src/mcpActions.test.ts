import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Entity } from '@backstage/catalog-model';
import { analyzeRole } from '@backstage-iam/plugin-iam-roles-common';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import request from 'supertest';
import iamRolesPlugin from '@backstage-iam/plugin-iam-roles-backend';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';

/*
 * The demo's wiring of the IAM roles actions to AI agents: the broker and the MCP actions backend in
 * one backend, an MCP client over Streamable HTTP that lists the tools and calls them, and a request
 * an agent makes over MCP decided by the role's owner over the HTTP API.
 */

jest.setTimeout(60_000);

const DEPLOY = 'resource:default/payments-deploy';
const CARLOS = 'user:default/carlos.garcia';
const PRIYA = 'user:default/priya.patel';
const OWNERS = 'group:default/payments';

/** A role entity as the catalog module emits it, trusted by the broker and by one GitHub repository. */
function roleEntity(): Entity {
  const arn = 'arn:aws:iam::111111111111:role/payments-deploy';
  const trustPolicy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: {
          AWS: 'arn:aws:iam::111111111111:role/backstage-access-broker',
        },
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
      },
      {
        Effect: 'Allow',
        Principal: {
          Federated:
            'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub':
              'repo:acme/payments-api:ref:refs/heads/main',
          },
        },
      },
    ],
  };
  const { findings } = analyzeRole({ arn, trustPolicy });
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: 'payments-deploy',
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-location': 'aws-iam-account:111111111111',
        'backstage.io/managed-by-origin-location':
          'aws-iam-account:111111111111',
        'iam-roles.backstage-iam.io/provider': 'test',
        'amazonaws.com/arn': arn,
        'amazonaws.com/account-id': '111111111111',
      },
    },
    spec: {
      type: 'aws-iam-role',
      owner: OWNERS,
      iam: {
        arn,
        accountId: '111111111111',
        roleName: 'payments-deploy',
        path: '/',
        roleId: 'AROAPAYMENTSDEPLOY',
        trustPolicy,
        attachedManagedPolicies: [],
        inlinePolicyNames: [],
        findings,
      },
    },
  };
}

const ownership: Record<string, string[]> = {
  [CARLOS]: [CARLOS, 'group:default/developers'],
  [PRIYA]: [PRIYA, OWNERS],
};

async function startDemoBackend() {
  return startTestBackend({
    features: [
      iamRolesPlugin,
      mcpActionsPlugin,
      catalogServiceMock.factory({ entities: [roleEntity()] }),
      mockServices.rootConfig.factory({
        data: {
          backend: { actions: { pluginSources: ['iam-roles'] } },
          iamRoles: {
            broker: {
              sts: {
                brokerPrincipalArn:
                  'arn:aws:iam::111111111111:role/backstage-access-broker',
              },
            },
          },
        },
      }),
      mockServices.rootLogger.factory({ level: 'none' }),
      // no token means no credentials, as in production
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.userInfo.mock({
        async getUserInfo(credentials) {
          const ref = (credentials.principal as { userEntityRef: string })
            .userEntityRef;
          return { userEntityRef: ref, ownershipEntityRefs: ownership[ref] };
        },
      }).factory,
    ],
  });
}

/** An MCP client of the backend's MCP endpoint, authenticated with `authorization`. */
async function mcpClient(port: number, authorization: string) {
  const client = new Client({ name: 'iam-roles-test-agent', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(
      new URL(`http://localhost:${port}/api/mcp-actions/v1`),
      { requestInit: { headers: { Authorization: authorization } } },
    ),
  );
  return client;
}

describe('IAM roles actions over MCP', () => {
  let backend: Awaited<ReturnType<typeof startDemoBackend>>;
  let port: number;

  beforeAll(async () => {
    backend = await startDemoBackend();
    port = backend.server.port();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('lists the broker actions as tools, with their read-only and destructive hints', async () => {
    const client = await mcpClient(port, mockCredentials.user.header(CARLOS));
    try {
      const { tools } = await client.listTools();
      const byName = Object.fromEntries(tools.map(t => [t.name, t]));
      expect(Object.keys(byName).sort()).toEqual([
        'iam-roles.cancel-request',
        'iam-roles.list-findings',
        'iam-roles.lookup',
        'iam-roles.request-access',
        'iam-roles.what-can-assume',
        'iam-roles.who-can-assume',
      ]);
      expect(byName['iam-roles.who-can-assume'].annotations).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
      });
      expect(byName['iam-roles.request-access'].annotations).toMatchObject({
        readOnlyHint: false,
        destructiveHint: false,
      });
      expect(byName['iam-roles.request-access'].inputSchema.required).toEqual([
        'roleRef',
        'justification',
        'durationMinutes',
      ]);
    } finally {
      await client.close();
    }
  });

  it('calls who-can-assume on a role', async () => {
    const client = await mcpClient(port, mockCredentials.user.header(CARLOS));
    try {
      const result = await client.callTool({
        name: 'iam-roles.who-can-assume',
        arguments: { roleRef: DEPLOY },
      });
      expect(result.isError).toBeFalsy();
      const output = result.structuredContent as any;
      expect(output.entityRef).toBe(DEPLOY);
      expect(output.broker.trusted).toBe(true);
      expect(
        output.principals.map((p: { description: string }) => p.description),
      ).toEqual(
        expect.arrayContaining([expect.stringMatching(/acme\/payments-api/)]),
      );
    } finally {
      await client.close();
    }
  });

  it('tells the agent what to fix when the input is wrong', async () => {
    const client = await mcpClient(port, mockCredentials.user.header(CARLOS));
    try {
      const result = await client.callTool({
        name: 'iam-roles.request-access',
        arguments: {
          roleRef: DEPLOY,
          justification: 'short',
          durationMinutes: 30,
        },
      });
      expect(result.isError).toBe(true);
      expect((result.content as Array<{ text: string }>)[0].text).toMatch(
        /InputError: .*justification must be at least 10 characters/,
      );
    } finally {
      await client.close();
    }
  });

  it("decides an agent's request over the HTTP API as a person's", async () => {
    const client = await mcpClient(port, mockCredentials.user.header(CARLOS));
    let id: string;
    try {
      const result = await client.callTool({
        name: 'iam-roles.request-access',
        arguments: {
          roleRef: DEPLOY,
          justification: 'Redeploy payments-api after the failed rollout',
          durationMinutes: 30,
        },
      });
      expect(result.isError).toBeFalsy();
      const output = result.structuredContent as any;
      expect(output).toMatchObject({
        created: true,
        request: { requester: CARLOS, status: 'pending' },
      });
      id = output.request.id;
    } finally {
      await client.close();
    }

    const approved = await request(backend.server)
      .post(`/api/iam-roles/requests/${id}/approve`)
      .set('Authorization', mockCredentials.user.header(PRIYA))
      .send({ reason: 'ok for the rollout' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'approved',
      grant: { user: CARLOS, status: 'active' },
    });
    const grants = await request(backend.server)
      .get('/api/iam-roles/grants?mine=true&status=active')
      .set('Authorization', mockCredentials.user.header(CARLOS));
    expect(
      grants.body.items.map((g: { requestId: string }) => g.requestId),
    ).toContain(id);
  });

  // The test backend's auth forwards a service's subject; a real backend presents every service
  // caller of the MCP endpoint as plugin:mcp-actions (the backend README says so). Either is refused
  // unless iamRoles.actions.allowedServicePrincipals lists it.
  it('refuses request-access to a service principal config does not name, as a tool error', async () => {
    const client = await mcpClient(
      port,
      mockCredentials.service.header({
        onBehalfOf: mockCredentials.service('external:ci-bot'),
        targetPluginId: 'mcp-actions',
      }),
    );
    try {
      const result = await client.callTool({
        name: 'iam-roles.request-access',
        arguments: {
          roleRef: DEPLOY,
          justification: 'Redeploy payments-api after the failed rollout',
          durationMinutes: 30,
        },
      });
      expect(result.isError).toBe(true);
      expect((result.content as Array<{ text: string }>)[0].text).toMatch(
        /NotAllowedError: .*iamRoles\.actions\.allowedServicePrincipals/,
      );
    } finally {
      await client.close();
    }
  });

  it('refuses an MCP client without a token', async () => {
    const res = await request(backend.server)
      .post('/api/mcp-actions/v1')
      .set('Accept', 'application/json, text/event-stream')
      .send({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(res.status).toBe(401);
  });
});
