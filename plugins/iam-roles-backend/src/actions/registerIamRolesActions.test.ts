import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { closeOpenAccess } from '../__testUtils__/closeOpenAccess';
import request from 'supertest';
import { BROKER_ARN } from '../__testUtils__/fixtures';
import {
  BrokerTestBackend,
  startBrokerBackend,
} from '../__testUtils__/startBrokerBackend';
import { IAM_ROLES_ACTION_NAMES } from './registerIamRolesActions';

/*
 * The broker's actions as the actions registry serves them to the actions service (and so to the
 * MCP backend): each action, the authorisation matrix for agents, and an agent's request going
 * through the same approval as a person's.
 */

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const ALICE = 'user:default/alice';
const MALLORY = 'user:default/mallory';
const BOB = 'user:default/bob';
const SAM = 'user:default/sam';
const DEPLOY = 'resource:default/payments-deploy';
const AGENT = 'incident-agent';
const STRANGER = 'some-script';

const config = {
  backend: { actions: { pluginSources: ['iam-roles'] } },
  iamRoles: {
    actions: { allowedServicePrincipals: [AGENT] },
    broker: {
      maxDurationMinutes: 240,
      rateLimit: { maxRequests: 100, windowSeconds: 3600 },
      sts: { brokerPrincipalArn: BROKER_ARN },
    },
  },
};

/** A caller of the actions: a user's token, a service principal's, or none. */
type As = { user: string } | { service: string } | 'anonymous';

const authHeader = (as: As) => {
  if (as === 'anonymous') {
    return undefined;
  }
  return 'user' in as
    ? mockCredentials.user.header(as.user)
    : mockCredentials.service.header({
        onBehalfOf: mockCredentials.service(as.service),
        targetPluginId: 'iam-roles',
      });
};

beforeAll(() => {
  // the backend logs every request at debug level; the assertions read responses and audit events
  for (const level of ['info', 'debug', 'log'] as const) {
    jest.spyOn(console, level).mockImplementation(() => {});
  }
});
afterAll(() => {
  jest.restoreAllMocks();
});

