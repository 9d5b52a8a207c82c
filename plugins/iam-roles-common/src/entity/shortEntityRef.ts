import { parseEntityRef } from '@backstage/catalog-model';

/**
 * An entity ref as people read it when the catalog gives no name: `group:default/payments` →
 * `payments`, `user:acme/jo` → `acme/jo`; the ref itself when it is not one.
 */
export function shortEntityRef(ref: string): string {
  try {
    const { namespace, name } = parseEntityRef(ref);
    return namespace === 'default' ? name : `${namespace}/${name}`;
  } catch {
    return ref;
  }
}
