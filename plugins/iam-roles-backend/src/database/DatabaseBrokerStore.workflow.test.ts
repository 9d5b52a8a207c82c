import { TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import type { Knex } from 'knex';
import { DatabaseBrokerStore } from './DatabaseBrokerStore';
import type { NewRequest, StoredGrant, Visibility } from './BrokerStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const ROLE = 'resource:default/payments-deploy';
const OWNER = 'group:default/team-payments';
const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const CAROL = 'user:default/carol';

const inMinutes = (minutes: number) =>
  new Date(Date.now() + minutes * 60_000).toISOString();
const now = () => new Date().toISOString();

function newRequest(extra: Partial<NewRequest> = {}): NewRequest {
  return {
    roleRef: ROLE,
    roleArn: 'arn:aws:iam::111111111111:role/payments-deploy',
    ownerRef: OWNER,
    requester: ALICE,
    justification: 'Rotate the deploy key after INC-42',
    durationMinutes: 60,
    requiredApprovals: 1,
    now: now(),
    expiresAt: inMinutes(600),
    ...extra,
  };
}

/** The broker's rule, without the cap: the end moves by the extension's minutes. */
const moveEnd = (r: { durationMinutes: number }, g?: StoredGrant): string =>
  g
    ? new Date(
        Date.parse(g.expiresAt) + r.durationMinutes * 60_000,
      ).toISOString()
    : inMinutes(r.durationMinutes);

describe.each(databases.eachSupportedId())(
  'DatabaseBrokerStore workflow on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabaseBrokerStore;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseBrokerStore.fromKnex(knex);
    });

    async function activeGrant(): Promise<StoredGrant> {
      const { request } = await store.createRequest(newRequest());
      const approved = await store.approve({
        id: request.id,
        approver: BOB,
        now: now(),
        grantExpiresAt: moveEnd,
      });
      return approved.request.grant as StoredGrant;
    }

    const extension = (grant: StoredGrant, extra: Partial<NewRequest> = {}) =>
      store.createRequest(
        newRequest({
          kind: 'extension',
          extendsGrantId: grant.id,
          durationMinutes: 30,
          expiresAt: grant.expiresAt,
          ...extra,
        }),
      );

    it('keeps one pending extension per grant, even when two are created at once', async () => {
      const grant = await activeGrant();
      const results = await Promise.allSettled([
        extension(grant),
        extension(grant, { justification: 'Second click, same intent' }),
      ]);
      expect(results.map(r => r.status).sort()).toEqual([
        'fulfilled',
        'rejected',
      ]);
      const rejected = results.find(
        r => r.status === 'rejected',
      ) as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(ConflictError);
      expect(rejected.reason.message).toMatch(/already pending/);
      expect((await store.pendingExtension(grant.id))?.kind).toBe('extension');
    });

    it('moves the end once when two approvers race, and audits the approval and the extension', async () => {
      const grant = await activeGrant();
      const { request } = await extension(grant);
      const results = await Promise.allSettled(
        [BOB, CAROL].map(approver =>
          store.approve({
            id: request.id,
            approver,
            now: now(),
            grantExpiresAt: moveEnd,
          }),
        ),
      );
      expect(results.map(r => r.status).sort()).toEqual([
        'fulfilled',
        'rejected',
      ]);
      const after = (await store.getGrant(grant.id))!;
      expect(Date.parse(after.expiresAt) - Date.parse(grant.expiresAt)).toBe(
        30 * 60_000,
      );
      expect(after.extensions).toBe(1);
      const fulfilled = results.find(
        r => r.status === 'fulfilled',
      ) as PromiseFulfilledResult<Awaited<ReturnType<typeof store.approve>>>;
      expect(fulfilled.value.transitions.map(t => t.action)).toEqual([
        'grant-extended',
      ]);
      // an extension starts no grant of its own
      expect(Number((await knex('iam_grants').count({ n: '*' }))[0].n)).toBe(1);
      const actions = (
        await store.listAudit({ limit: 100, roleRef: ROLE })
      ).map(e => e.action);
      expect(actions.filter(a => a === 'grant-extended')).toHaveLength(1);
      expect(actions).toContain('request-approved');
    });

    it('never extends a grant that was revoked first, and closes its pending extension', async () => {
      const grant = await activeGrant();
      const { request } = await extension(grant);
      await store.revokeGrant({
        id: grant.id,
        actor: BOB,
        reason: 'Incident closed',
        now: now(),
      });
      expect((await store.getRequest(request.id))?.status).toBe('cancelled');
      await expect(
        store.approve({
          id: request.id,
          approver: CAROL,
          now: now(),
          grantExpiresAt: moveEnd,
        }),
      ).rejects.toThrow(/already cancelled/);
      // an extension pending while the grant was revoked behind its back (no cancel): refused, rolled back
      const other = await activeGrant();
      const { request: late } = await extension(other);
      await knex('iam_grants')
        .where({ id: other.id })
        .update({ status: 'revoked' });
      await expect(
        store.approve({
          id: late.id,
          approver: CAROL,
          now: now(),
          grantExpiresAt: moveEnd,
        }),
      ).rejects.toThrow(/Cannot extend grant .*: it is revoked/);
      expect((await store.getRequest(late.id))?.status).toBe('pending');
    });

    it('starts a break-glass grant at once, lists it to review by owner or approver group, and takes one review', async () => {
      const request = await store.breakGlass({
        roleRef: ROLE,
        roleArn: 'arn:aws:iam::111111111111:role/payments-deploy',
        ownerRef: OWNER,
        requester: ALICE,
        justification: 'Payments are down in production',
        incident: 'INC-7',
        durationMinutes: 30,
        approverGroups: ['group:default/sre_team'],
        now: now(),
        grantExpiresAt: inMinutes(30),
      });
      expect(request).toMatchObject({
        kind: 'break-glass',
        status: 'approved',
        ticket: 'INC-7',
        approverGroups: ['group:default/sre_team'],
        grant: { status: 'active', breakGlass: true },
      });
      const owner: Visibility = {
        userRef: BOB,
        ownerRefs: [OWNER],
        all: false,
      };
      const sre: Visibility = {
        userRef: CAROL,
        ownerRefs: ['group:default/sre_team'],
        all: false,
      };
      // LIKE's `_` does not stand for any character: sre-team is not sre_team
      const lookalike: Visibility = {
        userRef: CAROL,
        ownerRefs: ['group:default/sre-team'],
        all: false,
      };
      const self: Visibility = { userRef: ALICE, ownerRefs: [], all: true };
      const page = { limit: 10, offset: 0 };
      expect((await store.listUnreviewed(owner, page)).totalItems).toBe(1);
      expect((await store.listUnreviewed(sre, page)).totalItems).toBe(1);
      expect((await store.listUnreviewed(lookalike, page)).totalItems).toBe(0);
      expect((await store.listUnreviewed(self, page)).totalItems).toBe(0);
      const grantId = request.grant!.id;
      const reviews = await Promise.allSettled(
        [BOB, CAROL].map(actor =>
          store.reviewGrant({
            id: grantId,
            actor,
            note: 'checked',
            now: now(),
          }),
        ),
      );
      expect(reviews.map(r => r.status).sort()).toEqual([
        'fulfilled',
        'rejected',
      ]);
      expect((await store.listUnreviewed(owner, page)).totalItems).toBe(0);
      const actions = (await store.listAudit({ limit: 10, roleRef: ROLE })).map(
        e => e.action,
      );
      expect(actions.sort()).toEqual([
        'break-glass-reviewed',
        'break-glass-started',
        'grant-started',
      ]);
      // a grant approved before it started needs no review
      const approved = await activeGrant();
      await expect(
        store.reviewGrant({
          id: approved.id,
          actor: BOB,
          note: 'x',
          now: now(),
        }),
      ).rejects.toThrow(/only break-glass grants need a review/);
    });

    it('finds the open request and the active grant of a requester for a role', async () => {
      expect(await store.findOpen(ALICE, ROLE, now())).toEqual({});
      const { request } = await store.createRequest(newRequest());
      expect((await store.findOpen(ALICE, ROLE, now())).request?.id).toBe(
        request.id,
      );
      expect((await store.findOpen(BOB, ROLE, now())).request).toBeUndefined();
      const approved = await store.approve({
        id: request.id,
        approver: BOB,
        now: now(),
        grantExpiresAt: moveEnd,
      });
      const open = await store.findOpen(ALICE, ROLE, now());
      expect(open.request).toBeUndefined();
      expect(open.grant?.id).toBe(approved.request.grant!.id);
      // an ended grant is not open, whatever its status says before the expiry task runs
      expect(
        (await store.findOpen(ALICE, ROLE, inMinutes(120))).grant,
      ).toBeUndefined();
    });
  },
);
