import { APIRequestContext, expect, test } from '@playwright/test';
import { tokenFor } from './api';
import { DEVELOPER, OWNER } from './users';

// #17 in the demo: a grant extended and released; break-glass on the one role that allows it.
const EXTENDED_ROLE = 'resource:default/333333333333-payments-reporting-reader';
const BREAK_GLASS_ROLE = 'resource:default/222222222222-break-glass-admin';
const RESPONDER = 'jane.doe';
const REVIEWER = 'lucas.martin';

async function as(request: APIRequestContext, user: string) {
  const token = await tokenFor(request, user);
  const headers = { Authorization: `Bearer ${token}` };
  return {
    get: (path: string) => request.get(`/api/iam-roles${path}`, { headers }),
    post: (path: string, data: object = {}) =>
      request.post(`/api/iam-roles${path}`, { headers, data }),
  };
}

test('the holder extends a grant, the owner approves the extension, the holder releases it', async ({
  request,
}) => {
  const developer = await as(request, DEVELOPER);
  const owner = await as(request, OWNER);

  const created = await developer.post('/requests', {
    roleRef: EXTENDED_ROLE,
    justification: 'Reconcile the November payouts report',
    durationMinutes: 60,
  });
  expect(created.status(), await created.text()).toBe(201);
  const requestId = (await created.json()).id;
  const approved = await owner.post(
    `/requests/${encodeURIComponent(requestId)}/approve`,
  );
  expect(approved.status(), await approved.text()).toBe(200);

  const grants = await developer.get(
    `/grants?mine=true&roleRef=${encodeURIComponent(EXTENDED_ROLE)}`,
  );
  const grant = (await grants.json()).items.find(
    (g: { requestId: string }) => g.requestId === requestId,
  );
  expect(grant?.status).toBe('active');

  const extension = await developer.post(
    `/grants/${encodeURIComponent(grant.id)}/extend`,
    {
      durationMinutes: 30,
      justification: 'The reconciliation needs another half hour',
    },
  );
  expect(extension.status(), await extension.text()).toBe(201);
  const extensionId = (await extension.json()).id;
  const extensionApproved = await owner.post(
    `/requests/${encodeURIComponent(extensionId)}/approve`,
  );
  expect(extensionApproved.status(), await extensionApproved.text()).toBe(200);

  const after = (
    await (
      await developer.get(
        `/grants?mine=true&roleRef=${encodeURIComponent(EXTENDED_ROLE)}`,
      )
    ).json()
  ).items.find((g: { id: string }) => g.id === grant.id);
  expect(Date.parse(after.expiresAt) - Date.parse(grant.expiresAt)).toBe(
    30 * 60_000,
  );

  const released = await developer.post(
    `/grants/${encodeURIComponent(grant.id)}/release`,
  );
  expect(released.status(), await released.text()).toBe(200);
  expect((await released.json()).status).not.toBe('active');

  const audit = await owner.get(
    `/audit?roleRef=${encodeURIComponent(EXTENDED_ROLE)}`,
  );
  // The audit answers its entries as a JSON array (one owner's export, not a page).
  const actions = (await audit.json()).map((e: { action: string }) => e.action);
  expect(actions).toEqual(
    expect.arrayContaining(['grant-extended', 'grant-released']),
  );
});

test('break-glass on the demo role that allows it starts at once and waits in the owners’ review list', async ({
  request,
}) => {
  const responder = await as(request, RESPONDER);
  const reviewer = await as(request, REVIEWER);

  const options = await (
    await responder.get(`/request-options?role=${BREAK_GLASS_ROLE}`)
  ).json();
  expect(options.breakGlass.allowed).toBe(true);

  const started = await responder.post('/break-glass', {
    roleRef: BREAK_GLASS_ROLE,
    justification: 'Production database unreachable, restoring access',
    incident: 'INC-2041',
  });
  expect(started.status(), await started.text()).toBe(201);
  const grantId = (await started.json()).grant?.id;
  expect(grantId).toBeTruthy();

  const reviews = await (await reviewer.get('/reviews')).json();
  expect(reviews.items.map((g: { id: string }) => g.id)).toContain(grantId);
  // The holder does not review their own break-glass.
  const own = await (await responder.get('/reviews')).json();
  expect(own.items.map((g: { id: string }) => g.id)).not.toContain(grantId);
});
