import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import authPlugin from '@backstage/plugin-auth-backend';
import { demoSignInModule } from './demoSignIn';

function configWith(auth: object) {
  return mockServices.rootConfig.factory({
    data: {
      app: { baseUrl: 'http://localhost:3000' },
      backend: { baseUrl: 'http://localhost:7007' },
      auth,
    },
  });
}

describe('demoSignInModule', () => {
  it('refuses to start outside development', async () => {
    await expect(
      startTestBackend({
        features: [
          authPlugin,
          demoSignInModule,
          configWith({
            environment: 'production',
            providers: { demo: { development: { enabled: true } } },
          }),
        ],
      }),
    ).rejects.toThrow(/development-only sign-in/);
  });

  it('asks for a user when the header is missing', async () => {
    const { server } = await startTestBackend({
      features: [
        authPlugin,
        demoSignInModule,
        configWith({
          environment: 'development',
          session: { secret: 'test-session-secret' },
          providers: { demo: { development: { enabled: true } } },
        }),
      ],
    });
    const res = await request(server)
      .get('/api/auth/demo/refresh')
      .set('X-Requested-With', 'XMLHttpRequest');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/Choose a demo user/);
  });

  it('is not registered unless enabled', async () => {
    const { server } = await startTestBackend({
      features: [
        authPlugin,
        demoSignInModule,
        configWith({ environment: 'development', providers: {} }),
      ],
    });
    const res = await request(server)
      .get('/api/auth/demo/refresh')
      .set('X-Requested-With', 'XMLHttpRequest');
    expect(res.status).toBe(404);
  });
});
