import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  SchedulerServiceTaskFunction,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import type { Entity } from '@backstage/catalog-model';
import type { Knex } from 'knex';
import request from 'supertest';
import { iamRolesPlugin } from '../plugin';
import { OpenApiChecker } from './OpenApiChecker';
import { USERS, fixtureEntities } from './fixtures';

/** A started test backend with the broker, and handles on what it did. */
export interface BrokerTestBackend {
  server: any;
  tasks: Map<string, SchedulerServiceTaskFunction>;
  notifications: NotificationSendOptions[];
  auditEvents: Array<{
    eventId: string;
    meta?: unknown;
    outcome?: string;
    /** The message of the error a failed event recorded. */
    error?: string;
  }>;
  /** Calls the API as a user (or anonymously) and checks the response against the OpenAPI spec. */
  call(
    method: 'get' | 'post' | 'delete',
    path: string,
    user?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<request.Response>;
  stop(): Promise<void>;
}

const checker = OpenApiChecker.load();

/** Starts a backend with the broker over a test database, the fixture catalog and mocked users. */
export async function startBrokerBackend(options: {
  knex: Knex;
  config?: Record<string, unknown>;
  entities?: Entity[];
  permissions?: (permission: string, user: string) => boolean;
  /** A catalog to use instead of an in-memory one over `entities`. */
  catalog?: CatalogService;
  /** Console log level of the backend (default debug, so that tests can read every line). */
  logLevel?: 'none' | 'debug';
}): Promise<BrokerTestBackend> {
  const tasks = new Map<string, SchedulerServiceTaskFunction>();
  const notifications: NotificationSendOptions[] = [];
  const auditEvents: BrokerTestBackend['auditEvents'] = [];
  const decide = options.permissions;

  const testBackend = await startTestBackend({
    features: [
      iamRolesPlugin,
      mockServices.rootConfig.factory({ data: (options.config ?? {}) as any }),
      mockServices.rootLogger.factory({ level: options.logLevel ?? 'debug' }),
      // no token means no credentials, as in production (the mock default is a user)
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.database.factory({ knex: options.knex }),
      options.catalog
        ? createServiceFactory({
            service: catalogServiceRef,
            deps: {},
            factory: () => options.catalog!,
          })
        : catalogServiceMock.factory({
            entities: options.entities ?? fixtureEntities(),
          }),
      mockServices.scheduler.mock({
        async scheduleTask(task) {
          tasks.set(task.id, task.fn as SchedulerServiceTaskFunction);
        },
      }).factory,
      mockServices.userInfo.mock({
        async getUserInfo(credentials) {
          const ref = (credentials.principal as { userEntityRef: string })
            .userEntityRef;
          return {
            userEntityRef: ref,
            ownershipEntityRefs: USERS[ref] ?? [ref],
          };
        },
      }).factory,
      mockServices.auditor.mock({
        async createEvent(opts) {
          const entry: BrokerTestBackend['auditEvents'][number] = {
            eventId: opts.eventId,
            meta: opts.meta,
          };
          auditEvents.push(entry);
          return {
            async success() {
              entry.outcome = 'success';
            },
            async fail(failure) {
              entry.outcome = 'fail';
              entry.error = failure?.error?.message;
            },
          };
        },
      }).factory,
      ...(decide
        ? [
            mockServices.permissions.mock({
              async authorize(requests, opts) {
                const user =
                  (opts.credentials.principal as { userEntityRef?: string })
                    .userEntityRef ?? '';
                return requests.map(r => ({
                  result: decide(r.permission.name, user)
                    ? ('ALLOW' as any)
                    : ('DENY' as any),
                }));
              },
            }).factory,
          ]
        : []),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({
          async send(n: NotificationSendOptions) {
            notifications.push(n);
          },
        }),
      }),
    ],
  });

  const server = testBackend.server;
  const stop = () => testBackend.stop();
  const call: BrokerTestBackend['call'] = async (
    method,
    path,
    user,
    body,
    headers,
  ) => {
    let req = request(server)[method](`/api/iam-roles${path}`);
    if (user) {
      req = req.set('Authorization', mockCredentials.user.header(user));
    }
    for (const [k, v] of Object.entries(headers ?? {})) {
      req = req.set(k, v);
    }
    const res = await (body !== undefined ? req.send(body as object) : req);
    const contentType = res.headers['content-type'];
    const parsed =
      /json/.test(contentType ?? '') && !/ndjson/.test(contentType ?? '')
        ? res.body
        : res.text;
    const errors = checker.validateResponse(
      method,
      path,
      res.status,
      contentType,
      parsed,
    );
    if (errors.length > 0) {
      throw new Error(
        `${method.toUpperCase()} ${path} → ${
          res.status
        } does not match the OpenAPI spec:\n${errors.join(
          '\n',
        )}\n${res.text.slice(0, 500)}`,
      );
    }
    return res;
  };

  return { server, tasks, notifications, auditEvents, call, stop };
}

/** Runs `fn` against a backend started with `options`, and stops it afterwards whatever happens. */
export async function withBrokerBackend(
  options: Parameters<typeof startBrokerBackend>[0],
  fn: (backend: BrokerTestBackend) => Promise<void>,
): Promise<void> {
  const backend = await startBrokerBackend(options);
  try {
    await fn(backend);
  } finally {
    await backend.stop();
  }
}