describe.each(databases.eachSupportedId())('actions on %s', databaseId => {
  let knex: Knex;
  let backend: BrokerTestBackend;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    backend = await startBrokerBackend({
      knex,
      config,
      logLevel: 'none',
      // mallory may read but not request, sam may not read trust; everyone else may do anything
      permissions: (permission, user) =>
        !(user === MALLORY && permission === 'iam-roles.request.create') &&
        !(user === SAM && permission === 'iam-roles.trust.read'),
    });
  });
  // One open request per user and role: each test starts with none.
  beforeEach(() => closeOpenAccess(knex));
  afterAll(async () => {
    await backend.stop();
  });

  const invoke = (
    name: string,
    input: object,
    as: As,
    header = authHeader(as),
  ) => {
    const req = request(backend.server).post(
      `/api/iam-roles/.backstage/actions/v1/actions/iam-roles:${name}/invoke`,
    );
    return (header ? req.set('Authorization', header) : req).send(input);
  };

  const requestAccess = (as: As, extra: object = {}) =>
    invoke(
      'request-access',
      {
        roleRef: DEPLOY,
        justification: 'Investigate the failed deploy of INC-7 in production',
        durationMinutes: 30,
        ...extra,
      },
      as,
    );

  const lastAudit = (action: string) =>
    backend.auditEvents.filter(e => (e.meta as any)?.action === action).at(-1);

  it('lists the six actions, the four questions read-only and the two requests not destructive', async () => {
    const res = await request(backend.server)
      .get('/api/iam-roles/.backstage/actions/v1/actions')
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(res.status).toBe(200);
    const actions = res.body.actions as Array<{
      id: string;
      name: string;
      attributes: Record<string, boolean>;
      schema: { input: { required?: string[] } };
    }>;
    expect(actions.map(a => a.name).sort()).toEqual(
      [...IAM_ROLES_ACTION_NAMES].sort(),
    );
    const byName = Object.fromEntries(actions.map(a => [a.name, a]));
    for (const name of [
      'who-can-assume',
      'what-can-assume',
      'lookup',
      'list-findings',
    ]) {
      expect(byName[name].attributes).toEqual({
        readOnly: true,
        destructive: false,
        idempotent: true,
      });
    }
    for (const name of ['request-access', 'cancel-request']) {
      expect(byName[name].attributes).toMatchObject({
        readOnly: false,
        destructive: false,
      });
    }
    expect(byName['request-access'].id).toBe('iam-roles:request-access');
    expect(byName['request-access'].schema.input.required).toEqual([
      'roleRef',
      'justification',
      'durationMinutes',
    ]);
  });

  it('who-can-assume answers from the trust index, audited with the caller', async () => {
    const res = await invoke(
      'who-can-assume',
      { roleRef: 'payments-deploy' },
      {
        user: ALICE,
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.output.entityRef).toBe(DEPLOY);
    expect(res.body.output.broker.trusted).toBe(true);
    expect(
      res.body.output.principals.map((p: any) => p.description).join('\n'),
    ).toMatch(/acme\/payments-api/);
    expect(lastAudit('who-can-assume')).toMatchObject({
      eventId: 'trust-read',
      outcome: 'success',
      meta: { actor: ALICE, actorType: 'user', roleRef: 'payments-deploy' },
    });
  });

  it('answers a role that is not in the catalog with a 404, and a caller without the trust read permission with a 403', async () => {
    const missing = await invoke(
      'who-can-assume',
      { roleRef: 'resource:default/no-such-role' },
      { user: ALICE },
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(
      /No aws-iam-role entity resource:default\/no-such-role/,
    );
    for (const [name, input] of [
      ['who-can-assume', { roleRef: DEPLOY }],
      ['what-can-assume', { entityRef: 'component:default/payments-api' }],
      ['lookup', { q: '111111111111' }],
      ['list-findings', {}],
    ] as const) {
      const res = await invoke(name, input, { user: SAM });
      expect({
        name,
        status: res.status,
        message: res.body.error?.message,
      }).toEqual({
        name,
        status: 403,
        message: 'The permission policy does not allow iam-roles.trust.read.',
      });
      expect(lastAudit(name)).toMatchObject({
        outcome: 'fail',
        meta: { actor: SAM },
      });
    }
  });

  it('what-can-assume lists the roles of a component', async () => {
    const res = await invoke(
      'what-can-assume',
      { entityRef: 'component:default/payments-api' },
      { user: ALICE },
    );
    expect(res.status).toBe(200);
    expect(res.body.output.query).toBe('component:default/payments-api');
    expect(res.body.output.roles.map((r: any) => r.entityRef)).toContain(
      DEPLOY,
    );
  });

  it('lookup answers the incident question for a repository', async () => {
    const res = await invoke(
      'lookup',
      { q: 'github:acme/payments-api@refs/heads/main' },
      { user: ALICE },
    );
    expect(res.status).toBe(200);
    const deploy = res.body.output.roles.find(
      (r: any) => r.entityRef === DEPLOY,
    );
    expect(deploy).toMatchObject({ outcome: 'allowed' });
  });

  it('list-findings pages the findings, most severe first', async () => {
    const all = await invoke('list-findings', {}, { user: ALICE });
    expect(all.status).toBe(200);
    expect(all.body.output.items.length).toBeGreaterThan(0);
    expect(all.body.output.items[0].entityRef).toBe(
      'resource:default/legacy-open',
    );
    const page = await invoke(
      'list-findings',
      { limit: 1, offset: 1 },
      { user: ALICE },
    );
    expect(page.body.output).toMatchObject({
      totalItems: all.body.output.totalItems,
      offset: 1,
      limit: 1,
    });
    expect(page.body.output.items).toEqual([all.body.output.items[1]]);
    const owned = await invoke(
      'list-findings',
      { owner: 'group:default/team-legacy', severity: 'high' },
      { user: ALICE },
    );
    expect(
      owned.body.output.items.every(
        (f: any) => f.owner === 'group:default/team-legacy',
      ),
    ).toBe(true);
  });

  it('turns bad input into a 400 that says what to fix, and audits it', async () => {
    const badRef = await invoke(
      'who-can-assume',
      { roleRef: 'payments deploy' },
      { user: ALICE },
    );
    expect(badRef.status).toBe(400);
    expect(badRef.body.error.message).toMatch(
      /roleRef contains a blank.*e\.g\. resource:default\/payments-deploy/,
    );
    expect(lastAudit('who-can-assume')).toMatchObject({ outcome: 'fail' });

    const short = await requestAccess({ user: ALICE }, { durationMinutes: 5 });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(
      /durationMinutes must be at least 15/,
    );
    const severity = await invoke(
      'list-findings',
      { severity: 'dire' },
      { user: ALICE },
    );
    expect(severity.status).toBe(400);
  });

  describe('authorisation matrix of request-access', () => {
    it('lets a user request, as themselves', async () => {
      const res = await requestAccess({ user: ALICE });
      expect(res.status).toBe(200);
      expect(res.body.output).toMatchObject({
        created: true,
        request: { requester: ALICE, roleRef: DEPLOY, status: 'pending' },
      });
      expect(lastAudit('request-access')).toMatchObject({
        eventId: 'access-request',
        outcome: 'success',
        meta: { actionType: 'create', actor: ALICE, actorType: 'user' },
      });
    });

    it('records the service a user called through', async () => {
      const res = await invoke(
        'request-access',
        {
          roleRef: DEPLOY,
          justification: 'Investigate the failed deploy of INC-8 in production',
          durationMinutes: 30,
        },
        { user: ALICE },
        // a user's token as a service forwards it on their behalf (an `actor` in the credentials)
        `Bearer ${mockCredentials.user.token(ALICE, {
          actor: { subject: 'plugin:mcp-actions' },
        })}`,
      );
      expect(res.status).toBe(200);
      expect(lastAudit('request-access')?.meta).toMatchObject({
        actor: ALICE,
        via: 'plugin:mcp-actions',
      });
    });

    it('lets a service principal that config names request, as itself', async () => {
      const res = await requestAccess({ service: AGENT });
      expect(res.status).toBe(200);
      expect(res.body.output.request).toMatchObject({
        requester: AGENT,
        status: 'pending',
      });
      expect(lastAudit('request-access')).toMatchObject({
        outcome: 'success',
        meta: { actor: AGENT, actorType: 'service' },
      });
    });

    it('refuses a service principal config does not name, and audits the refusal', async () => {
      const before = await knex('iam_access_requests').count({ n: '*' });
      const res = await requestAccess({ service: STRANGER });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(
        /call it as a signed-in user.*some-script.*iamRoles\.actions\.allowedServicePrincipals/,
      );
      expect(lastAudit('request-access')).toMatchObject({
        outcome: 'fail',
        meta: { actor: STRANGER, actorType: 'service' },
      });
      expect(await knex('iam_access_requests').count({ n: '*' })).toEqual(
        before,
      );
      // the same principal may still ask the read-only questions
      const read = await invoke(
        'who-can-assume',
        { roleRef: DEPLOY },
        { service: STRANGER },
      );
      expect(read.status).toBe(200);
    });

    it('refuses a user the permission policy does not allow to request', async () => {
      const res = await requestAccess({ user: MALLORY });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        `The permission policy does not allow iam-roles.request.create on ${DEPLOY}.`,
      );
      expect(lastAudit('request-access')).toMatchObject({
        outcome: 'fail',
        meta: { actor: MALLORY },
      });
    });

    it('refuses anonymous callers', async () => {
      const res = await requestAccess('anonymous');
      expect(res.status).toBe(401);
    });
  });

  it("puts an agent's request through the same approval as a person's", async () => {
    const created = await requestAccess(
      { service: AGENT },
      { idempotencyKey: 'agent-approval-1' },
    );
    expect(created.status).toBe(200);
    const id = created.body.output.request.id;
    // a retry of the agent with the same key is the same request
    const replay = await requestAccess(
      { service: AGENT },
      { idempotencyKey: 'agent-approval-1' },
    );
    expect(replay.body.output).toMatchObject({
      created: false,
      request: { id },
    });

    // the owning group sees it in its inbox and decides over the HTTP API, as for a person
    const inbox = await backend.call('get', '/approvals', BOB);
    expect(inbox.body.items.map((r: any) => r.id)).toContain(id);
    // outside the owning group the request does not even exist
    expect(
      (await backend.call('post', `/requests/${id}/approve`, ALICE, {})).status,
    ).toBe(404);
    const approved = await backend.call(
      'post',
      `/requests/${id}/approve`,
      BOB,
      { reason: 'Go ahead for INC-7' },
    );
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'approved',
      requester: AGENT,
      grant: { user: AGENT, status: 'active', roleRef: DEPLOY },
    });

    const grants = await backend.call(
      'get',
      `/grants?roleRef=${DEPLOY}&status=active`,
      BOB,
    );
    expect(
      grants.body.items
        .filter((g: any) => g.user === AGENT)
        .map((g: any) => g.requestId),
    ).toContain(id);
    const trail = await backend.call('get', `/audit?requestId=${id}`, BOB);
    expect(trail.body.map((e: any) => [e.action, e.actor])).toEqual(
      expect.arrayContaining([
        ['request-created', AGENT],
        ['request-approved', BOB],
      ]),
    );
  });

  it('cancel-request withdraws the caller’s own pending request only', async () => {
    const created = await requestAccess({ user: ALICE });
    const id = created.body.output.request.id;

    const other = await invoke(
      'cancel-request',
      { requestId: id },
      {
        service: AGENT,
      },
    );
    expect(other.status).toBe(404);

    const bad = await invoke(
      'cancel-request',
      { requestId: 'nope' },
      {
        user: ALICE,
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/requestId must be the id/);

    const refused = await invoke(
      'cancel-request',
      { requestId: id },
      {
        service: STRANGER,
      },
    );
    expect(refused.status).toBe(403);

    const cancelled = await invoke(
      'cancel-request',
      { requestId: id },
      {
        user: ALICE,
      },
    );
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.output.request).toMatchObject({
      id,
      status: 'cancelled',
    });
    expect(lastAudit('cancel-request')).toMatchObject({
      eventId: 'access-request',
      outcome: 'success',
      meta: { actionType: 'cancel', requestId: id, actor: ALICE },
    });

    const again = await invoke(
      'cancel-request',
      { requestId: id },
      {
        user: ALICE,
      },
    );
    expect(again.status).toBe(409);
  });
});
