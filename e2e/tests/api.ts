import { APIRequestContext, expect } from '@playwright/test';

/**
 * A backend token for a demo user, as the browser gets it (development-only demo sign-in). Right
 * after start-up the catalog may not hold the user yet: ask again until it does.
 */
export async function tokenFor(request: APIRequestContext, userName: string) {
  let token: string | undefined;
  await expect
    .poll(
      async () => {
        const res = await request.get('/api/auth/demo/refresh', {
          headers: {
            'x-demo-user': userName,
            'X-Requested-With': 'XMLHttpRequest',
          },
        });
        if (!res.ok()) {
          return `${res.status()} ${await res.text()}`;
        }
        token = (await res.json()).backstageIdentity.token;
        return 'signed in';
      },
      { timeout: 120_000, intervals: [1_000] },
    )
    .toBe('signed in');
  return token!;
}
