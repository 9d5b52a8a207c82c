import { useQuery } from '@tanstack/react-query';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import {
  Entity,
  RELATION_OWNED_BY,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';

/** The refs that own an entity: its `ownedBy` relations, else its `spec.owner`. */
export function ownerRefs(entity: Entity): string[] {
  const related = (entity.relations ?? [])
    .filter(r => r.type === RELATION_OWNED_BY)
    .map(r => r.targetRef);
  if (related.length > 0) {
    return related;
  }
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) {
    return [];
  }
  try {
    return [
      stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      ),
    ];
  } catch {
    return [];
  }
}

/**
 * Whether the signed-in user owns the entity (through any of their ownership refs). Only decides
 * what the UI offers; the broker checks again on every decision.
 */
export function useIsOwner(entity: Entity): boolean {
  const identityApi = useApi(identityApiRef);
  const identity = useQuery({
    queryKey: ['iam-roles', 'identity'],
    queryFn: () => identityApi.getBackstageIdentity(),
    staleTime: Infinity,
  });
  const mine = new Set(
    (identity.data?.ownershipEntityRefs ?? []).map(r =>
      r.toLocaleLowerCase('en-US'),
    ),
  );
  return ownerRefs(entity).some(r => mine.has(r.toLocaleLowerCase('en-US')));
}
