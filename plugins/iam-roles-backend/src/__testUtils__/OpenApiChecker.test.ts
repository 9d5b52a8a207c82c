import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { createRouter } from '../service/router';
import { readBrokerConfig } from '../service/BrokerConfig';
import { OpenApiChecker } from './OpenApiChecker';

describe('OpenAPI spec', () => {
  const checker = OpenApiChecker.load();

  it('describes exactly the routes the router serves', async () => {
    const router = await createRouter({
      broker: {} as any,
      trust: {} as any,
      config: readBrokerConfig(new ConfigReader({})),
      httpAuth: mockServices.httpAuth(),
      userInfo: mockServices.userInfo(),
      permissions: mockServices.permissions(),
      auditor: mockServices.auditor.mock(),
      logger: mockServices.logger.mock(),
    });
    const served = OpenApiChecker.routesOf(router as any);
    // The generated router also serves the spec itself, as every Backstage OpenAPI router does.
    expect(served).toContain('GET /openapi.json');
    const api = served.filter(route => route !== 'GET /openapi.json');
    expect(api.length).toBeGreaterThanOrEqual(17);
    expect(api).toEqual(checker.operations());
  });

  it('resolves every $ref', () => {
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref') refs.push(String(x));
          else walk(x);
        }
      }
    };
    walk(checker.spec);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      const target = ref
        .replace(/^#\//, '')
        .split('/')
        .reduce((acc: any, k) => acc?.[k], checker.spec);
      expect([ref, target !== undefined]).toEqual([ref, true]);
    }
  });

  it('catches responses that break the contract', () => {
    const good = {
      id: '6f1c3c1e-6a7e-4a47-9d2e-0d6a43c0e001',
      requestId: '6f1c3c1e-6a7e-4a47-9d2e-0d6a43c0e002',
      roleRef: 'resource:default/r',
      roleArn: 'arn:aws:iam::111111111111:role/r',
      user: 'user:default/a',
      status: 'active',
      grantedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-01T01:00:00.000Z',
    };
    const url = '/grants/6f1c3c1e-6a7e-4a47-9d2e-0d6a43c0e001/revoke';
    expect(
      checker.validateResponse('post', url, 200, 'application/json', good),
    ).toEqual([]);
    expect(
      checker.validateResponse('post', url, 200, 'application/json', {
        ...good,
        status: 'paused',
      }),
    ).toEqual(['$.status: "paused" is not one of active, revoked, expired']);
    expect(
      checker.validateResponse('post', url, 200, 'application/json', {
        ...good,
        secret: 'x',
      }),
    ).toEqual(['$.secret: not in the spec']);
    expect(
      checker.validateResponse('post', url, 418, 'application/json', good),
    ).toEqual(['post /grants/{id}/revoke has no 418 response in the spec']);
    expect(
      checker.validateResponse('get', '/nope', 200, undefined, {}),
    ).toEqual(['get /nope is not in the spec']);
  });
});
