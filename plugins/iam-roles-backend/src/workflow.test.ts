import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { Knex } from 'knex';
import {
  BROKER_ARN,
  fixtureEntities,
  roleEntity,
  USERS,
} from './__testUtils__/fixtures';
import {
  BrokerTestBackend,
  startBrokerBackend,
  withBrokerBackend,
} from './__testUtils__/startBrokerBackend';
import { closeOpenAccess } from './__testUtils__/closeOpenAccess';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const ALICE = 'user:default/alice';
const MALLORY = 'user:default/mallory';
const BOB = 'user:default/bob';
const CAROL = 'user:default/carol';
const ERIN = 'user:default/erin';
const DEPLOY = 'resource:default/payments-deploy';
const BREAK_GLASS = 'resource:default/payments-breakglass';
const SRE_ONLY = 'resource:default/sre-only';
const NO_BROKER = 'resource:default/no-broker';

// erin decides for the SRE group only: she owns no role and is in no configured approver group.
USERS[ERIN] = [ERIN, 'group:default/sre'];

const brokerStatement = {
  Effect: 'Allow',
  Principal: { AWS: BROKER_ARN },
  Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
};

function userEntity(
  name: string,
  displayName: string,
  groups: string[],
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { profile: { displayName }, memberOf: groups },
    relations: groups.map(g => ({
      type: 'memberOf',
      targetRef: `group:default/${g}`,
    })),
  };
}

/** A role the catalog module emitted under an AWS-managed path. */
function managedRole(name: string, path: string): Entity {
  const entity = roleEntity({
    name,
    owner: 'group:default/platform',
    statements: [brokerStatement],
  });
  const arn = `arn:aws:iam::111111111111:role${path}${name}`;
  entity.metadata.annotations!['amazonaws.com/arn'] = arn;
  const iam = (entity.spec as any).iam;
  iam.arn = arn;
  iam.path = path;
  return entity;
}

function entities(): Entity[] {
  return [
    ...fixtureEntities(),
    roleEntity({
      name: 'payments-breakglass',
      owner: 'group:default/team-payments',
      statements: [brokerStatement],
      annotations: { 'iam-roles.backstage-iam.io/break-glass': 'true' },
    }),
    roleEntity({
      name: 'sre-only',
      owner: 'group:default/team-payments',
      statements: [brokerStatement],
      annotations: {
        'iam-roles.backstage-iam.io/approver-groups': 'group:default/sre',
        'iam-roles.backstage-iam.io/eligible-groups': 'developers',
      },
    }),
    managedRole('AWSServiceRoleForECS', '/aws-service-role/ecs.amazonaws.com/'),
    managedRole(
      'AWSReservedSSO_Admin_0123456789abcdef',
      '/aws-reserved/sso.amazonaws.com/',
    ),
    userEntity('alice', 'Alice Example', ['developers']),
    userEntity('bob', 'Bob Owner', ['team-payments']),
    userEntity('carol', 'Carol Owner', ['team-payments']),
    userEntity('erin', 'Erin Sre', ['sre']),
  ];
}

const config = {
  aws: {
    mainAccount: {
      accessKeyId: 'AKIDBROKERTEST000001',
      secretAccessKey: 'broker-secret-key-0002',
    },
  },
  iamRoles: {
    broker: {
      maxDurationMinutes: 240,
      rateLimit: { maxRequests: 100, windowSeconds: 3600 },
      breakGlass: { maxDurationMinutes: 30 },
      roleRules: [
        {
          roles: ['resource:default/legacy-*'],
          eligibleGroups: ['group:default/nobody'],
        },
      ],
      sts: { region: 'us-east-1', brokerPrincipalArn: BROKER_ARN },
    },
  },
};

const minutesBetween = (a: string, b: string) =>
  Math.round((Date.parse(b) - Date.parse(a)) / 60_000);

