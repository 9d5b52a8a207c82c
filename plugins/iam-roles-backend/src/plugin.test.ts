import { TestDatabases } from '@backstage/backend-test-utils';
import { rejectionMessage } from './__testUtils__/rejectionMessage';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { Knex } from 'knex';
import { closeOpenAccess } from './__testUtils__/closeOpenAccess';
import { BROKER_ARN, fixtureEntities } from './__testUtils__/fixtures';
import {
  BrokerTestBackend,
  startBrokerBackend,
  withBrokerBackend,
} from './__testUtils__/startBrokerBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const BROKER_SECRET = 'broker-secret-key-0001';
const fixtureRoleCount = fixtureEntities().filter(
  e => e.kind === 'Resource' && e.spec?.type === 'aws-iam-role',
).length;
const ISSUED = {
  accessKeyId: 'ASIAISSUEDKEY0000001',
  secretAccessKey: 'issued-secret-5f3c9a1e7b2d',
  sessionToken: 'issued-session-token-8e41d07c2b9f6a35',
};

const stsCalls: URLSearchParams[] = [];
const sts = setupServer(
  http.post(
    /^https:\/\/sts(\.[a-z0-9-]+)?\.amazonaws\.com\/?$/,
    async ({ request }) => {
      const params = new URLSearchParams(await request.text());
      stsCalls.push(params);
      if (params.get('Action') !== 'AssumeRole') {
        return new HttpResponse('unexpected action', { status: 400 });
      }
      if (params.get('RoleArn')?.endsWith('/no-broker')) {
        return new HttpResponse(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: ${BROKER_ARN} is not authorized to perform: sts:AssumeRole</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
          { status: 403, headers: { 'content-type': 'text/xml' } },
        );
      }
      const expiration = new Date(
        Date.now() + Number(params.get('DurationSeconds')) * 1000,
      ).toISOString();
      const session = params.get('RoleSessionName');
      return new HttpResponse(
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>${params.get('SourceIdentity')}</SourceIdentity>
    <AssumedRoleUser>
      <Arn>${params
        .get('RoleArn')!
        .replace(':iam::', ':sts::')
        .replace(':role/', ':assumed-role/')}/${session}</Arn>
      <AssumedRoleId>AROATESTROLEID:${session}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${ISSUED.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${ISSUED.secretAccessKey}</SecretAccessKey>
      <SessionToken>${ISSUED.sessionToken}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>`,
        { status: 200, headers: { 'content-type': 'text/xml' } },
      );
    },
  ),
);

const logs: string[] = [];
beforeAll(() => {
  sts.listen({ onUnhandledRequest: 'bypass' });
  for (const level of ['error', 'warn', 'info', 'debug', 'log'] as const) {
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logs.push(
        args
          .map(a => (typeof a === 'string' ? a : JSON.stringify(a)))
          .join(' '),
      );
    });
  }
});
afterAll(() => {
  sts.close();
  jest.restoreAllMocks();
});

const baseConfig = {
  aws: {
    mainAccount: {
      accessKeyId: 'AKIDBROKERTEST000001',
      secretAccessKey: BROKER_SECRET,
    },
  },
  iamRoles: {
    broker: {
      maxDurationMinutes: 240,
      approverGroups: ['group:default/security'],
      rateLimit: { maxRequests: 100, windowSeconds: 3600 },
      sts: {
        region: 'us-east-1',
        brokerPrincipalArn: BROKER_ARN,
        roleChaining: true,
        sessionDurationCapMinutes: 120,
      },
    },
  },
};

const ALICE = 'user:default/alice';
const MALLORY = 'user:default/mallory';
const BOB = 'user:default/bob';
const CAROL = 'user:default/carol';
const SAM = 'user:default/sam';
const DAN = 'user:default/dan';
const DEPLOY = 'resource:default/payments-deploy';

describe('PostgreSQL coverage', () => {
  it('includes PostgreSQL whenever IAM_ROLES_REQUIRE_POSTGRES=1', () => {
    const ids = databases.eachSupportedId().map(([id]) => id);
    const required = process.env.IAM_ROLES_REQUIRE_POSTGRES === '1';
    // CI sets the variable: without a PostgreSQL connection this fails instead of silently skipping.
    expect({ required, postgres: ids.includes('POSTGRES_15') }).toEqual({
      required,
      postgres: required ? true : ids.includes('POSTGRES_15'),
    });
    expect(ids).toContain('SQLITE_3');
  });
});

describe.each(databases.eachSupportedId())('broker on %s', databaseId => {
  let knex: Knex;
  let backend: BrokerTestBackend;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    backend = await startBrokerBackend({ knex, config: baseConfig });
  });
  beforeEach(() => closeOpenAccess(knex));
  afterAll(async () => {
    await backend.stop();
  });

  const create = (user: string, body: Record<string, unknown> = {}) =>
    backend.call('post', '/requests', user, {
      roleRef: DEPLOY,
      justification: 'Rotate the deploy key after incident INC-42',
      durationMinutes: 60,
      ...body,
    });

  it('serves health without a token and nothing else', async () => {
    expect((await backend.call('get', '/health')).status).toBe(200);
    for (const [method, path] of [
      ['get', '/config'],
      ['get', '/requests'],
      ['post', '/requests'],
      ['get', '/approvals'],
      ['get', '/grants'],
      ['get', '/audit'],
      ['get', `/roles/trust?entityRef=${DEPLOY}`],
      ['post', '/requests/6f1c3c1e-6a7e-4a47-9d2e-0d6a43c0e001/approve'],
      ['post', '/grants/6f1c3c1e-6a7e-4a47-9d2e-0d6a43c0e001/credentials'],
    ] as const) {
      expect((await backend.call(method, path)).status).toBe(401);
    }
  });

  it('reports its limits and that credentials are issued', async () => {
    const res = await backend.call('get', '/config', ALICE);
    expect(res.body).toMatchObject({
      credentialsEnabled: true,
      brokerPrincipalArn: BROKER_ARN,
      minDurationMinutes: 15,
      maxDurationMinutes: 240,
    });
  });

  it('runs request → approval → grant → credentials, with SourceIdentity, tags and duration', async () => {
    const created = await create(ALICE);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'pending',
      requester: ALICE,
      roleRef: DEPLOY,
      requiredApprovals: 1,
      canDecide: false,
    });
    const id = created.body.id;
    expect(backend.notifications.at(-1)?.recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/team-payments'],
      excludeEntityRef: ALICE,
    });

    const inbox = await backend.call('get', '/approvals', BOB);
    expect(inbox.body.items.find((r: any) => r.id === id)).toMatchObject({
      canDecide: true,
    });
    expect(
      (await backend.call('get', '/approvals', ALICE)).body.items.find(
        (r: any) => r.id === id,
      ),
    ).toBeUndefined();

    const approved = await backend.call(
      'post',
      `/requests/${id}/approve`,
      BOB,
      { reason: 'ok' },
    );
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'approved',
      decidedBy: BOB,
      grant: { status: 'active', user: ALICE },
    });
    const grant = approved.body.grant;
    const minutes =
      (Date.parse(grant.expiresAt) - Date.parse(grant.grantedAt)) / 60000;
    expect(minutes).toBeCloseTo(60, 0);
    expect(backend.notifications.at(-1)?.recipients).toMatchObject({
      entityRef: [ALICE],
    });

    const before = stsCalls.length;
    const creds = await backend.call(
      'post',
      `/grants/${grant.id}/credentials`,
      ALICE,
    );
    expect(creds.status).toBe(200);
    expect(creds.headers['cache-control']).toBe('no-store');
    expect(creds.body).toMatchObject({
      ...ISSUED,
      roleArn: 'arn:aws:iam::111111111111:role/payments-deploy',
    });
    expect(stsCalls.length).toBe(before + 1);
    const call = stsCalls.at(-1)!;
    expect(call.get('Action')).toBe('AssumeRole');
    expect(call.get('RoleArn')).toBe(
      'arn:aws:iam::111111111111:role/payments-deploy',
    );
    expect(call.get('SourceIdentity')).toBe('alice');
    expect(call.get('RoleSessionName')).toBe('alice');
    const tags: Record<string, string> = {};
    for (let i = 1; call.get(`Tags.member.${i}.Key`); i++) {
      tags[call.get(`Tags.member.${i}.Key`)!] = call.get(
        `Tags.member.${i}.Value`,
      )!;
    }
    expect(tags).toEqual({
      'backstage:request-id': id,
      'backstage:approver': BOB,
      'backstage:user': ALICE,
    });
    // the grant's remaining time (just under 60 minutes) is the least of the three bounds
    const duration = Number(call.get('DurationSeconds'));
    expect(duration).toBeLessThanOrEqual(3600);
    expect(duration).toBeGreaterThan(3500);
  });

  it('caps the session at one hour when chaining, even under a longer grant and cap', async () => {
    const created = await create(ALICE, { durationMinutes: 180 });
    const approved = await backend.call(
      'post',
      `/requests/${created.body.id}/approve`,
      CAROL,
    );
    await backend.call(
      'post',
      `/grants/${approved.body.grant.id}/credentials`,
      ALICE,
    );
    expect(stsCalls.at(-1)!.get('DurationSeconds')).toBe('3600');
    // one grant of a role at a time: give this one back before asking again
    await backend.call(
      'post',
      `/grants/${approved.body.grant.id}/release`,
      ALICE,
      {},
    );

    const short = await create(ALICE, { durationMinutes: 20 });
    const ok = await backend.call(
      'post',
      `/requests/${short.body.id}/approve`,
      CAROL,
    );
    await backend.call(
      'post',
      `/grants/${ok.body.grant.id}/credentials`,
      ALICE,
    );
    const seconds = Number(stsCalls.at(-1)!.get('DurationSeconds'));
    expect(seconds).toBeLessThanOrEqual(1200);
    expect(seconds).toBeGreaterThan(1100);
  });

  it('never stores or logs credentials', async () => {
    const created = await create(ALICE);
    const approved = await backend.call(
      'post',
      `/requests/${created.body.id}/approve`,
      BOB,
    );
    const creds = await backend.call(
      'post',
      `/grants/${approved.body.grant.id}/credentials`,
      ALICE,
    );
    expect(creds.body.secretAccessKey).toBe(ISSUED.secretAccessKey);

    const dump: string[] = [];
    for (const table of [
      'iam_access_requests',
      'iam_approvals',
      'iam_grants',
      'iam_audit_log',
    ]) {
      dump.push(JSON.stringify(await knex(table).select()));
    }
    const db = dump.join('\n');
    expect(db).toContain(created.body.id); // the dump is real
    expect(logs.join('\n')).toContain(
      `Issued credentials for grant ${approved.body.grant.id}`,
    );
    for (const secret of [...Object.values(ISSUED), BROKER_SECRET]) {
      expect(db).not.toContain(secret);
      expect(logs.join('\n')).not.toContain(secret);
    }
    const audit = await knex('iam_audit_log').where({
      action: 'credentials-issued',
      grant_id: approved.body.grant.id,
    });
    expect(audit).toHaveLength(1);
  });

  it('explains when AWS refuses because the role does not trust the broker', async () => {
    // The catalog says the role trusts the broker, but AWS has it otherwise (a trust policy changed
    // since the last read): the broker says what the role needs.
    sts.use(
      http.post(
        /^https:\/\/sts(\.[a-z0-9-]+)?\.amazonaws\.com\/?$/,
        () =>
          new HttpResponse(
            `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: ${BROKER_ARN} is not authorized to perform: sts:AssumeRole</Message></Error><RequestId>r-2</RequestId></ErrorResponse>`,
            { status: 403, headers: { 'content-type': 'text/xml' } },
          ),
        { once: true },
      ),
    );
    const created = await create(ALICE);
    const approved = await backend.call(
      'post',
      `/requests/${created.body.id}/approve`,
      BOB,
    );
    const res = await backend.call(
      'post',
      `/grants/${approved.body.grant.id}/credentials`,
      ALICE,
    );
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/must trust the broker/);
    const failed = await knex('iam_audit_log').where({
      action: 'credentials-failed',
      grant_id: approved.body.grant.id,
    });
    expect(failed).toHaveLength(1);
  });

  it('refuses bad input with messages that say what to fix', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        { justification: 'short' },
        /justification must be at least 10 characters/,
      ],
      [{ durationMinutes: 10 }, /durationMinutes must be at least 15/],
      [{ durationMinutes: 600 }, /durationMinutes must be at most 240/],
      [{ durationMinutes: 'soon' }, /durationMinutes must be a number/],
      [
        { roleRef: 'resource:default/invoices-bucket' },
        /not an aws-iam-role entity/,
      ],
      [
        { roleRef: 'resource:default/does-not-exist' },
        /not an aws-iam-role entity/,
      ],
      [{ roleRef: undefined }, /roleRef is required/],
    ];
    for (const [body, message] of cases) {
      const res = await create(ALICE, body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    const missing = await backend.call(
      'post',
      '/requests/not-a-uuid/approve',
      BOB,
      {},
    );
    expect(missing.status).toBe(400);
    const deny = await backend.call(
      'post',
      '/requests/6f1c3c1e-6a7e-4a47-9d2e-0d6a43c0e001/deny',
      BOB,
      {},
    );
    expect(deny.status).toBe(400);
    expect(deny.body.error.message).toMatch(/reason is required/);
  });

  it('makes one request of a double click (idempotency key)', async () => {
    const key = `click-${databaseId}`;
    const [a, b] = await Promise.all([
      create(ALICE, { idempotencyKey: key }),
      create(ALICE, { idempotencyKey: key }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect(
      await knex('iam_access_requests').where({ idempotency_key: key }),
    ).toHaveLength(1);
    const viaHeader = await closeOpenAccess(knex).then(() =>
      backend.call(
        'post',
        '/requests',
        ALICE,
        {
          roleRef: DEPLOY,
          justification: 'Header-keyed request for INC-7',
          durationMinutes: 30,
        },
        { 'Idempotency-Key': `${key}-h` },
      ),
    );
    const again = await backend.call(
      'post',
      '/requests',
      ALICE,
      {
        roleRef: DEPLOY,
        justification: 'Header-keyed request for INC-7',
        durationMinutes: 30,
      },
      { 'Idempotency-Key': `${key}-h` },
    );
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(viaHeader.body.id);
    const reused = await create(ALICE, {
      idempotencyKey: key,
      durationMinutes: 90,
    });
    expect(reused.status).toBe(409);
    expect(reused.body.error.message).toMatch(/already used/);
  });

  it('refuses who may not act (authorisation matrix)', async () => {
    const own = await create(DAN);
    const selfApprove = await backend.call(
      'post',
      `/requests/${own.body.id}/approve`,
      DAN,
    );
    expect(selfApprove.status).toBe(403);
    expect(selfApprove.body.error.message).toMatch(/your own request/);
    expect(
      (
        await backend.call('post', `/requests/${own.body.id}/deny`, DAN, {
          reason: 'nope',
        })
      ).status,
    ).toBe(403);

    const req = await create(ALICE);
    const id = req.body.id;
    // A request the caller may not see answers as one that does not exist (#18.7).
    expect(
      (await backend.call('post', `/requests/${id}/approve`, MALLORY)).status,
    ).toBe(404);
    expect(
      (
        await backend.call('post', `/requests/${id}/deny`, MALLORY, {
          reason: 'because',
        })
      ).status,
    ).toBe(404);
    expect((await backend.call('get', `/requests/${id}`, MALLORY)).status).toBe(
      404,
    );
    expect(
      (await backend.call('post', `/requests/${id}/cancel`, BOB)).status,
    ).toBe(403);
    expect(
      (
        await backend.call('get', `/requests?mine=false`, MALLORY)
      ).body.items.some((r: any) => r.id === id),
    ).toBe(false);

    // an approver group member may decide on any role
    const approved = await backend.call('post', `/requests/${id}/approve`, SAM);
    expect(approved.status).toBe(200);
    const grantId = approved.body.grant.id;
    expect(
      (await backend.call('post', `/grants/${grantId}/credentials`, MALLORY))
        .status,
    ).toBe(404);
    expect(
      (await backend.call('post', `/grants/${grantId}/credentials`, BOB))
        .status,
    ).toBe(403);
    expect(
      (
        await backend.call('post', `/grants/${grantId}/revoke`, MALLORY, {
          reason: 'mine now',
        })
      ).status,
    ).toBe(404);
    expect(
      (await backend.call('get', '/grants', MALLORY)).body.items.some(
        (g: any) => g.id === grantId,
      ),
    ).toBe(false);
    expect(
      (await backend.call('get', '/grants', BOB)).body.items.some(
        (g: any) => g.id === grantId,
      ),
    ).toBe(true);
    expect((await backend.call('get', `/requests/${id}`, BOB)).status).toBe(
      200,
    );
    expect(
      (await backend.call('get', `/audit?roleRef=${DEPLOY}`, MALLORY)).status,
    ).toBe(403);
  });

  it('lets exactly one of 20 concurrent approvers win', async () => {
    const req = await create(ALICE);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        backend.call(
          'post',
          `/requests/${req.body.id}/approve`,
          `user:default/owner-${i}`,
        ),
      ),
    );
    const statuses = results.map(r => r.status);
    expect(statuses.filter(s => s === 200)).toHaveLength(1);
    expect(statuses.filter(s => s === 409)).toHaveLength(19);
    expect(
      await knex('iam_approvals').where({ request_id: req.body.id }),
    ).toHaveLength(1);
    expect(
      await knex('iam_grants').where({ request_id: req.body.id }),
    ).toHaveLength(1);
    const approvedEvents = await knex('iam_audit_log').where({
      request_id: req.body.id,
      action: 'request-approved',
    });
    expect(approvedEvents).toHaveLength(1);
  });

  it('needs a quorum of distinct approvers when the role asks for one', async () => {
    const req = await create(ALICE, {
      roleRef: 'resource:default/payments-admin',
    });
    expect(req.body.requiredApprovals).toBe(2);
    const first = await backend.call(
      'post',
      `/requests/${req.body.id}/approve`,
      BOB,
    );
    expect(first.body).toMatchObject({
      status: 'pending',
      approvals: [{ approver: BOB }],
    });
    expect(
      (await backend.call('post', `/requests/${req.body.id}/approve`, BOB))
        .status,
    ).toBe(409);
    const second = await backend.call(
      'post',
      `/requests/${req.body.id}/approve`,
      CAROL,
    );
    expect(second.body).toMatchObject({
      status: 'approved',
      grant: { status: 'active' },
    });
  });

  it('lists requests with the same approvals and grant as reading each one', async () => {
    // one open request per user and role: the four come from different requesters or roles
    const plain = await create(ALICE);
    const partial = await create(ALICE, {
      roleRef: 'resource:default/payments-admin',
    });
    await backend.call('post', `/requests/${partial.body.id}/approve`, BOB);
    const approved = await create(MALLORY);
    await backend.call('post', `/requests/${approved.body.id}/approve`, BOB);
    const denied = await create(MALLORY, {
      roleRef: 'resource:default/payments-admin',
    });
    await backend.call('post', `/requests/${denied.body.id}/deny`, BOB, {
      reason: 'Use the read-only role for this',
    });
    const ids = [plain, partial, approved, denied].map(r => r.body.id);

    const listed = (
      await backend.call('get', '/requests?limit=100', SAM)
    ).body.items.filter((r: { id: string }) => ids.includes(r.id));
    const single = await Promise.all(
      ids.map(
        async id => (await backend.call('get', `/requests/${id}`, SAM)).body,
      ),
    );
    // Requests made within one millisecond may list in either order; compare them by id.
    const byId = (a: { id: string }, b: { id: string }) =>
      a.id.localeCompare(b.id);
    expect([...listed].sort(byId)).toEqual([...single].sort(byId));
    expect(
      ids.map(id => {
        const r = listed.find((l: { id: string }) => l.id === id);
        return [r.status, r.approvals.length, r.grant?.status];
      }),
    ).toEqual([
      ['pending', 0, undefined],
      ['pending', 1, undefined],
      ['approved', 1, 'active'],
      ['denied', 0, undefined],
    ]);
  });

  it('answers every list as one page of ListPage, with how many match', async () => {
    const key = `page-${databaseId}`;
    // one open request per user and role: three requesters (Sam sees them all)
    for (const [i, user] of [ALICE, MALLORY, DAN].entries()) {
      await create(user, { idempotencyKey: `${key}-${i}` });
    }
    const all = await backend.call('get', '/requests', SAM);
    expect(all.body.totalItems).toBe(all.body.items.length);
    expect(all.body.totalItems).toBeGreaterThanOrEqual(3);
    const pages = [];
    for (let offset = 0; offset < all.body.totalItems; offset += 2) {
      const page = await backend.call(
        'get',
        `/requests?limit=2&offset=${offset}`,
        SAM,
      );
      expect(page.body).toMatchObject({
        totalItems: all.body.totalItems,
        offset,
        limit: 2,
      });
      pages.push(...page.body.items.map((r: any) => r.id));
    }
    expect(pages).toEqual(all.body.items.map((r: any) => r.id));
    const past = await backend.call(
      'get',
      `/requests?offset=${all.body.totalItems}`,
      SAM,
    );
    expect(past.body).toMatchObject({
      items: [],
      totalItems: all.body.totalItems,
    });
    // Bob owns the role: the requests wait for him, one page at a time.
    const inbox = await backend.call('get', '/approvals?limit=1', BOB);
    expect(inbox.body.items).toHaveLength(1);
    expect(inbox.body.totalItems).toBeGreaterThanOrEqual(3);
    const second = await backend.call(
      'get',
      '/approvals?limit=1&offset=1',
      BOB,
    );
    expect(second.body.items[0].id).not.toBe(inbox.body.items[0].id);
    const grants = await backend.call('get', '/grants?limit=1', BOB);
    expect(grants.body).toMatchObject({ offset: 0, limit: 1 });
    expect(grants.body.items.length).toBeLessThanOrEqual(1);
    expect(grants.body.totalItems).toBeGreaterThanOrEqual(
      grants.body.items.length,
    );
  });

  it('denies with a reason, cancels by the requester, and refuses a second decision', async () => {
    const a = await create(ALICE);
    const denied = await backend.call(
      'post',
      `/requests/${a.body.id}/deny`,
      CAROL,
      { reason: 'Use the read-only role' },
    );
    expect(denied.body).toMatchObject({
      status: 'denied',
      decisionReason: 'Use the read-only role',
      decidedBy: CAROL,
    });
    expect(backend.notifications.at(-1)?.recipients).toMatchObject({
      entityRef: [ALICE],
    });
    const late = await backend.call(
      'post',
      `/requests/${a.body.id}/approve`,
      BOB,
    );
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/already denied/);

    const b = await create(ALICE);
    expect(
      (await backend.call('post', `/requests/${b.body.id}/cancel`, ALICE)).body
        .status,
    ).toBe('cancelled');
    expect(
      (await backend.call('post', `/requests/${b.body.id}/cancel`, ALICE))
        .status,
    ).toBe(409);
    const mine = await backend.call(
      'get',
      '/requests?mine=true&status=cancelled',
      ALICE,
    );
    expect(mine.body.items.map((r: any) => r.id)).toContain(b.body.id);
    expect(mine.body.items.every((r: any) => r.status === 'cancelled')).toBe(
      true,
    );
    expect(mine.body).toMatchObject({
      totalItems: mine.body.items.length,
      offset: 0,
      limit: 100,
    });
  });

  it('revokes a grant; credentials are refused afterwards', async () => {
    const req = await create(ALICE);
    const grant = (
      await backend.call('post', `/requests/${req.body.id}/approve`, BOB)
    ).body.grant;
    const revoked = await backend.call(
      'post',
      `/grants/${grant.id}/revoke`,
      CAROL,
      { reason: 'Incident closed' },
    );
    expect(revoked.body).toMatchObject({
      status: 'revoked',
      revokedBy: CAROL,
      revokeReason: 'Incident closed',
    });
    expect(
      (
        await backend.call('post', `/grants/${grant.id}/revoke`, CAROL, {
          reason: 'again',
        })
      ).status,
    ).toBe(409);
    const creds = await backend.call(
      'post',
      `/grants/${grant.id}/credentials`,
      ALICE,
    );
    expect(creds.status).toBe(409);
    expect(creds.body.error.message).toMatch(/revoked/);
  });

  it('expires stale requests and ended grants in the scheduled task', async () => {
    const stale = await create(ALICE, {
      roleRef: 'resource:default/payments-admin',
    });
    const live = await create(ALICE);
    const grant = (
      await backend.call('post', `/requests/${live.body.id}/approve`, BOB)
    ).body.grant;
    const past = new Date(Date.now() - 60_000).toISOString();
    await knex('iam_access_requests')
      .where({ id: stale.body.id })
      .update({ expires_at: past });
    await knex('iam_grants')
      .where({ id: grant.id })
      .update({ expires_at: past });

    // even before the task runs, an ended grant issues nothing and a stale request takes no decision
    expect(
      (await backend.call('post', `/grants/${grant.id}/credentials`, ALICE))
        .status,
    ).toBe(409);
    expect(
      (await backend.call('post', `/requests/${stale.body.id}/approve`, BOB))
        .status,
    ).toBe(409);

    const sent = backend.notifications.length;
    await backend.tasks.get('iam-roles-broker-expiry')!({} as any);
    expect(
      (await backend.call('get', `/requests/${stale.body.id}`, ALICE)).body
        .status,
    ).toBe('expired');
    expect(
      (await backend.call('get', `/requests/${live.body.id}`, ALICE)).body.grant
        .status,
    ).toBe('expired');
    expect(
      backend.auditEvents
        .filter(
          e =>
            (e.meta as any)?.actionType === 'expire' && e.outcome === 'success',
        )
        .map(e => (e.meta as any).requestId),
    ).toEqual(expect.arrayContaining([stale.body.id, live.body.id]));
    const notes = backend.notifications.slice(sent);
    expect(notes.map(n => n.payload.title)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/request .* expired/),
        expect.stringMatching(/ended/),
      ]),
    );
    expect(
      notes.find(n => /ended/.test(n.payload.title))?.recipients,
    ).toMatchObject({
      entityRef: [ALICE, 'group:default/team-payments'],
    });
  });

  it('keeps an append-only audit trail, exportable as CSV and JSON lines', async () => {
    const req = await create(ALICE, {
      justification: '=HYPERLINK("x"), needs "quotes", commas',
    });
    await backend.call('post', `/requests/${req.body.id}/approve`, BOB);
    const json = await backend.call(
      'get',
      `/audit?roleRef=${DEPLOY}&requestId=${req.body.id}`,
      BOB,
    );
    expect(json.body.map((e: any) => e.action).sort()).toEqual([
      'grant-started',
      'request-approved',
      'request-created',
    ]);
    expect(
      json.body.find((e: any) => e.action === 'request-approved'),
    ).toMatchObject({
      actor: BOB,
      fromState: 'pending',
      toState: 'approved',
    });

    const csv = await backend.call(
      'get',
      `/audit?requestId=${req.body.id}&format=csv`,
      BOB,
    );
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const rows = csv.text.trim().split('\r\n');
    expect(rows[0]).toBe(
      'id,at,actor,action,requestId,grantId,roleRef,fromState,toState,reason',
    );
    expect(rows).toHaveLength(4);
    expect(csv.text).toContain(
      `"'=HYPERLINK(""x""), needs ""quotes"", commas"`,
    );

    const jsonl = await backend.call(
      'get',
      `/audit?requestId=${req.body.id}&format=jsonl`,
      BOB,
    );
    const lines = jsonl.text
      .trim()
      .split('\n')
      .map(l => JSON.parse(l));
    expect(lines.map(l => l.id).sort()).toEqual(
      json.body.map((e: any) => e.id).sort(),
    );

    // Alice owns no role: her unfiltered trail is empty; security sees everything.
    expect((await backend.call('get', '/audit', ALICE)).body).toEqual([]);
    expect(
      (await backend.call('get', `/audit?requestId=${req.body.id}`, SAM)).body,
    ).toHaveLength(3);

    expect(
      await rejectionMessage(
        knex('iam_audit_log')
          .where({ request_id: req.body.id })
          .update({ reason: 'tampered' }),
      ),
    ).toMatch(/append-only/);
    expect(
      await rejectionMessage(
        knex('iam_audit_log').where({ request_id: req.body.id }).delete(),
      ),
    ).toMatch(/append-only/);

    const events = backend.auditEvents.filter(
      e => e.eventId === 'access-request',
    );
    expect(
      events.some(
        e =>
          (e.meta as any)?.actionType === 'approve' && e.outcome === 'success',
      ),
    ).toBe(true);
    expect(
      backend.auditEvents.some(
        e => e.eventId === 'credentials' && e.outcome === 'success',
      ),
    ).toBe(true);
    expect(events.some(e => e.outcome === 'fail')).toBe(true);
  });

  it('answers trust questions from the index', async () => {
    const trust = await backend.call(
      'get',
      `/roles/trust?entityRef=${DEPLOY}`,
      ALICE,
    );
    expect(trust.body.broker).toMatchObject({
      trusted: true,
      principalArn: BROKER_ARN,
    });
    const oidc = trust.body.principals.find((p: any) => p.kind === 'oidc');
    expect(oidc).toMatchObject({ entityRef: 'component:default/payments-api' });
    expect(typeof oidc.description).toBe('string');
    const role = trust.body.principals.find((p: any) => p.kind === 'role');
    expect(role).toMatchObject({ id: BROKER_ARN, external: false });

    const noBroker = await backend.call(
      'get',
      '/roles/trust?entityRef=resource:default/no-broker',
      ALICE,
    );
    expect(noBroker.body.broker).toMatchObject({
      trusted: false,
      requiredStatement: {
        Effect: 'Allow',
        Principal: { AWS: BROKER_ARN },
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
      },
    });
    expect(
      (
        await backend.call(
          'get',
          '/roles/trust?entityRef=resource:default/invoices-bucket',
          ALICE,
        )
      ).status,
    ).toBe(404);

    const assumable = await backend.call(
      'get',
      '/assumable?entityRef=component:default/payments-api',
      ALICE,
    );
    expect(assumable.body.roles.map((r: any) => r.entityRef)).toEqual([DEPLOY]);
    expect(assumable.body.roles[0]).toMatchObject({
      outcome: 'allowed',
      matchedBy: 'github:acme/payments-api@refs/heads/main',
    });
    // which index answered: the UI tells "not indexed yet" from "none" by it
    expect(assumable.body.index).toEqual({
      roles: fixtureRoleCount,
      builtAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });
    // a group: what the catalog relates to it, and to the components it owns (marked `through`);
    // the public role trusts any AWS principal but no catalog entity in particular, so it is not here
    const group = await backend.call(
      'get',
      '/assumable?entityRef=group:default/team-payments',
      ALICE,
    );
    expect(group.body.roles).toEqual([
      expect.objectContaining({
        entityRef: DEPLOY,
        through: 'component:default/payments-api',
        matchedBy: 'github:acme/payments-api@refs/heads/main',
      }),
    ]);

    const lookup = await backend.call(
      'get',
      `/lookup?q=${encodeURIComponent(BROKER_ARN)}`,
      ALICE,
    );
    expect(lookup.body.roles.map((r: any) => r.entityRef).sort()).toEqual(
      [
        'resource:default/legacy-open',
        'resource:default/payments-admin',
        DEPLOY,
      ].sort(),
    );
    const repo = await backend.call(
      'get',
      '/lookup?q=github:acme/payments-api',
      ALICE,
    );
    expect(repo.body.roles.map((r: any) => r.entityRef)).toContain(DEPLOY);
    const provider = await backend.call(
      'get',
      '/lookup?q=token.actions.githubusercontent.com',
      ALICE,
    );
    expect(provider.body.roles.map((r: any) => r.entityRef).sort()).toEqual(
      [DEPLOY, 'resource:default/no-broker'].sort(),
    );
    const bad = await backend.call(
      'get',
      '/lookup?q=not%20a%20principal',
      ALICE,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/Use an IAM or STS ARN/);

    const critical = await backend.call(
      'get',
      '/findings?severity=critical',
      ALICE,
    );
    expect(
      critical.body.items.map((f: any) => `${f.entityRef} ${f.finding.id}`),
    ).toContain('resource:default/legacy-open public-trust');
    expect(
      critical.body.items.every((f: any) => f.finding.severity === 'critical'),
    ).toBe(true);
    const mine = await backend.call(
      'get',
      '/findings?owner=group:default/team-legacy',
      ALICE,
    );
    expect(
      mine.body.items.every(
        (f: any) => f.owner === 'group:default/team-legacy',
      ),
    ).toBe(true);
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.totalItems).toBe(mine.body.items.length);
    const one = await backend.call(
      'get',
      '/findings?owner=group:default/team-legacy&limit=1&offset=1',
      ALICE,
    );
    expect(one.body).toEqual({
      items: mine.body.items.slice(1, 2),
      totalItems: mine.body.totalItems,
      offset: 1,
      limit: 1,
    });
  });
});

describe.each(databases.eachSupportedId())(
  'broker variants on %s',
  databaseId => {
    it('issues no credentials without AWS configuration, and says why', async () => {
      await withBrokerBackend(
        {
          knex: await databases.init(databaseId),
          config: { iamRoles: { broker: { maxDurationMinutes: 120 } } },
        },
        async backend => {
          const info = await backend.call('get', '/config', ALICE);
          expect(info.body).toMatchObject({
            credentialsEnabled: false,
            maxDurationMinutes: 120,
          });
          expect(info.body.credentialsDisabledReason).toMatch(
            /no AWS configuration/,
          );
          const req = await backend.call('post', '/requests', ALICE, {
            roleRef: DEPLOY,
            justification: 'Look at the deploy logs',
            durationMinutes: 30,
          });
          const grant = (
            await backend.call('post', `/requests/${req.body.id}/approve`, BOB)
          ).body.grant;
          expect(grant.status).toBe('active');
          const creds = await backend.call(
            'post',
            `/grants/${grant.id}/credentials`,
            ALICE,
          );
          expect(creds.status).toBe(503);
          expect(creds.body.error.message).toMatch(/issues no credentials/);
          const trust = await backend.call(
            'get',
            `/roles/trust?entityRef=${DEPLOY}`,
            ALICE,
          );
          expect(trust.body.broker).toMatchObject({ trusted: false });
          expect(trust.body.broker.reason).toMatch(/brokerPrincipalArn/);
        },
      );
    });

    it('limits how fast one user creates requests', async () => {
      const knex = await databases.init(databaseId);
      await withBrokerBackend(
        {
          knex,
          config: {
            iamRoles: {
              broker: { rateLimit: { maxRequests: 3, windowSeconds: 600 } },
            },
          },
        },
        async backend => {
          const body = {
            roleRef: DEPLOY,
            justification: 'Investigate the failing deploy',
            durationMinutes: 30,
          };
          for (let i = 0; i < 3; i++) {
            await closeOpenAccess(knex);
            expect(
              (await backend.call('post', '/requests', ALICE, body)).status,
            ).toBe(201);
          }
          const limited = await backend.call('post', '/requests', ALICE, body);
          expect(limited.status).toBe(429);
          expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
          expect(limited.body.error.message).toMatch(
            /at most 3 access requests per 10 minutes/,
          );
          expect(
            (await backend.call('post', '/requests', MALLORY, body)).status,
          ).toBe(201);
        },
      );
    });

    it('auto-approves only what a configured rule covers', async () => {
      const knex = await databases.init(databaseId);
      await withBrokerBackend(
        {
          knex,
          config: {
            iamRoles: {
              broker: {
                autoApprove: [
                  {
                    roleRefs: [DEPLOY],
                    requesterRefs: ['group:default/developers'],
                    maxDurationMinutes: 30,
                  },
                ],
              },
            },
          },
        },
        async backend => {
          const body = {
            roleRef: DEPLOY,
            justification: 'Routine read of deploy history',
            durationMinutes: 30,
          };
          const auto = await backend.call('post', '/requests', ALICE, body);
          expect(auto.body).toMatchObject({
            status: 'approved',
            grant: { status: 'active' },
            decidedBy: 'iam-roles:auto-approval',
          });
          const audit = await knex('iam_audit_log')
            .where({ request_id: auto.body.id })
            .select('action');
          expect(audit.map((a: any) => a.action).sort()).toEqual([
            'grant-started',
            'request-auto-approved',
            'request-created',
          ]);
          await backend.call(
            'post',
            `/grants/${auto.body.grant.id}/release`,
            ALICE,
            {},
          );
          expect(
            (
              await backend.call('post', '/requests', ALICE, {
                ...body,
                durationMinutes: 60,
              })
            ).body.status,
          ).toBe('pending');
          expect(
            (await backend.call('post', '/requests', BOB, body)).body.status,
          ).toBe('pending');
        },
      );
    });

    it('applies the permission policy', async () => {
      await withBrokerBackend(
        {
          knex: await databases.init(databaseId),
          permissions: (permission, user) =>
            !(user === MALLORY && permission === 'iam-roles.request.create') &&
            !(user === CAROL && permission === 'iam-roles.request.approve'),
        },
        async backend => {
          const body = {
            roleRef: DEPLOY,
            justification: 'Investigate the failing deploy',
            durationMinutes: 30,
          };
          const refused = await backend.call(
            'post',
            '/requests',
            MALLORY,
            body,
          );
          expect(refused.status).toBe(403);
          expect(refused.body.error.message).toMatch(
            /iam-roles.request.create on resource:default\/payments-deploy/,
          );
          const req = await backend.call('post', '/requests', ALICE, body);
          expect(
            (
              await backend.call(
                'post',
                `/requests/${req.body.id}/approve`,
                CAROL,
              )
            ).status,
          ).toBe(403);
          expect(
            (
              await backend.call(
                'post',
                `/requests/${req.body.id}/approve`,
                BOB,
              )
            ).status,
          ).toBe(200);
        },
      );
    });
  },
);
