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
 * https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html). An association created with
 * `disableSessionTags` sends none of them: the context then says so, and a condition on a session
 * tag is not met (rather than left open).
 */
export function podIdentityContext(association: {
  accountId: string;
  region: string;
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  partition?: string;
  disableSessionTags?: boolean;
}): PrincipalContext {
  const clusterArn = `arn:${association.partition ?? 'aws'}:eks:${
    association.region
  }:${association.accountId}:cluster/${association.clusterName}`;
  const base = {
    type: 'service' as const,
    service: POD_IDENTITY_SERVICE,
    sourceArn: clusterArn,
    sourceAccount: association.accountId,
  };
  if (association.disableSessionTags) {
    return { ...base, requestTagsComplete: true };
  }
  return {
    ...base,
    requestTags: {
      'eks-cluster-arn': clusterArn,
      'eks-cluster-name': association.clusterName,
      'kubernetes-namespace': association.namespace,
      'kubernetes-service-account': association.serviceAccount,
    },
  };
}