describe.each(databases.eachSupportedId())('workflow on %s', databaseId => {
  let knex: Knex;
  let backend: BrokerTestBackend;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    backend = await startBrokerBackend({
      knex,
      config,
      entities: entities(),
      logLevel: 'none',
    });
  });
  afterAll(async () => {
    await backend.stop();
  });
  beforeEach(() => closeOpenAccess(knex));

  const options = (user: string, role: string) =>
    backend.call(
      'get',
      `/request-options?role=${encodeURIComponent(role)}`,
      user,
    );
  const request = (user: string, roleRef: string, durationMinutes = 60) =>
    backend.call('post', '/requests', user, {
      roleRef,
      justification: 'Rotate the deploy key after incident INC-42',
      durationMinutes,
    });
  /** A fresh grant of `role` to `user`, approved by `approver`. */
  async function grantOf(user: string, role: string, approver = BOB) {
    const created = await request(user, role);
    expect(created.status).toBe(201);
    const approved = await backend.call(
      'post',
      `/requests/${created.body.id}/approve`,
      approver,
      {},
    );
    expect(approved.status).toBe(200);
    return approved.body.grant as { id: string; expiresAt: string };
  }
  const release = (user: string, grantId: string) =>
    backend.call('post', `/grants/${grantId}/release`, user, {});
  const extend = (user: string, grantId: string, durationMinutes = 30) =>
    backend.call('post', `/grants/${grantId}/extend`, user, {
      durationMinutes,
      justification: 'The migration takes longer than planned',
    });
  const audit = async (requestId: string) =>
    (await backend.call('get', `/audit?requestId=${requestId}`, BOB)).body.map(
      (e: { action: string }) => e.action,
    );

  it('answers request-options in one place, and refuses duplicates with a 409', async () => {
    const first = await options(ALICE, DEPLOY);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      role: DEPLOY,
      roleTitle: 'payments-deploy',
      requestable: true,
      reasons: [],
      credentials: { issuable: true },
      approvers: {
        groups: ['group:default/team-payments'],
        quorum: 1,
        members: [BOB, CAROL],
      },
      maxDurationMinutes: 240,
      defaultDurationMinutes: 60,
      breakGlass: { allowed: false },
    });

    const created = await request(ALICE, DEPLOY);
    expect(created.status).toBe(201);
    const pending = await options(ALICE, DEPLOY);
    expect(pending.body.openRequest).toMatchObject({
      id: created.body.id,
      status: 'pending',
    });
    const again = await request(ALICE, DEPLOY, 30);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already have a pending request/);

    const approved = await backend.call(
      'post',
      `/requests/${created.body.id}/approve`,
      BOB,
      {},
    );
    const granted = await options(ALICE, DEPLOY);
    expect(granted.body.openRequest).toBeUndefined();
    expect(granted.body.activeGrant).toMatchObject({
      id: approved.body.grant.id,
      status: 'active',
    });
    const duplicate = await request(ALICE, DEPLOY);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.message).toMatch(/extend that grant/);
    // bob's options do not list alice's request or grant
    const other = await options(BOB, DEPLOY);
    expect(other.body.openRequest).toBeUndefined();
    expect(other.body.activeGrant).toBeUndefined();
    expect(other.body.approvers.members).toEqual([CAROL]);
    expect((await release(ALICE, approved.body.grant.id)).status).toBe(200);
  });

  it('says why a role cannot be requested, and refuses the request', async () => {
    const untrusted = await options(ALICE, NO_BROKER);
    expect(untrusted.body.requestable).toBe(false);
    expect(untrusted.body.reasons[0]).toMatch(/does not trust the broker/);
    expect(untrusted.body.credentials).toMatchObject({
      issuable: false,
      trustStatement: {
        Effect: 'Allow',
        Principal: { AWS: BROKER_ARN },
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
      },
    });
    expect((await request(ALICE, NO_BROKER)).status).toBe(403);

    const slr = await options(
      ALICE,
      'resource:default/awsservicerolefor' + 'ecs',
    );
    expect(slr.status).toBe(200);
    expect(slr.body.reasons).toEqual([
      expect.stringMatching(/service-linked role of ecs\.amazonaws\.com/),
    ]);
    const sso = await options(
      ALICE,
      'resource:default/AWSReservedSSO_Admin_0123456789abcdef',
    );
    expect(sso.body.requestable).toBe(false);
    expect(sso.body.reasons[0]).toMatch(/IAM Identity Center/);
    const refused = await request(
      ALICE,
      'resource:default/AWSReservedSSO_Admin_0123456789abcdef',
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/Identity Center/);

    // a config rule by pattern: nobody is eligible for legacy-* roles
    const legacy = await options(ALICE, 'resource:default/legacy-open');
    expect(legacy.body.eligibleGroups).toEqual(['group:default/nobody']);
    expect(legacy.body.reasons).toEqual([
      'Only members of group:default/nobody may request this role.',
    ]);
    expect((await options(ALICE, 'resource:default/missing')).status).toBe(404);
    expect((await backend.call('get', '/request-options', ALICE)).status).toBe(
      400,
    );
  });

  it('applies approver rules: eligible groups request, the named groups decide, never the requester', async () => {
    const shown = await options(ALICE, SRE_ONLY);
    expect(shown.body).toMatchObject({
      requestable: true,
      eligibleGroups: ['group:default/developers'],
      approvers: { groups: ['group:default/sre'], members: [ERIN] },
    });
    const notEligible = await options(BOB, SRE_ONLY);
    expect(notEligible.body.requestable).toBe(false);
    expect(notEligible.body.reasons).toEqual([
      'Only members of group:default/developers may request this role.',
    ]);
    expect((await request(BOB, SRE_ONLY)).status).toBe(403);

    const created = await request(ALICE, SRE_ONLY);
    expect(created.body.approverGroups).toEqual(['group:default/sre']);
    // the owning group no longer decides: the rule names sre
    const byOwner = await backend.call(
      'post',
      `/requests/${created.body.id}/approve`,
      BOB,
      {},
    );
    expect(byOwner.status).toBe(403);
    expect(byOwner.body.error.message).toMatch(/group:default\/sre/);
    const self = await backend.call(
      'post',
      `/requests/${created.body.id}/approve`,
      ALICE,
      {},
    );
    expect(self.status).toBe(403);
    const inbox = await backend.call('get', '/approvals', ERIN);
    expect(inbox.body.items.map((r: { id: string }) => r.id)).toEqual([
      created.body.id,
    ]);
    const approved = await backend.call(
      'post',
      `/requests/${created.body.id}/approve`,
      ERIN,
      {},
    );
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('approved');
    expect((await release(ALICE, approved.body.grant.id)).status).toBe(200);
  });

  it('extends a grant after approval by the owners, within the maximum, audited both ways', async () => {
    const grant = await grantOf(ALICE, DEPLOY);
    expect((await extend(BOB, grant.id)).status).toBe(403);
    expect((await extend(ALICE, grant.id, 200)).status).toBe(400);
    const asked = await extend(ALICE, grant.id, 30);
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({
      kind: 'extension',
      extendsGrantId: grant.id,
      status: 'pending',
      durationMinutes: 30,
    });
    expect(backend.notifications.at(-1)?.payload).toMatchObject({
      title: 'Alice Example asks to extend access to payments-deploy',
      link: `/iam-roles?request=${asked.body.id}`,
    });
    const second = await extend(ALICE, grant.id, 15);
    expect(second.status).toBe(409);
    expect(second.body.error.message).toMatch(/already pending/);
    const self = await backend.call(
      'post',
      `/requests/${asked.body.id}/approve`,
      ALICE,
      {},
    );
    expect(self.status).toBe(403);
    const approved = await backend.call(
      'post',
      `/requests/${asked.body.id}/approve`,
      BOB,
      {},
    );
    expect(approved.status).toBe(200);
    const grants = await backend.call('get', `/grants?mine=true`, ALICE);
    const moved = grants.body.items.find(
      (g: { id: string }) => g.id === grant.id,
    );
    expect(minutesBetween(grant.expiresAt, moved.expiresAt)).toBe(30);
    expect(moved.extensions).toBe(1);
    expect(await audit(asked.body.id)).toEqual(
      expect.arrayContaining(['request-created', 'request-approved']),
    );
    const trail = (
      await backend.call('get', `/audit?action=grant-extended`, BOB)
    ).body;
    expect(trail[0]).toMatchObject({ grantId: grant.id, actor: BOB });
    expect(trail[0].reason).toContain(moved.expiresAt);
    expect(backend.notifications.at(-1)?.payload.title).toBe(
      'Access to payments-deploy extended',
    );
    // 60 + 30 of 240: 150 minutes are left, not 160
    expect((await extend(ALICE, grant.id, 160)).status).toBe(400);
    expect((await release(ALICE, grant.id)).status).toBe(200);
    expect((await extend(ALICE, grant.id)).status).toBe(409);
  });

  it('decides an extension once when two approvers race, and never extends a revoked grant', async () => {
    const grant = await grantOf(ALICE, DEPLOY);
    const asked = await extend(ALICE, grant.id, 30);
    const results = await Promise.all(
      [BOB, CAROL].map(approver =>
        backend.call(
          'post',
          `/requests/${asked.body.id}/approve`,
          approver,
          {},
        ),
      ),
    );
    expect(results.map(r => r.status).sort()).toEqual([200, 409]);
    const after = (await backend.call('get', '/grants?mine=true', ALICE)).body
      .items[0];
    expect(minutesBetween(grant.expiresAt, after.expiresAt)).toBe(30);
    expect(after.extensions).toBe(1);

    // extension against revoke: whichever wins, the grant is revoked and the extension not pending
    const next = await extend(ALICE, grant.id, 30);
    expect(next.status).toBe(201);
    const [approve, revoke] = await Promise.all([
      backend.call('post', `/requests/${next.body.id}/approve`, CAROL, {}),
      backend.call('post', `/grants/${grant.id}/revoke`, BOB, {
        reason: 'Incident closed',
      }),
    ]);
    expect(revoke.status).toBe(200);
    expect([200, 409]).toContain(approve.status);
    const final = (await backend.call('get', '/grants?mine=true', ALICE)).body
      .items[0];
    expect(final.status).toBe('revoked');
    const extension = await backend.call(
      'get',
      `/requests/${next.body.id}`,
      ALICE,
    );
    expect(extension.body.status).not.toBe('pending');
    expect(await audit(next.body.id)).toEqual(
      expect.arrayContaining([
        approve.status === 200 ? 'request-approved' : 'request-cancelled',
      ]),
    );
  });

  it('lets the holder release a grant early, and nobody else', async () => {
    const grant = await grantOf(ALICE, DEPLOY);
    const pendingExtension = await extend(ALICE, grant.id, 30);
    expect((await release(BOB, grant.id)).status).toBe(403);
    const released = await release(ALICE, grant.id);
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({
      status: 'revoked',
      revokedBy: ALICE,
      revokeReason: 'Released by the holder before its end',
    });
    expect((await release(ALICE, grant.id)).status).toBe(409);
    const trail = (
      await backend.call('get', '/audit?action=grant-released', BOB)
    ).body;
    expect(trail[0]).toMatchObject({ grantId: grant.id, actor: ALICE });
    const extension = await backend.call(
      'get',
      `/requests/${pendingExtension.body.id}`,
      ALICE,
    );
    expect(extension.body.status).toBe('cancelled');
  });

  it('grants break-glass at once on the role that allows it, tells the owners, and keeps it to review', async () => {
    const body = {
      roleRef: BREAK_GLASS,
      justification: 'Payments are failing in production, INC-7 is open',
      incident: 'INC-7',
    };
    expect(
      (
        await backend.call('post', '/break-glass', ALICE, {
          ...body,
          roleRef: DEPLOY,
        })
      ).status,
    ).toBe(403);
    const noIncident = await backend.call('post', '/break-glass', ALICE, {
      ...body,
      incident: undefined,
    });
    expect(noIncident.status).toBe(400);
    expect(noIncident.body.error.message).toMatch(/incident is required/);
    expect(
      (
        await backend.call('post', '/break-glass', ALICE, {
          ...body,
          durationMinutes: 60,
        })
      ).status,
    ).toBe(400);
    expect((await options(ALICE, BREAK_GLASS)).body.breakGlass).toEqual({
      allowed: true,
      maxDurationMinutes: 30,
    });

    const taken = await backend.call('post', '/break-glass', ALICE, body);
    expect(taken.status).toBe(201);
    expect(taken.body).toMatchObject({
      kind: 'break-glass',
      status: 'approved',
      ticket: 'INC-7',
      grant: { status: 'active', breakGlass: true },
    });
    expect(
      minutesBetween(taken.body.grant.grantedAt, taken.body.grant.expiresAt),
    ).toBe(30);
    expect(backend.notifications.at(-1)).toMatchObject({
      recipients: {
        entityRef: ['group:default/team-payments'],
        excludeEntityRef: ALICE,
      },
      payload: {
        title: 'Break-glass: Alice Example took access to payments-breakglass',
        severity: 'critical',
        link: `/iam-roles?request=${taken.body.id}`,
      },
    });
    expect(
      (await backend.call('post', '/break-glass', ALICE, body)).status,
    ).toBe(409);

    expect((await backend.call('get', '/reviews', ALICE)).body.items).toEqual(
      [],
    );
    expect((await backend.call('get', '/reviews', MALLORY)).body.items).toEqual(
      [],
    );
    const toReview = await backend.call('get', '/reviews', BOB);
    expect(toReview.body.items.map((g: { id: string }) => g.id)).toEqual([
      taken.body.grant.id,
    ]);
    const review = (user: string) =>
      backend.call('post', `/grants/${taken.body.grant.id}/review`, user, {
        note: 'Matches INC-7; actions checked in CloudTrail',
      });
    const own = await review(ALICE);
    expect(own.status).toBe(403);
    expect(own.body.error.message).toMatch(/your own/);
    expect((await review(MALLORY)).status).toBe(404);
    const reviewed = await review(BOB);
    expect(reviewed.status).toBe(200);
    expect(reviewed.body).toMatchObject({
      reviewedBy: BOB,
      reviewNote: 'Matches INC-7; actions checked in CloudTrail',
    });
    expect((await review(CAROL)).status).toBe(409);
    expect((await backend.call('get', '/reviews', BOB)).body.totalItems).toBe(
      0,
    );
    expect(await audit(taken.body.id)).toEqual(
      expect.arrayContaining([
        'break-glass-started',
        'grant-started',
        'break-glass-reviewed',
      ]),
    );
    expect((await release(ALICE, taken.body.grant.id)).status).toBe(200);
  });

  it('gives one grant when two break-glass submissions race', async () => {
    const body = {
      roleRef: BREAK_GLASS,
      justification: 'Two tabs sent the break-glass at the same moment',
      incident: 'INC-8',
    };
    const statuses = (
      await Promise.all([
        backend.call('post', '/break-glass', ALICE, body),
        backend.call('post', '/break-glass', ALICE, body),
      ])
    )
      .map(r => r.status)
      .sort();
    expect(statuses).toEqual([201, 409]);
    expect(
      await knex('iam_grants').where({
        user_ref: ALICE,
        role_ref: BREAK_GLASS,
        status: 'active',
      }),
    ).toHaveLength(1);
  });

  it('names the role and the requester in words, and links notifications to the decision', async () => {
    const created = await request(ALICE, DEPLOY);
    expect(backend.notifications.at(-1)?.payload).toMatchObject({
      title: 'Alice Example requests access to payments-deploy',
      link: `/iam-roles?request=${created.body.id}`,
    });
    await backend.call('post', `/requests/${created.body.id}/deny`, BOB, {
      reason: 'Use the read-only role',
    });
    expect(backend.notifications.at(-1)?.payload).toMatchObject({
      title: 'Access to payments-deploy denied',
      description: 'Bob Owner: Use the read-only role',
    });
  });
});

