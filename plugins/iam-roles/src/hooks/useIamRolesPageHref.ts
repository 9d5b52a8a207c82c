import { useRouteRef } from '@backstage/core-plugin-api';
import { rootRouteRef } from '../routes';

/**
 * A link to the IAM roles page with its tab and filters in the URL (`?tab=lookup&q=…`), or
 * `undefined` in an app that does not mount the page.
 */
export function useIamRolesPageHref(
  params: Record<string, string>,
): string | undefined {
  let root: (() => string) | undefined;
  try {
    // useRouteRef runs all its hooks before it throws for an unmounted route: the order holds.
    // eslint-disable-next-line react-hooks/rules-of-hooks
    root = useRouteRef(rootRouteRef);
  } catch {
    root = undefined;
  }
  return root ? `${root()}?${new URLSearchParams(params)}` : undefined;
}
