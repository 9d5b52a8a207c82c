import { useApi } from '@backstage/core-plugin-api';
import { useCallback, useEffect, useRef } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AccessRequest } from '@backstage-iam/plugin-iam-roles-common';
import { iamRolesApiRef } from '../api/IamRolesApi';
import { iamRolesKeys, REQUEST_POLL_MS } from './queries';
import { readAllPages } from './readAllPages';

const ROOT = iamRolesKeys.config[0];

/** Query keys of the workflow: request options per role, the review list, one request. */
export const workflowKeys = {
  options: (role: string) => [ROOT, 'request-options', role] as const,
  reviews: [ROOT, 'reviews'] as const,
  request: (id: string) => [ROOT, 'requests', 'one', id] as const,
};

/** What the caller can ask for on a role (requestable or why not, approvers, break-glass, their open request or grant). */
export function useRequestOptions(role: string | undefined) {
  const api = useApi(iamRolesApiRef);
  return useQuery({
    queryKey: workflowKeys.options(role ?? ''),
    queryFn: () => api.getRequestOptions(role!),
    enabled: Boolean(role),
  });
}

/** Break-glass grants waiting for the caller's review (every page, up to the row cap). */
export function useReviews() {
  const api = useApi(iamRolesApiRef);
  return useQuery({
    queryKey: workflowKeys.reviews,
    queryFn: () => readAllPages(page => api.listReviews(page)),
  });
}

/** Polls while the request waits for a decision; a decided request does not change by itself. */
export function pollWhilePending(query: {
  state: { data?: Pick<AccessRequest, 'status'> };
}): number | false {
  return query.state.data?.status === 'pending' ? REQUEST_POLL_MS : false;
}

/**
 * One request, as the caller may see it (with `canDecide`), asked again while it is pending;
 * when it is decided, the lists, grants and options it changes are refreshed too.
 */
export function useAccessRequest(id: string | undefined) {
  const api = useApi(iamRolesApiRef);
  const invalidate = useInvalidateWorkflow();
  const query = useQuery({
    queryKey: workflowKeys.request(id ?? ''),
    queryFn: () => api.getRequest(id!),
    enabled: Boolean(id),
    refetchInterval: pollWhilePending,
  });
  const status = query.data?.status;
  const seen = useRef(status);
  useEffect(() => {
    if (seen.current === 'pending' && status && status !== 'pending') {
      invalidate();
    }
    seen.current = status;
  }, [status, invalidate]);
  return query;
}

/** Refreshes everything a workflow action changes: lists, options, reviews and the audit. */
function useInvalidateWorkflow() {
  const client = useQueryClient();
  return useCallback(
    () =>
      Promise.all(
        (
          [
            'requests',
            'approvals',
            'grants',
            'audit',
            'request-options',
            'reviews',
          ] as const
        ).map(part => client.invalidateQueries({ queryKey: [ROOT, part] })),
      ),
    [client],
  );
}

/** The workflow actions: extend, release, break-glass, review. */
export type WorkflowAction =
  | {
      action: 'extend';
      grantId: string;
      durationMinutes: number;
      justification: string;
    }
  | { action: 'release'; grantId: string; reason?: string }
  | {
      action: 'break-glass';
      roleRef: string;
      justification: string;
      incident: string;
      durationMinutes?: number;
    }
  | { action: 'review'; grantId: string; note: string };

export function useWorkflowAction() {
  const api = useApi(iamRolesApiRef);
  const invalidate = useInvalidateWorkflow();
  return useMutation({
    mutationFn: async (a: WorkflowAction): Promise<unknown> => {
      switch (a.action) {
        case 'extend':
          return api.extendGrant(a.grantId, {
            durationMinutes: a.durationMinutes,
            justification: a.justification,
          });
        case 'release':
          return api.releaseGrant(a.grantId, a.reason);
        case 'break-glass':
          return api.breakGlass({
            roleRef: a.roleRef,
            justification: a.justification,
            incident: a.incident,
            durationMinutes: a.durationMinutes,
          });
        case 'review':
        default:
          return api.reviewGrant(a.grantId, a.note);
      }
    },
    onSuccess: () => invalidate(),
  });
}
