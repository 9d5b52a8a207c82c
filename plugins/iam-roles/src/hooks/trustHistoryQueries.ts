import { useApi } from '@backstage/core-plugin-api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { iamRolesApiRef, ListTrustChangesOptions } from '../api/IamRolesApi';

const ROOT = 'iam-roles';

/** Query keys of the trust history. */
export const trustHistoryKeys = {
  role: (ref: string) => [ROOT, 'trust-history', ref] as const,
  changes: (o: ListTrustChangesOptions) => [ROOT, 'trust-changes', o] as const,
  subscriptions: [ROOT, 'trust-subscriptions'] as const,
};

/** A role's versions, newest first. */
export function useRoleTrustHistory(entityRef: string) {
  const api = useApi(iamRolesApiRef);
  return useQuery({
    queryKey: trustHistoryKeys.role(entityRef),
    queryFn: () => api.getRoleTrustHistory(entityRef),
  });
}

/** Recent changes across roles, risky first (the first page: at most `limit`). */
export function useTrustChanges(options: ListTrustChangesOptions, limit = 50) {
  const api = useApi(iamRolesApiRef);
  return useQuery({
    queryKey: trustHistoryKeys.changes(options),
    queryFn: () => api.listTrustChanges({ ...options, limit }),
  });
}

/** The roles the signed-in user is told about. */
export function useTrustSubscriptions() {
  const api = useApi(iamRolesApiRef);
  return useQuery({
    queryKey: trustHistoryKeys.subscriptions,
    queryFn: () => api.listTrustSubscriptions(),
  });
}

/** Subscribes to, or unsubscribes from, a role's trust changes. */
export function useToggleTrustSubscription() {
  const api = useApi(iamRolesApiRef);
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (v: { roleRef: string; subscribe: boolean }) => {
      if (v.subscribe) {
        await api.subscribeToTrustChanges(v.roleRef);
      } else {
        await api.unsubscribeFromTrustChanges(v.roleRef);
      }
    },
    onSettled: () =>
      client.invalidateQueries({ queryKey: trustHistoryKeys.subscriptions }),
  });
}
