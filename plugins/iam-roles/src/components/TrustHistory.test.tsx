import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import { describeVersion, TrustHistory } from './TrustHistory';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { errorResponse } from '../__testUtils__/handlers';
import { BASE } from '../__testUtils__/fixtures';
import {
  paymentsDeployHistory,
  trustVersion,
} from '../__testUtils__/trustHistoryFixtures';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';

const ROLE = 'resource:default/payments-deploy';

describe('describeVersion', () => {
  it('says in words who a change let in and out, and what became risky', () => {
    expect(describeVersion(paymentsDeployHistory[1])).toEqual([
      'Now trusts GitHub Actions in any repository of any owner',
      'No longer trusts GitHub Actions in acme/payments-api on branch main',
      'New finding: Any tenant of the identity provider can assume the role (critical)',
    ]);
    expect(describeVersion(paymentsDeployHistory[0])).toEqual([
      'Owner changed from payments to platform',
    ]);
    expect(describeVersion(paymentsDeployHistory[2])).toEqual([
      'First recorded. It trusted:',
      '• GitHub Actions in acme/payments-api on branch main',
    ]);
  });

  it('says a removed role is gone and whom it last trusted', () => {
    expect(
      describeVersion(trustVersion({ version: 4, kind: 'removed' })),
    ).toEqual([
      'Gone from the catalog: deleted in IAM, or its account is no longer read. It last trusted:',
      '• GitHub Actions in acme/payments-api on branch main',
    ]);
  });
});

describe('TrustHistory', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const render = () =>
    renderWithApis(
      <IamRolesQueryProvider>
        <TrustHistory roleRef={ROLE} />
      </IamRolesQueryProvider>,
    );

  it('shows the versions newest first, each change in words, and exports them', async () => {
    const user = userEvent.setup();
    const asked: string[] = [];
    server.use(
      http.get(`${BASE}/trust-history/roles`, ({ request }) => {
        const url = new URL(request.url);
        asked.push(url.search);
        if (url.searchParams.get('format') === 'csv') {
          return new HttpResponse('seenAt,roleRef\r\n', {
            headers: { 'Content-Type': 'text/csv' },
          });
        }
        return HttpResponse.json({
          roleRef: ROLE,
          versions: paymentsDeployHistory,
        });
      }),
    );
    const blobs: Blob[] = [];
    Object.assign(URL, {
      createObjectURL: (blob: Blob) => {
        blobs.push(blob);
        return 'blob:1';
      },
      revokeObjectURL: jest.fn(),
    });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});
    await render();

    const section = await screen.findByRole('region', {
      name: 'Trust history',
    });
    const versions = within(
      within(section).getByRole('list', { name: 'Versions' }),
    );
    const headings = versions.getAllByRole('heading', { level: 3 });
    expect(headings.map(h => h.textContent)).toEqual([
      expect.stringMatching(/^Version 3 · /),
      expect.stringMatching(/^Version 2 · /),
      expect.stringMatching(/^Version 1 · /),
    ]);
    expect(
      versions.getByText(
        'Now trusts GitHub Actions in any repository of any owner',
      ),
    ).toBeInTheDocument();
    expect(versions.getByText('critical')).toBeInTheDocument();
    expect(versions.getByText('first recorded')).toBeInTheDocument();

    await user.click(
      within(section).getByRole('button', { name: 'Export history as CSV' }),
    );
    expect(asked.at(-1)).toContain('format=csv');
    expect(await blobs[0].text()).toBe('seenAt,roleRef\r\n');
    click.mockRestore();
  });

  it('answers since when a principal can assume the role, in words', async () => {
    const user = userEvent.setup();
    const asked: Array<string | null> = [];
    server.use(
      http.get(`${BASE}/trust-history/roles`, () =>
        HttpResponse.json({ roleRef: ROLE, versions: paymentsDeployHistory }),
      ),
      http.get(`${BASE}/trust-history/first-access`, ({ request }) => {
        const principal = new URL(request.url).searchParams.get('principal');
        asked.push(principal);
        return HttpResponse.json({
          roleRef: ROLE,
          principal,
          recordedSince: '2026-11-20T10:00:00.000Z',
          firstAt: '2026-11-25T09:00:00.000Z',
          firstVersion: 2,
          since: '2026-11-25T09:00:00.000Z',
          now: 'allowed',
          versions: [
            {
              version: 3,
              seenAt: '2026-11-27T09:00:00.000Z',
              outcome: 'allowed',
            },
            {
              version: 2,
              seenAt: '2026-11-25T09:00:00.000Z',
              outcome: 'allowed',
            },
            {
              version: 1,
              seenAt: '2026-11-20T10:00:00.000Z',
              outcome: 'not-trusted',
            },
          ],
        });
      }),
    );
    await render();
    await user.type(
      await screen.findByLabelText(
        'Since when can this principal assume the role?',
      ),
      'github:evil/repo',
    );
    await user.click(screen.getByRole('button', { name: 'Since when?' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      /^github:evil\/repo can assume this role, first on .* \(version 2\), without a break\.$/,
    );
    expect(asked).toEqual(['github:evil/repo']);
  });

  it('says plainly when nothing was recorded yet, and shows the reason of an error', async () => {
    server.use(
      http.get(`${BASE}/trust-history/roles`, () =>
        HttpResponse.json({ roleRef: ROLE, versions: [] }),
      ),
    );
    const { unmount } = await render();
    expect(
      await screen.findByText(/No version recorded yet/),
    ).toBeInTheDocument();
    unmount();

    server.use(
      http.get(`${BASE}/trust-history/roles`, () =>
        errorResponse(
          501,
          'NotImplementedError',
          'The trust history is turned off in this installation (iamRoles.history.enabled: false).',
        ),
      ),
    );
    await render();
    expect(
      await screen.findByText('Could not load the trust history'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/turned off in this installation/),
    ).toBeInTheDocument();
  });
});
