import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import { testClient } from '../__testUtils__/renderWithApis';
import { accessRequest, BASE, grant } from '../__testUtils__/fixtures';

describe('IamRolesClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('sends filters as query parameters and skips empty ones', async () => {
    let seen: URL | undefined;
    server.use(
      http.get(`${BASE}/requests`, ({ request }) => {
        seen = new URL(request.url);
        return HttpResponse.json([accessRequest()]);
      }),
    );
    const list = await testClient().listRequests({
      mine: true,
      roleRef: 'resource:default/x',
    });
    expect(list).toHaveLength(1);
    expect(seen?.searchParams.get('mine')).toBe('true');
    expect(seen?.searchParams.get('roleRef')).toBe('resource:default/x');
    expect(seen?.searchParams.has('status')).toBe(false);
  });

  it('accepts an { items } envelope for lists', async () => {
    server.use(
      http.get(`${BASE}/grants`, () => HttpResponse.json({ items: [grant()] })),
    );
    const grants = await testClient().listGrants({ mine: true });
    expect(grants.map(g => g.id)).toEqual(['g-1']);
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
});
