import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ConfigReader } from '@backstage/config';
import express from 'express';
import request from 'supertest';
import type { BrokerStore } from '../database/BrokerStore';
import { DatabaseBrokerStore } from '../database/DatabaseBrokerStore';
import { fixtureEntities, USERS } from '../__testUtils__/fixtures';
import { AccessBroker } from './AccessBroker';
import { readBrokerConfig } from './BrokerConfig';
import { TrustService } from './TrustService';
import { createRouter } from './router';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const ALICE = 'user:default/alice';
const DEPLOY = 'resource:default/payments-deploy';
const UNKNOWN_ID = '6f1c3c1e-6a7e-4a47-9d2e-0d6a43c0e001';

/** The router alone, as backstage's notifications backend tests its router: express, supertest, mockErrorHandler. */
async function app(options: {
  store: BrokerStore;
  allow?: boolean;
  logger?: ReturnType<typeof mockServices.logger.mock>;
}) {
  const logger = options.logger ?? mockServices.logger.mock();
  const config = readBrokerConfig(
    new ConfigReader({ iamRoles: { broker: { maxDurationMinutes: 240 } } }),
  );
  const trust = TrustService.create({
    catalog: catalogServiceMock({ entities: fixtureEntities() }),
    auth: mockServices.auth(),
    logger,
    internalAccounts: [],
    refreshIntervalSeconds: 60,
  });
  const router = await createRouter({
    broker: AccessBroker.create({
      store: options.store,
      trust,
      config,
      logger,
    }),
    trust,
    config,
    httpAuth: mockServices.httpAuth({
      defaultCredentials: mockCredentials.none(),
    }),
    userInfo: mockServices.userInfo.mock({
      async getUserInfo(credentials) {
        const ref = (credentials.principal as { userEntityRef: string })
          .userEntityRef;
        return {
          userEntityRef: ref,
          ownershipEntityRefs: USERS[ref] ?? [ref],
        };
      },
    }),
    permissions: mockServices.permissions({
      result:
        options.allow === false ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
    }),
    auditor: mockServices.auditor.mock({
      async createEvent() {
        return { async success() {}, async fail() {} };
      },
    }),
    logger,
  });
  return express().use(router).use(mockErrorHandler());
}

describe.each(databases.eachSupportedId())('router on %s', databaseId => {
  let store: DatabaseBrokerStore;

  beforeAll(async () => {
    store = await DatabaseBrokerStore.fromKnex(
      await databases.init(databaseId),
    );
  });

  it('checks in one order: caller, input, permission, then the id', async () => {
    const denied = await app({ store, allow: false });
    const as = (req: request.Test) =>
      req.set('Authorization', mockCredentials.user.header(ALICE));
    expect((await request(denied).get('/requests')).status).toBe(401);
    expect((await as(request(denied).get('/requests?offset=-1'))).status).toBe(
      400,
    );
    expect((await as(request(denied).get('/requests'))).status).toBe(403);
    // refused before the id is looked up: no 404 that would tell what exists
    expect(
      (await as(request(denied).post(`/requests/${UNKNOWN_ID}/cancel`))).status,
    ).toBe(403);
    const allowed = await app({ store });
    expect(
      (await as(request(allowed).post(`/requests/${UNKNOWN_ID}/cancel`)))
        .status,
    ).toBe(404);
  });

  it('answers a list as a ListPage', async () => {
    const server = await app({ store });
    const created = await request(server)
      .post('/requests')
      .set('Authorization', mockCredentials.user.header(ALICE))
      .send({
        roleRef: DEPLOY,
        justification: 'Rotate the deploy key after INC-42',
        durationMinutes: 60,
      });
    expect(created.status).toBe(201);
    const list = await request(server)
      .get('/requests?mine=true&limit=5')
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(list.body).toEqual({
      items: [expect.objectContaining({ id: created.body.id })],
      totalItems: 1,
      offset: 0,
      limit: 5,
    });
  });

  it('turns an error it did not mean into a 500 without words, and logs it', async () => {
    const failing: BrokerStore = new Proxy(store, {
      get(target, prop) {
        if (prop === 'listGrants' || prop === 'countGrants') {
          return async () => {
            throw Object.assign(
              new Error(
                'select "iam_grants".* from "iam_grants" where "user_ref" = $1 - relation "iam_grants" does not exist',
              ),
              { code: '42P01' },
            );
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const logger = mockServices.logger.mock();
    const server = await app({ store: failing, logger });
    const res = await request(server)
      .get('/grants')
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: {
        name: 'Error',
        message: expect.stringMatching(
          /^An internal error occurred; the server log has the details under logId=[0-9a-f]{16}\.$/,
        ),
      },
      request: { method: 'GET', url: '/grants' },
      response: { statusCode: 500 },
    });
    expect(res.text).not.toMatch(/iam_grants|select|stack/);
    const logId = /logId=([0-9a-f]+)/.exec(res.body.error.message)![1];
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringMatching(
        new RegExp(`logId=${logId}.*relation "iam_grants" does not exist`),
      ),
      expect.objectContaining({ logId }),
    );
  });
});
