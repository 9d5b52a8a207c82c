import { useApi } from '@backstage/core-plugin-api';
import {
  keepPreviousData,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type {
  AssumableRolesResponse,
  CreateAccessRequest,
} from '@backstage-iam/plugin-iam-roles-common';
import {
  iamRolesApiRef,
  ListGrantsOptions,
  ListRequestsOptions,
  ListRolesOptions,
} from '../api/IamRolesApi';
import { readAllPages } from './readAllPages';

const ROOT = 'iam-roles';

/** Query keys, so mutations can refresh exactly what they change. */
export const iamRolesKeys = {
  config: [ROOT, 'config'] as const,
  trust: (ref: string) => [ROOT, 'trust', ref] as const,
  assumable: (ref: string) => [ROOT, 'assumable', ref] as const,
  lookup: (q: string) => [ROOT, 'lookup', q] as const,
  findings: [ROOT, 'findings'] as const,
  inventory: (o: ListRolesOptions) => [ROOT, 'inventory', o] as const,
  requests: (o: ListRequestsOptions) => [ROOT, 'requests', o] as const,
  approvals: [ROOT, 'approvals'] as const,
  grants: (o: ListGrantsOptions) => [ROOT, 'grants', o] as const,
  audit: (ref?: string) => [ROOT, 'audit', ref ?? ''] as const,
};

export function useBrokerInfo() {
  const api = useApi(iamRolesApiRef);
  return useQuery({
    queryKey: iamRolesKeys.config,
    queryFn: () => api.getBrokerInfo(),
    staleTime: 5 * 60_000,
  });
}

export function useRoleTrust(entityRef: string) {
  const api = useApi(iamRolesApiRef);
  return useQuery({
    queryKey: iamRolesKeys.trust(entityRef),
    queryFn: () => api.getRoleTrust(entityRef),
  });
}

/** How often to ask again while the broker's trust index holds no role yet (start-up). */
export const EMPTY_INDEX_POLL_MS = 3000;

/** Polls while the answer came from an empty index: "not known yet" must not stay on screen as "none". */
function untilIndexed(query: {
  state: { data?: AssumableRolesResponse };
}): number | false {
  return query.state.data?.index?.roles === 0 ? EMPTY_INDEX_POLL_MS : false;
}

export function useAssumableRoles(entityRef: string) {
  const api = useApi(iamRolesApiRef);
  return useQuery({
    queryKey: iamRolesKeys.assumable(entityRef),
    queryFn: () => api.getAssumableRoles(entityRef),
    refetchInterval: untilIndexed,
  });
}

export function useLookup(query: string | undefined) {
  const api = useApi(iamRolesApiRef);
  return useQuery({
    queryKey: iamRolesKeys.lookup(query ?? ''),
    queryFn: () => api.lookup(query!),
    enabled: Boolean(query),
    refetchInterval: untilIndexed,
  });
}

/** Every finding (up to the row cap: see `totalItems`). */
export function useFindings() {
  const api = useApi(iamRolesApiRef);
  return useQuery({
    queryKey: iamRolesKeys.findings,
    queryFn: () => readAllPages(page => api.listFindings(page)),
  });
}

/** Rows the inventory table loads at most; the answer line counts them all, the export has them all. */
export const INVENTORY_ROWS = 500;

/** The inventory of every role for the filters (up to {@link INVENTORY_ROWS} rows), with its facets. */
export function useRoleInventory(options: ListRolesOptions) {
  const api = useApi(iamRolesApiRef);
  return useQuery({
    queryKey: iamRolesKeys.inventory(options),
    queryFn: () => api.listRoles({ ...options, limit: INVENTORY_ROWS }),
    // Changing a filter keeps the table on screen until the new rows arrive.
    placeholderData: keepPreviousData,
  });
}

/** How often a view that follows an open request asks again, so its decision shows without a reload. */
export const REQUEST_POLL_MS = 15_000;

/** Requests matching the filters, every page of them (up to the row cap); with `followPending`, asked again while one is pending. */
export function useRequests(
  options: ListRequestsOptions,
  enabled = true,
  followPending = false,
) {
  const api = useApi(iamRolesApiRef);
  return useQuery({
    queryKey: iamRolesKeys.requests(options),
    queryFn: () =>
      readAllPages(page => api.listRequests({ ...options, ...page })),
    enabled,
    refetchInterval: followPending
      ? query =>
          query.state.data?.items.some(r => r.status === 'pending')
            ? REQUEST_POLL_MS
            : false
      : false,
  });
}

/** Requests waiting for the caller's decision, every page of them (up to the row cap). */
export function useApprovals() {
  const api = useApi(iamRolesApiRef);
  return useQuery({
    queryKey: iamRolesKeys.approvals,
    queryFn: () => readAllPages(page => api.listApprovals(page)),
  });
}

/** Grants matching the filters, every page of them (up to the row cap). */
export function useGrants(options: ListGrantsOptions, enabled = true) {
  const api = useApi(iamRolesApiRef);
  return useQuery({
    queryKey: iamRolesKeys.grants(options),
    queryFn: () =>
      readAllPages(page => api.listGrants({ ...options, ...page })),
    enabled,
  });
}

export function useAudit(roleRef: string | undefined, enabled = true) {
  const api = useApi(iamRolesApiRef);
  return useQuery({
    queryKey: iamRolesKeys.audit(roleRef),
    queryFn: () => api.getAudit(roleRef),
    enabled,
  });
}

/** Refreshes every list a decision or a new request can change. */
function useInvalidateAccess() {
  const client = useQueryClient();
  return () =>
    Promise.all(
      (
        ['requests', 'approvals', 'grants', 'audit', 'request-options'] as const
      ).map(part => client.invalidateQueries({ queryKey: [ROOT, part] })),
    );
}

export function useCreateRequest() {
  const api = useApi(iamRolesApiRef);
  const invalidate = useInvalidateAccess();
  return useMutation({
    mutationFn: (request: CreateAccessRequest) => api.createRequest(request),
    onSuccess: () => invalidate(),
  });
}

export type Decision =
  | { action: 'approve'; requestId: string; reason?: string }
  | { action: 'deny'; requestId: string; reason: string }
  | { action: 'cancel'; requestId: string }
  | { action: 'revoke'; grantId: string; reason: string };

export function useDecision() {
  const api = useApi(iamRolesApiRef);
  const invalidate = useInvalidateAccess();
  return useMutation({
    mutationFn: async (decision: Decision): Promise<void> => {
      switch (decision.action) {
        case 'approve':
          await api.approveRequest(decision.requestId, decision.reason);
          return;
        case 'deny':
          await api.denyRequest(decision.requestId, decision.reason);
          return;
        case 'cancel':
          await api.cancelRequest(decision.requestId);
          return;
        case 'revoke':
          await api.revokeGrant(decision.grantId, decision.reason);
          return;
        default:
          throw new Error('Unknown decision');
      }
    },
    onSuccess: () => invalidate(),
  });
}

export function useIssueCredentials() {
  const api = useApi(iamRolesApiRef);
  return useMutation({
    mutationFn: (grantId: string) => api.issueCredentials(grantId),
  });
}
