import {
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListClustersCommand,
  ListPodIdentityAssociationsCommand,
} from '@aws-sdk/client-eks';
import { mapWithConcurrency } from '../sources/types';
import { allPages, CallCounter } from './pages';

/** The EKS clusters of the client's account and region (ListClusters, every page). */
export async function listClusters(
  eks: EKSClient,
  options: { signal?: AbortSignal } = {},
): Promise<{ clusters: string[]; calls: number }> {
  const counter = new CallCounter();
  const pages = await allPages(counter, 'nextToken', nextToken =>
    eks.send(new ListClustersCommand({ nextToken }), {
      abortSignal: options.signal,
    }),
  );
  return {
    clusters: [...new Set(pages.flatMap(p => p.clusters ?? []))].sort(),
    calls: counter.calls,
  };
}

/**
 * One cluster as DescribeCluster answers (its `cluster` object, as `aws eks describe-cluster`
 * prints it): its ARN and the OIDC issuer its IRSA roles trust, so people read the cluster by name.
 */
export async function describeCluster(
  eks: EKSClient,
  clusterName: string,
  options: { signal?: AbortSignal } = {},
): Promise<Record<string, unknown>> {
  const { cluster } = await eks.send(
    new DescribeClusterCommand({ name: clusterName }),
    { abortSignal: options.signal },
  );
  if (!cluster?.name) {
    throw new Error(`DescribeCluster of ${clusterName} returned no cluster`);
  }
  return { ...cluster } as Record<string, unknown>;
}

/**
 * The Pod Identity associations of one cluster, each described (the list answer has no role ARN):
 * the `association` objects of DescribePodIdentityAssociation, as `aws eks
 * describe-pod-identity-association` prints them. Calls: list pages + one per association.
 */
export async function readClusterAssociations(
  eks: EKSClient,
  clusterName: string,
  options: { concurrency?: number; signal?: AbortSignal } = {},
): Promise<{ associations: Array<Record<string, unknown>>; calls: number }> {
  const counter = new CallCounter();
  const summaries = (
    await allPages(counter, 'nextToken', nextToken =>
      eks.send(
        new ListPodIdentityAssociationsCommand({ clusterName, nextToken }),
        { abortSignal: options.signal },
      ),
    )
  ).flatMap(p => p.associations ?? []);
  const associations = await mapWithConcurrency(
    summaries.filter(s => s.associationId),
    options.concurrency ?? 4,
    async summary => {
      counter.calls += 1;
      const { association } = await eks.send(
        new DescribePodIdentityAssociationCommand({
          clusterName,
          associationId: summary.associationId!,
        }),
        { abortSignal: options.signal },
      );
      if (!association) {
        throw new Error(
          `DescribePodIdentityAssociation of ${summary.associationId} in cluster ${clusterName} returned no association`,
        );
      }
      return { ...association } as Record<string, unknown>;
    },
  );
  return { associations, calls: counter.calls };
}
