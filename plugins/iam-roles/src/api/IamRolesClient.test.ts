import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import { testClient } from '../__testUtils__/renderWithApis';
import { accessRequest, BASE, grant } from '../__testUtils__/fixtures';
import { listPage } from '../__testUtils__/handlers';

describe('IamRolesClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('sends filters and the page as query parameters and skips empty ones', async () => {
    let seen: URL | undefined;
    server.use(
      http.get(`${BASE}/requests`, ({ request }) => {
        seen = new URL(request.url);
        return listPage(request, [accessRequest()]);
      }),
    );
    const page = await testClient().listRequests({
      mine: true,
      roleRef: 'resource:default/x',
      limit: 50,
      offset: 0,
    });
    expect(page).toEqual({
      items: [accessRequest({ expiresAt: page.items[0].expiresAt })],
      totalItems: 1,
      offset: 0,
      limit: 50,
    });
    expect(seen?.searchParams.get('mine')).toBe('true');
    expect(seen?.searchParams.get('roleRef')).toBe('resource:default/x');
    expect(seen?.searchParams.get('limit')).toBe('50');
    expect(seen?.searchParams.get('offset')).toBe('0');
    expect(seen?.searchParams.has('status')).toBe(false);
  });

  it('reads the page it asked for from every list route', async () => {
    const grants = Array.from({ length: 7 }, (_, i) => grant({ id: `g-${i}` }));
    server.use(
      http.get(`${BASE}/grants`, ({ request }) => listPage(request, grants)),
      http.get(`${BASE}/approvals`, ({ request }) => listPage(request, [])),
      http.get(`${BASE}/findings`, ({ request }) => listPage(request, [])),
    );
    const client = testClient();
    const page = await client.listGrants({ mine: true, limit: 3, offset: 6 });
    expect(page.items.map(g => g.id)).toEqual(['g-6']);
    expect(page).toMatchObject({ totalItems: 7, offset: 6, limit: 3 });
    expect(await client.listApprovals({ limit: 10 })).toEqual({
      items: [],
      totalItems: 0,
      offset: 0,
      limit: 10,
    });
    expect(await client.listFindings()).toMatchObject({ totalItems: 0 });
  });

  it('says so when a list route does not answer a page', async () => {
    server.use(http.get(`${BASE}/grants`, () => HttpResponse.json([grant()])));
    await expect(testClient().listGrants()).rejects.toThrow(
      'The IAM roles backend answered GET /grants without a list page ({ items, totalItems, offset, limit })',
    );
  });

  it('posts JSON bodies to decision routes', async () => {
    let body: unknown;
    server.use(
      http.post(`${BASE}/requests/r%2F1/deny`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json(accessRequest({ status: 'denied' }));
      }),
    );
    const result = await testClient().denyRequest('r/1', 'not needed');
    expect(result.status).toBe('denied');
    expect(body).toEqual({ reason: 'not needed' });
  });

  it('throws a ResponseError carrying the server message', async () => {
    server.use(
      http.post(`${BASE}/requests`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'InputError',
              message: 'justification is too short',
            },
            request: { method: 'POST', url: '/requests' },
            response: { statusCode: 400 },
          },
          { status: 400 },
        ),
      ),
    );
    const promise = testClient().createRequest({
      roleRef: 'resource:default/x',
      justification: 'short',
      durationMinutes: 60,
    });
    const error = await promise.catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(400);
    expect(error.cause.message).toBe('justification is too short');
  });

  it('asks for the request options of one role, and posts the workflow actions where the broker serves them', async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${BASE}/request-options`, ({ request }) => {
        seen.push(new URL(request.url).search);
        return HttpResponse.json({ role: 'resource:default/x' });
      }),
      http.post(`${BASE}/grants/:id/:action`, async ({ request, params }) => {
        seen.push(
          `${params.action} ${params.id} ${JSON.stringify(
            await request.json(),
          )}`,
        );
        return HttpResponse.json({});
      }),
      http.post(`${BASE}/break-glass`, async ({ request }) => {
        seen.push(`break-glass ${JSON.stringify(await request.json())}`);
        return HttpResponse.json({});
      }),
    );
    const client = testClient();
    await client.getRequestOptions('resource:default/x');
    await client.extendGrant('g-1', {
      durationMinutes: 30,
      justification: 'More time needed',
    });
    await client.releaseGrant('g-1');
    await client.reviewGrant('g-2', 'checked');
    await client.breakGlass({
      roleRef: 'resource:default/x',
      justification: 'Production is down',
      incident: 'INC-7',
    });
    expect(seen).toEqual([
      '?role=resource%3Adefault%2Fx',
      'extend g-1 {"durationMinutes":30,"justification":"More time needed"}',
      'release g-1 {}',
      'review g-2 {"note":"checked"}',
      'break-glass {"roleRef":"resource:default/x","justification":"Production is down","incident":"INC-7"}',
    ]);
  });
});
