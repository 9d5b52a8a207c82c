import { mockServices } from '@backstage/backend-test-utils';
import type {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import type { StoredRequest, Transition } from '../database/BrokerStore';
import { shortEntityRef } from '@backstage-iam/plugin-iam-roles-common';
import { AccessNotifier } from './AccessNotifier';

const ROLE_REF = 'resource:default/payments-deploy-111111111111';
const ROLE_ARN = 'arn:aws:iam::111111111111:role/ci/payments-deploy';

function storedRequest(overrides: Partial<StoredRequest> = {}): StoredRequest {
  return {
    id: '5b1f3a52-8d1e-4a4f-9d59-3f3f7f0b9a01',
    roleRef: ROLE_REF,
    roleArn: ROLE_ARN,
    requester: 'user:default/alice',
    justification: 'Rotate the payments database password',
    durationMinutes: 60,
    status: 'pending',
    createdAt: '2026-12-03T10:00:00.000Z',
    updatedAt: '2026-12-03T10:00:00.000Z',
    expiresAt: '2026-12-04T10:00:00.000Z',
    requiredApprovals: 1,
    approvals: [],
    ownerRef: 'group:default/team-payments',
    ...overrides,
  };
}

function notifierWith(names: Map<string, string> | Error) {
  const sent: NotificationSendOptions[] = [];
  const notifications: NotificationService = {
    send: async options => {
      sent.push(options);
    },
  };
  const notifier = AccessNotifier.create({
    notifications,
    logger: mockServices.logger.mock(),
    approverGroups: ['group:default/security'],
    names: async () => {
      if (names instanceof Error) {
        throw names;
      }
      return names;
    },
  });
  return { notifier, sent };
}

function created(request: StoredRequest): Transition {
  return {
    action: 'request-created',
    request,
    fromState: 'none',
    toState: 'pending',
  };
}

describe('AccessNotifier', () => {
  it('names the requester and the role by their catalog names, and links to the decision', async () => {
    const { notifier, sent } = notifierWith(
      new Map([
        ['user:default/alice', 'Alice Example'],
        [ROLE_REF, 'Payments deploy'],
      ]),
    );
    const request = storedRequest();
    await notifier.notify([created(request)]);
    expect(sent).toHaveLength(1);
    expect(sent[0].recipients).toMatchObject({
      entityRef: ['group:default/team-payments'],
      excludeEntityRef: 'user:default/alice',
    });
    expect(sent[0].payload).toMatchObject({
      title: 'Alice Example requests access to Payments deploy',
      link: `/iam-roles?request=${request.id}`,
    });
  });

  it('never puts a raw ref or an ARN in a title when the catalog has no name for them', async () => {
    const { notifier, sent } = notifierWith(new Map());
    const request = storedRequest({
      requester: 'user:acme/jo',
      status: 'denied',
      decidedBy: 'user:default/bob',
      decisionReason: 'Use the read-only role',
    });
    await notifier.notify([
      created(request),
      {
        action: 'request-denied',
        request,
        fromState: 'pending',
        toState: 'denied',
      },
    ]);
    expect(sent.map(n => n.payload.title)).toEqual([
      'acme/jo requests access to payments-deploy',
      'Access to payments-deploy denied',
    ]);
    expect(sent[1].payload.description).toBe('bob: Use the read-only role');
    for (const n of sent) {
      expect(n.payload.title).not.toMatch(/user:|resource:|arn:aws/);
    }
  });

  it('still names people in words when reading the names fails', async () => {
    const { notifier, sent } = notifierWith(new Error('catalog down'));
    await notifier.notify([created(storedRequest())]);
    expect(sent[0].payload.title).toBe(
      'alice requests access to payments-deploy',
    );
  });

  it('reads a ref in words', () => {
    expect(shortEntityRef('user:default/jo')).toBe('jo');
    expect(shortEntityRef('group:acme/payments')).toBe('acme/payments');
    expect(shortEntityRef('not a ref at all:')).toBe('not a ref at all:');
  });
});
