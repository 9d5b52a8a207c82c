import type { PrincipalContext } from './types';

/** The service principal EKS Pod Identity assumes roles as. */
export const POD_IDENTITY_SERVICE = 'pods.eks.amazonaws.com';

/**
 * What EKS Pod Identity presents when it assumes an association's role for a pod: the service
 * `pods.eks.amazonaws.com`, the cluster as `aws:SourceArn`/`aws:SourceAccount`, and the session tags
 * it adds (`eks-cluster-arn`, `eks-cluster-name`, `kubernetes-namespace`,
 * `kubernetes-service-account`; the pod's name and uid are not known ahead, so conditions on them
 * stay open). A trust policy narrows a Pod Identity role with `aws:RequestTag/…` conditions on these
 * (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html,
 * https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html).
 */
export function podIdentityContext(association: {
  accountId: string;
  region: string;
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  partition?: string;
}): PrincipalContext {
  const clusterArn = `arn:${association.partition ?? 'aws'}:eks:${
    association.region
  }:${association.accountId}:cluster/${association.clusterName}`;
  return {
    type: 'service',
    service: POD_IDENTITY_SERVICE,
    sourceArn: clusterArn,
    sourceAccount: association.accountId,
    requestTags: {
      'eks-cluster-arn': clusterArn,
      'eks-cluster-name': association.clusterName,
      'kubernetes-namespace': association.namespace,
      'kubernetes-service-account': association.serviceAccount,
    },
  };
}
