import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useQuery } from '@tanstack/react-query';
import { isIamRoleEntity } from '@backstage-iam/plugin-iam-roles-common';
import {
  indexDerivations,
  type AccessDerivations,
} from '../lib/accessDerivation';

/**
 * How each holder of the given roles got in (`spec.iam.assumableByVia`), read from the catalog in
 * one batch: the broker's `/assumable` answer does not say.
 */
export function useAccessDerivations(roleRefs: string[]) {
  const catalogApi = useApi(catalogApiRef);
  const refs = [...new Set(roleRefs)].sort();
  return useQuery({
    queryKey: ['iam-roles', 'derivations', refs],
    enabled: refs.length > 0,
    queryFn: async () => {
      const { items } = await catalogApi.getEntitiesByRefs({
        entityRefs: refs,
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'spec.type',
          'spec.iam.assumableByVia',
        ],
      });
      const byRole = new Map<string, AccessDerivations>();
      for (const entity of items) {
        if (
          entity &&
          isIamRoleEntity(entity) &&
          entity.spec.iam.assumableByVia
        ) {
          byRole.set(
            stringifyEntityRef(entity),
            indexDerivations(entity.spec.iam.assumableByVia),
          );
        }
      }
      return byRole;
    },
  });
}
