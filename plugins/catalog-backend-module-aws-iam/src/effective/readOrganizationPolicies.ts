import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mapWithConcurrency } from '../sources/types';
import { allPages, CallCounter } from './pages';

/**
 * Reads the organisation's resource control policies into the snapshot document shape (`kind:
 * aws-organizations-rcp`): ListPolicies (Filter RESOURCE_CONTROL_POLICY), DescribePolicy and
 * ListTargetsForPolicy per policy, and the tree (ListRoots, then ListOrganizationalUnitsForParent and
 * ListAccountsForParent per root and OU) so that each account's path from the root is known.
 * Calls: 1 + 2R + 2(roots + OUs) + list pages.
 */
export async function readOrganizationPolicies(
  client: OrganizationsClient,
  options: { concurrency?: number; signal?: AbortSignal } = {},
): Promise<{ document: Record<string, unknown>; calls: number }> {
  const counter = new CallCounter();
  const { signal } = options;
  const concurrency = options.concurrency ?? 4;

  counter.calls += 1;
  const { Organization } = await client.send(
    new DescribeOrganizationCommand({}),
    { abortSignal: signal },
  );
  const summaries = (
    await allPages(counter, 'NextToken', NextToken =>
      client.send(
        new ListPoliciesCommand({
          Filter: 'RESOURCE_CONTROL_POLICY',
          NextToken,
        }),
        { abortSignal: signal },
      ),
    )
  ).flatMap(p => p.Policies ?? []);
  const policies = await mapWithConcurrency(
    summaries.filter(s => s.Id),
    concurrency,
    async summary => {
      counter.calls += 1;
      const { Policy } = await client.send(
        new DescribePolicyCommand({ PolicyId: summary.Id! }),
        { abortSignal: signal },
      );
      const targets = (
        await allPages(counter, 'NextToken', NextToken =>
          client.send(
            new ListTargetsForPolicyCommand({
              PolicyId: summary.Id!,
              NextToken,
            }),
            { abortSignal: signal },
          ),
        )
      ).flatMap(p => p.Targets ?? []);
      return { Policy: Policy ?? { PolicySummary: summary }, Targets: targets };
    },
  );

  const roots = (
    await allPages(counter, 'NextToken', NextToken =>
      client.send(new ListRootsCommand({ NextToken }), { abortSignal: signal }),
    )
  ).flatMap(p => p.Roots ?? []);
  const accounts: Array<{ Id: string; Parents: string[] }> = [];
  // Breadth first from each root; every parent is visited once.
  let level = roots.flatMap(r => (r.Id ? [{ id: r.Id, path: [r.Id] }] : []));
  while (level.length > 0) {
    const next = await mapWithConcurrency(level, concurrency, async parent => {
      const ous = (
        await allPages(counter, 'NextToken', NextToken =>
          client.send(
            new ListOrganizationalUnitsForParentCommand({
              ParentId: parent.id,
              NextToken,
            }),
            { abortSignal: signal },
          ),
        )
      ).flatMap(p => p.OrganizationalUnits ?? []);
      const children = (
        await allPages(counter, 'NextToken', NextToken =>
          client.send(
            new ListAccountsForParentCommand({
              ParentId: parent.id,
              NextToken,
            }),
            { abortSignal: signal },
          ),
        )
      ).flatMap(p => p.Accounts ?? []);
      for (const account of children) {
        if (account.Id) {
          accounts.push({ Id: account.Id, Parents: parent.path });
        }
      }
      return ous.flatMap(ou =>
        ou.Id ? [{ id: ou.Id, path: [...parent.path, ou.Id] }] : [],
      );
    });
    level = next.flat();
  }

  return {
    document: {
      kind: 'aws-organizations-rcp',
      ...(Organization?.Id ? { Organization: { Id: Organization.Id } } : {}),
      Policies: policies,
      Accounts: accounts.sort((a, b) => a.Id.localeCompare(b.Id)),
    },
    calls: counter.calls,
  };
}
