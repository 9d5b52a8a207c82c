import { ReactNode, useState } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
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

/** Gives the plugin's components their own react-query cache. */
export function IamRolesQueryProvider(props: {
  children: ReactNode;
  client?: QueryClient;
}) {
  const [client] = useState(() => props.client ?? createIamRolesQueryClient());
  return (
    <QueryClientProvider client={client}>{props.children}</QueryClientProvider>
  );
}
