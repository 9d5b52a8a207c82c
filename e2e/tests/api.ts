import { APIRequestContext, expect } from '@playwright/test';

/** A backend token for a demo user, as the browser gets it (development-only demo sign-in). */
export async function tokenFor(request: APIRequestContext, userName: string) {
  const res = await request.get('/api/auth/demo/refresh', {
    headers: { 'x-demo-user': userName, 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(res.ok()).toBeTruthy();
  const body = await res.json();
  return body.backstageIdentity.token as string;
}
