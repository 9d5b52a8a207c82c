import { screen, within } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import { RequestAccessDialog } from './RequestAccessDialog';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { brokerHandlers, workflowHandlers } from '../__testUtils__/handlers';
import {
  accessRequest,
  ROLE_ARN,
  ROLE_REF,
  roleEntity,
} from '../__testUtils__/fixtures';

const server = setupServer();
registerMswTestHooks(server);

function renderDialog() {
  return renderWithApis(
    <IamRolesQueryProvider>
      <RequestAccessDialog
        open
        roleRef={ROLE_REF}
        roleTitle="payments-deploy"
        roleArn={ROLE_ARN}
        onClose={() => {}}
        onSubmitted={() => {}}
      />
    </IamRolesQueryProvider>,
    { catalogEntities: [roleEntity()] },
  );
}

describe('RequestAccessDialog', () => {
  it('says why a role cannot be requested instead of offering the form', async () => {
    server.use(
      ...workflowHandlers({
        requestOptions: {
          requestable: false,
          reasons: ['Identity Center roles are assigned in Identity Center.'],
        },
      }),
      ...brokerHandlers(),
    );
    await renderDialog();
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        'Identity Center roles are assigned in Identity Center.',
      ),
    ).toBeInTheDocument();
    expect(within(dialog).queryByLabelText(/Justification/)).toBeNull();
    expect(
      within(dialog).queryByRole('button', { name: 'Submit request' }),
    ).toBeNull();
  });

  it('shows the open request instead of a second one', async () => {
    server.use(
      ...workflowHandlers({
        requestOptions: { openRequest: accessRequest() },
      }),
      ...brokerHandlers(),
    );
    await renderDialog();
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(/^Your request of .* is pending/),
    ).toBeInTheDocument();
    expect(
      within(dialog).queryByRole('button', { name: 'Submit request' }),
    ).toBeNull();
  });

  it('gives the trust statement the owner would add when no credentials can be issued', async () => {
    const statement = {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::999999999999:role/broker' },
      Action: 'sts:AssumeRole',
    };
    server.use(
      ...workflowHandlers({
        requestOptions: {
          credentials: {
            issuable: false,
            reason: 'the role does not trust the access broker',
            trustStatement: statement,
          },
          maxDurationMinutes: 120,
        },
      }),
      ...brokerHandlers(),
    );
    await renderDialog();
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        /no credentials can be issued: the role does not trust the access broker/,
      ),
    ).toBeInTheDocument();
    expect(
      JSON.parse(
        within(dialog).getByLabelText('Statement the owner would add')
          .textContent!,
      ),
    ).toEqual(statement);
    // The role's own maximum, not the broker's wider one.
    expect(
      within(dialog).getByText(/Between \d+ and 120 minutes/),
    ).toBeInTheDocument();
    expect(
      await within(dialog).findByText(/^Managed policies:|^No managed policy/),
    ).toBeInTheDocument();
  });
});
