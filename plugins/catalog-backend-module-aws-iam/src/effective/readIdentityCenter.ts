import {
  DescribePermissionSetCommand,
  ListAccountAssignmentsCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListInstancesCommand,
  ListPermissionSetsCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import {
  IdentitystoreClient,
  ListGroupMembershipsCommand,
  ListGroupsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-identitystore';
import { mapWithConcurrency } from '../sources/types';
import { allPages, CallCounter } from './pages';

/** What {@link readIdentityCenter} assembled: a document of the snapshot format, and its calls. */
export interface IdentityCenterDocument {
  document: Record<string, unknown>;
  calls: number;
}

/**
 * Reads an Identity Center instance into the snapshot document shape (`kind: aws-identity-center`):
 * permission sets (ListPermissionSets, DescribePermissionSet), the accounts each is provisioned to
 * (ListAccountsForProvisionedPermissionSet), the assignments of each pair (ListAccountAssignments),
 * and from the identity store the groups, users and the memberships of the groups that hold an
 * assignment. Calls: 1 + 3P + Σ(accounts per set) + G_assigned + list pages, the API's floor for
 * assignments of every account.
 */
export async function readIdentityCenter(
  ssoAdmin: SSOAdminClient,
  identityStore: IdentitystoreClient,
  options: { instanceArn?: string; concurrency?: number; signal?: AbortSignal },
): Promise<IdentityCenterDocument> {
  const counter = new CallCounter();
  const { signal } = options;
  const concurrency = options.concurrency ?? 4;

  const instances = (
    await allPages(counter, 'NextToken', NextToken =>
      ssoAdmin.send(new ListInstancesCommand({ NextToken }), {
        abortSignal: signal,
      }),
    )
  ).flatMap(p => p.Instances ?? []);
  const instance = options.instanceArn
    ? instances.find(i => i.InstanceArn === options.instanceArn)
    : instances[0];
  if (!instance?.InstanceArn || !instance.IdentityStoreId) {
    throw new Error(
      options.instanceArn
        ? `Identity Center instance ${options.instanceArn} is not among the ${instances.length} instances these credentials see`
        : 'no Identity Center instance is visible to these credentials (wrong region or account?)',
    );
  }
  if (!options.instanceArn && instances.length > 1) {
    throw new Error(
      `${instances.length} Identity Center instances are visible (${instances
        .map(i => i.InstanceArn)
        .join(', ')}): set identityCenter.instanceArn`,
    );
  }
  const InstanceArn = instance.InstanceArn;
  const IdentityStoreId = instance.IdentityStoreId;

  const setArns = (
    await allPages(counter, 'NextToken', NextToken =>
      ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn, NextToken }), {
        abortSignal: signal,
      }),
    )
  ).flatMap(p => p.PermissionSets ?? []);

  const perSet = await mapWithConcurrency(
    setArns,
    concurrency,
    async PermissionSetArn => {
      counter.calls += 1;
      const described = await ssoAdmin.send(
        new DescribePermissionSetCommand({ InstanceArn, PermissionSetArn }),
        { abortSignal: signal },
      );
      const accounts = (
        await allPages(counter, 'NextToken', NextToken =>
          ssoAdmin.send(
            new ListAccountsForProvisionedPermissionSetCommand({
              InstanceArn,
              PermissionSetArn,
              NextToken,
            }),
            { abortSignal: signal },
          ),
        )
      ).flatMap(p => p.AccountIds ?? []);
      const assignments = (
        await mapWithConcurrency(accounts, concurrency, async AccountId =>
          (
            await allPages(counter, 'NextToken', NextToken =>
              ssoAdmin.send(
                new ListAccountAssignmentsCommand({
                  InstanceArn,
                  AccountId,
                  PermissionSetArn,
                  NextToken,
                }),
                { abortSignal: signal },
              ),
            )
          ).flatMap(p => p.AccountAssignments ?? []),
        )
      ).flat();
      return { permissionSet: described.PermissionSet ?? {}, assignments };
    },
  );
  const assignments = perSet.flatMap(s => s.assignments);

  const groups = (
    await allPages(counter, 'NextToken', NextToken =>
      identityStore.send(
        new ListGroupsCommand({ IdentityStoreId, NextToken }),
        {
          abortSignal: signal,
        },
      ),
    )
  ).flatMap(p => p.Groups ?? []);
  const users = (
    await allPages(counter, 'NextToken', NextToken =>
      identityStore.send(new ListUsersCommand({ IdentityStoreId, NextToken }), {
        abortSignal: signal,
      }),
    )
  ).flatMap(p => p.Users ?? []);
  // Only the memberships that decide who gets a role: groups with an assignment.
  const assignedGroups = [
    ...new Set(
      assignments
        .filter(a => a.PrincipalType === 'GROUP' && a.PrincipalId)
        .map(a => a.PrincipalId!),
    ),
  ].sort();
  const memberships = (
    await mapWithConcurrency(assignedGroups, concurrency, async GroupId =>
      (
        await allPages(counter, 'NextToken', NextToken =>
          identityStore.send(
            new ListGroupMembershipsCommand({
              IdentityStoreId,
              GroupId,
              NextToken,
            }),
            { abortSignal: signal },
          ),
        )
      ).flatMap(p => p.GroupMemberships ?? []),
    )
  ).flat();

  return {
    document: {
      kind: 'aws-identity-center',
      Instance: { InstanceArn, IdentityStoreId },
      PermissionSets: perSet.map(s => s.permissionSet),
      AccountAssignments: assignments,
      Groups: groups,
      GroupMemberships: memberships,
      Users: users,
    },
    calls: counter.calls,
  };
}
