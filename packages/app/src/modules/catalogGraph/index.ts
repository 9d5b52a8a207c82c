import {
  ApiBlueprint,
  createFrontendModule,
} from '@backstage/frontend-plugin-api';
import {
  ALL_RELATION_PAIRS,
  ALL_RELATIONS,
  catalogGraphApiRef,
  DefaultCatalogGraphApi,
} from '@backstage/plugin-catalog-graph';
import {
  RELATION_ASSUMABLE_BY,
  RELATION_CAN_ASSUME,
} from '@backstage-iam/plugin-iam-roles-common';

/**
 * Teaches the catalog graph the trust relations of IAM roles, so role, component and group pages
 * draw who can assume what (the graph only shows relation types it knows).
 */
export const catalogGraphModule = createFrontendModule({
  pluginId: 'catalog-graph',
  extensions: [
    ApiBlueprint.make({
      params: defineParams =>
        defineParams({
          api: catalogGraphApiRef,
          deps: {},
          factory: () =>
            new DefaultCatalogGraphApi({
              knownRelations: [
                ...ALL_RELATIONS,
                RELATION_CAN_ASSUME,
                RELATION_ASSUMABLE_BY,
              ],
              knownRelationPairs: [
                ...ALL_RELATION_PAIRS,
                [RELATION_CAN_ASSUME, RELATION_ASSUMABLE_BY],
              ],
              defaultRelationTypes: { exclude: [] },
            }),
        }),
    }),
  ],
});
