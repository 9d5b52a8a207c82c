import { ANNOTATION_AWS_ACCOUNT_ID } from './constants';
import { parseEksIssuer, type EksClusterName } from '../trust/eksClusters';

/** An EKS cluster of an account, as the catalog module writes it on the account entity (`spec.eksClusters`). */
export type AwsAccountEksCluster = {
  name: string;
  region: string;
  arn?: string;
  /** The OIDC issuer IRSA roles trust (`https://oidc.eks.REGION.amazonaws.com/id/ID`), from DescribeCluster. */
  oidcIssuer?: string;
};

/** The clusters an AWS account entity carries; entries that are not clusters are left out. */
export function eksClustersOfAccount(entity: {
  spec?: Record<string, unknown> | object;
}): AwsAccountEksCluster[] {
  const value = (entity.spec as { eksClusters?: unknown } | undefined)
    ?.eksClusters;
  if (!Array.isArray(value)) return [];
  return value.filter(
    (c): c is AwsAccountEksCluster =>
      !!c &&
      typeof c === 'object' &&
      typeof c.name === 'string' &&
      typeof c.region === 'string',
  );
}

/**
 * EKS clusters by OIDC issuer id, over the catalog's AWS account entities: the `eksClusters` option
 * of `describePrincipal` (an IRSA principal then reads "on cluster acme-production (eu-west-1, …)").
 */
export function eksClusterNamesOf(
  accounts: Iterable<{
    metadata: { annotations?: Record<string, string> };
    spec?: Record<string, unknown> | object;
  }>,
): Record<string, EksClusterName> {
  const out: Record<string, EksClusterName> = {};
  for (const entity of accounts) {
    const accountId = entity.metadata.annotations?.[ANNOTATION_AWS_ACCOUNT_ID];
    if (!accountId) continue;
    for (const cluster of eksClustersOfAccount(entity)) {
      const issuer = cluster.oidcIssuer && parseEksIssuer(cluster.oidcIssuer);
      if (issuer) {
        out[issuer.id] = {
          name: cluster.name,
          region: cluster.region,
          accountId,
        };
      }
    }
  }
  return out;
}
