import { TestDatabases } from '@backstage/backend-test-utils';
import { rejectionMessage } from '../__testUtils__/rejectionMessage';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type { Knex } from 'knex';
import { DatabaseBrokerStore } from './DatabaseBrokerStore';
import type { NewRequest, Visibility } from './BrokerStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const ROLE = 'resource:default/payments-deploy';
const OWNER = 'group:default/team-payments';
const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const CAROL = 'user:default/carol';

const at = (minutes: number) =>
  new Date(Date.UTC(2026, 0, 1, 12, minutes)).toISOString();

function newRequest(extra: Partial<NewRequest> = {}): NewRequest {
  return {
    roleRef: ROLE,
    roleArn: 'arn:aws:iam::111111111111:role/payments-deploy',
    ownerRef: OWNER,
    requester: ALICE,
    justification: 'Rotate the deploy key after INC-42',
    durationMinutes: 60,
    requiredApprovals: 1,
    now: at(0),
    expiresAt: at(600),
    ...extra,
  };
}

const everyone: Visibility = { userRef: BOB, ownerRefs: [], all: true };

describe.each(databases.eachSupportedId())(
  'DatabaseBrokerStore on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabaseBrokerStore;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseBrokerStore.fromKnex(knex);
    });

    it('creates a request with its audit entry, and replays an idempotency key', async () => {
      const first = await store.createRequest(
        newRequest({ idempotencyKey: 'k1', ticket: 'INC-42' }),
      );
      expect(first.created).toBe(true);
      expect(await store.getRequest(first.request.id)).toEqual(first.request);
      const again = await store.createRequest(
        newRequest({ idempotencyKey: 'k1', ticket: 'INC-42' }),
      );
      expect(again).toEqual({ request: first.request, created: false });
      await expect(
        store.createRequest(newRequest({ idempotencyKey: 'k1', ticket: 'X' })),
      ).rejects.toThrow(ConflictError);
      // the key is the requester's: another user's key of the same text is another request
      const bobs = await store.createRequest(
        newRequest({ idempotencyKey: 'k1', requester: BOB, ticket: 'INC-42' }),
      );
      expect(bobs.created).toBe(true);
      expect(await store.findByIdempotencyKey(ALICE, 'k1')).toEqual(
        first.request,
      );
      expect(await store.findByIdempotencyKey(ALICE, 'k2')).toBeUndefined();
      expect((await store.listAudit({ limit: 10 })).map(e => e.action)).toEqual(
        ['request-created', 'request-created'],
      );
    });

    it('lets one of two concurrent approvers win and starts one grant', async () => {
      const { request } = await store.createRequest(newRequest());
      const results = await Promise.allSettled(
        [BOB, CAROL].map(approver =>
          store.approve({
            id: request.id,
            approver,
            now: at(1),
            grantExpiresAt: () => at(61),
          }),
        ),
      );
      expect(results.map(r => r.status).sort()).toEqual([
        'fulfilled',
        'rejected',
      ]);
      const rejected = results.find(r => r.status === 'rejected') as
        | PromiseRejectedResult
        | undefined;
      expect(rejected?.reason).toBeInstanceOf(ConflictError);
      const approved = (await store.getRequest(request.id))!;
      expect(approved.status).toBe('approved');
      expect(approved.grant).toMatchObject({
        status: 'active',
        user: ALICE,
        expiresAt: at(61),
      });
      expect(
        await knex('iam_grants').where({ request_id: request.id }),
      ).toHaveLength(1);
    });

    it('needs a quorum of distinct approvers', async () => {
      const { request } = await store.createRequest(
        newRequest({ requiredApprovals: 2 }),
      );
      const one = await store.approve({
        id: request.id,
        approver: BOB,
        now: at(1),
        grantExpiresAt: () => at(61),
      });
      expect(one.request.status).toBe('pending');
      expect(one.transitions).toEqual([]);
      await expect(
        store.approve({
          id: request.id,
          approver: BOB,
          now: at(2),
          grantExpiresAt: () => at(61),
        }),
      ).rejects.toThrow(/already approved/);
      const two = await store.approve({
        id: request.id,
        approver: CAROL,
        now: at(3),
        grantExpiresAt: () => at(63),
      });
      expect(two.request.status).toBe('approved');
      expect(two.transitions.map(t => t.action)).toEqual(['request-approved']);
      expect(two.request.approvals.map(a => a.approver)).toEqual([BOB, CAROL]);
    });

    it('closes a pending request once, and refuses what is no longer pending', async () => {
      const { request } = await store.createRequest(newRequest());
      const denied = await store.closePending({
        id: request.id,
        actor: BOB,
        to: 'denied',
        reason: 'Use the read-only role',
        now: at(1),
      });
      expect(denied).toMatchObject({
        status: 'denied',
        decidedBy: BOB,
        decisionReason: 'Use the read-only role',
      });
      await expect(
        store.closePending({
          id: request.id,
          actor: ALICE,
          to: 'cancelled',
          now: at(2),
        }),
      ).rejects.toThrow(/already denied \(by user:default\/bob\)/);
      await expect(
        store.closePending({
          id: '6f1c3c1e-6a7e-4a47-9d2e-0d6a43c0e001',
          actor: ALICE,
          to: 'cancelled',
          now: at(2),
        }),
      ).rejects.toThrow(NotFoundError);
    });

    it('revokes and expires grants, and reserves credential issues only on active ones', async () => {
      const { request } = await store.createRequest(newRequest());
      const { request: approved } = await store.approve({
        id: request.id,
        approver: BOB,
        now: at(1),
        grantExpiresAt: () => at(61),
      });
      const grantId = approved.grant!.id;
      const issued = await store.recordCredentialsIssue({
        id: grantId,
        actor: ALICE,
        now: at(2),
        detail: 'STS AssumeRole',
      });
      expect(issued.credentialsIssued).toBe(1);
      await expect(
        store.recordCredentialsIssue({
          id: grantId,
          actor: ALICE,
          now: at(61),
          detail: 'STS AssumeRole',
        }),
      ).rejects.toThrow(/expired at/);
      const transitions = await store.expire(at(62));
      expect(transitions.map(t => [t.action, t.grant?.id])).toEqual([
        ['grant-expired', grantId],
      ]);
      expect(await store.expire(at(63))).toEqual([]);
      await expect(
        store.revokeGrant({
          id: grantId,
          actor: BOB,
          reason: 'x',
          now: at(64),
        }),
      ).rejects.toThrow(/already expired/);

      const other = await store.createRequest(newRequest({ now: at(5) }));
      const second = await store.approve({
        id: other.request.id,
        approver: BOB,
        now: at(6),
        grantExpiresAt: () => at(600),
      });
      const revoked = await store.revokeGrant({
        id: second.request.grant!.id,
        actor: BOB,
        reason: 'Incident over',
        now: at(7),
      });
      expect(revoked).toMatchObject({
        status: 'revoked',
        revokedBy: BOB,
        revokeReason: 'Incident over',
      });
    });

    it('expires pending requests past their deadline', async () => {
      const stale = await store.createRequest(newRequest({ expiresAt: at(5) }));
      const live = await store.createRequest(newRequest({ expiresAt: at(50) }));
      const transitions = await store.expire(at(10));
      expect(transitions.map(t => [t.action, t.request.id])).toEqual([
        ['request-expired', stale.request.id],
      ]);
      expect((await store.getRequest(live.request.id))!.status).toBe('pending');
      await expect(
        store.approve({
          id: stale.request.id,
          approver: BOB,
          now: at(11),
          grantExpiresAt: () => at(70),
        }),
      ).rejects.toThrow(/already expired/);
    });

    it('lists what the caller may see, one page at a time, and counts it', async () => {
      for (let i = 0; i < 5; i++) {
        await store.createRequest(newRequest({ now: at(i) }));
      }
      await store.createRequest(
        newRequest({
          now: at(9),
          ownerRef: 'group:default/other',
          requester: CAROL,
        }),
      );
      const owners: Visibility = {
        userRef: BOB,
        ownerRefs: [OWNER],
        all: false,
      };
      const page = await store.listRequests({
        visibility: owners,
        limit: 2,
        offset: 1,
      });
      expect(page.map(r => r.createdAt)).toEqual([at(3), at(2)]);
      expect(await store.countRequests({ visibility: owners })).toBe(5);
      expect(await store.countRequests({ visibility: everyone })).toBe(6);
      expect(
        await store.countRequests({
          visibility: { userRef: CAROL, ownerRefs: [], all: false },
        }),
      ).toBe(1);
      expect(
        await store.countRequests({ visibility: owners, status: ['denied'] }),
      ).toBe(0);
      expect(
        (await store.listPendingFor(owners, 10)).map(r => r.createdAt),
      ).toEqual([at(0), at(1), at(2), at(3), at(4)]);
      expect(
        await store.listPendingFor(
          { userRef: ALICE, ownerRefs: [], all: false },
          10,
        ),
      ).toEqual([]);
    });

    it('keeps the audit log append-only and filters it', async () => {
      const { request } = await store.createRequest(newRequest());
      await store.appendAudit({
        at: at(1),
        actor: ALICE,
        action: 'credentials-failed',
        requestId: request.id,
        roleRef: ROLE,
        ownerRef: OWNER,
        reason: 'AccessDenied',
      });
      expect(
        (
          await store.listAudit({ limit: 10, action: 'credentials-failed' })
        ).map(e => e.reason),
      ).toEqual(['AccessDenied']);
      expect(await store.listAudit({ limit: 10, ownerRefs: [] })).toEqual([]);
      expect(
        await store.listAudit({
          limit: 10,
          ownerRefs: ['group:default/other'],
        }),
      ).toEqual([]);
      expect(
        await store.listAudit({ limit: 10, from: at(1), to: at(2) }),
      ).toHaveLength(1);
      expect(
        await rejectionMessage(
          knex('iam_audit_log').update({ reason: 'tampered' }),
        ),
      ).toMatch(/append-only/);
      expect(await rejectionMessage(knex('iam_audit_log').delete())).toMatch(
        /append-only/,
      );
    });
  },
);
