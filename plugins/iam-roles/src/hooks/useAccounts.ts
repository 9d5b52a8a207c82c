import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import {
  ANNOTATION_AWS_ACCOUNT_ID,
  AWS_ACCOUNT_RESOURCE_TYPE,
  accountNameOfTitle,
  eksClusterNamesOf,
  type DescribeOptions,
  type EksClusterName,
} from '@backstage-iam/plugin-iam-roles-common';

/** An AWS account as the catalog knows it. */
export interface AccountInfo {
  accountId: string;
  /** Its name (`acme-production`), when the catalog module was told one. */
  name?: string;
  entityRef: string;
  /** Its EKS clusters by OIDC issuer id (`spec.eksClusters`), when the catalog module read them. */
  eksClusters: Record<string, EksClusterName>;
}

/** Reads an account entity: its id from the annotation, its name from the title the module writes. */
export function accountOfEntity(entity: Entity): AccountInfo | undefined {
  const accountId = entity.metadata.annotations?.[ANNOTATION_AWS_ACCOUNT_ID];
  if (!accountId) {
    return undefined;
  }
  return {
    accountId,
    name: accountNameOfTitle(entity.metadata.title, accountId),
    entityRef: stringifyEntityRef(entity),
    eksClusters: eksClusterNamesOf([entity]),
  };
}

/** The catalog's AWS accounts by id, read once per page (names are shown next to account ids). */
export function useAccounts() {
  const catalogApi = useApi(catalogApiRef);
  return useQuery({
    queryKey: ['iam-roles', 'accounts'],
    staleTime: 5 * 60_000,
    queryFn: async () => {
      const { items } = await catalogApi.getEntities({
        filter: { kind: 'Resource', 'spec.type': AWS_ACCOUNT_RESOURCE_TYPE },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'metadata.annotations',
          'spec.eksClusters',
        ],
      });
      const byId = new Map<string, AccountInfo>();
      for (const entity of items) {
        const account = accountOfEntity(entity);
        if (account) {
          byId.set(account.accountId, account);
        }
      }
      return byId;
    },
  });
}

/**
 * What the catalog's accounts name, for the engine's words (`describePrincipal`,
 * `describeConditionWith`): account names by id, EKS clusters by OIDC issuer id. Empty until
 * the accounts are read; the words then fall back to the ids.
 */
export function useDescribeOptions(): DescribeOptions {
  const accounts = useAccounts();
  return useMemo(() => {
    const accountNames: Record<string, string> = {};
    const eksClusters: Record<string, EksClusterName> = {};
    for (const account of accounts.data?.values() ?? []) {
      if (account.name) accountNames[account.accountId] = account.name;
      Object.assign(eksClusters, account.eksClusters);
    }
    return { accountNames, eksClusters };
  }, [accounts.data]);
}
