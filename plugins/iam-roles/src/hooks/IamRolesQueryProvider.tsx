import { ReactNode, useState } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createApiRef, useApiHolder } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';

/** A query client whose retries leave answers of the server (4xx, 5xx) alone. */
export function createIamRolesQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        // A ResponseError is the server's answer; only transport failures are worth another try.
        retry: (count, error) => !ResponseError.is(error) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}

/**
 * The plugin's one QueryClient, as a utility API: the legacy plugin and the `/alpha` plugin both
 * register it, so every extension of an app (page, tabs, cards) reads and refreshes the same cache.
 */
export const iamRolesQueryClientApiRef = createApiRef<QueryClient>({
  id: 'plugin.iam-roles.query-client',
});

/**
 * Gives the plugin's components the plugin's react-query cache: the app's shared client when the
 * plugin registered it, else (a component rendered outside the plugin) a client of its own.
 */
export function IamRolesQueryProvider(props: {
  children: ReactNode;
  client?: QueryClient;
}) {
  const shared = useApiHolder().get(iamRolesQueryClientApiRef);
  const [own] = useState(
    () => props.client ?? shared ?? createIamRolesQueryClient(),
  );
  return (
    <QueryClientProvider client={own}>{props.children}</QueryClientProvider>
  );
}