describe.each(databases.eachSupportedId())(
  'workflow permissions on %s',
  databaseId => {
    it('gates break-glass by the create permission, and reviews by the approve permission', async () => {
      const knex = await databases.init(databaseId);
      // mallory may not create requests; carol may not approve
      await withBrokerBackend(
        {
          knex,
          config,
          entities: entities(),
          logLevel: 'none',
          permissions: (permission, who) =>
            !(
              (who === MALLORY && permission === 'iam-roles.request.create') ||
              (who === CAROL && permission === 'iam-roles.request.approve')
            ),
        },
        async backend => {
          const body = {
            roleRef: BREAK_GLASS,
            justification: 'Payments are failing in production, INC-8',
            incident: 'INC-8',
          };
          const refused = await backend.call(
            'post',
            '/break-glass',
            MALLORY,
            body,
          );
          expect(refused.status).toBe(403);
          expect(refused.body.error.message).toMatch(
            /does not allow iam-roles.request.create/,
          );
          const taken = await backend.call('post', '/break-glass', ALICE, body);
          expect(taken.status).toBe(201);
          const review = (who: string) =>
            backend.call('post', `/grants/${taken.body.grant.id}/review`, who, {
              note: 'Checked against INC-8',
            });
          const denied = await review(CAROL);
          expect(denied.status).toBe(403);
          expect(denied.body.error.message).toMatch(
            /does not allow iam-roles.request.approve/,
          );
          expect((await review(BOB)).status).toBe(200);
        },
      );
    });
  },
);
