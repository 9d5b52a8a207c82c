import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  getCompoundEntityRef,
  KubernetesValidatorFunctions,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  CatalogService,
  processingResult,
} from '@backstage/plugin-catalog-node';
import { createHash } from 'node:crypto';
import {
  analyzeRoleEntity,
  ANNOTATION_IAM_ROLE_REVISION,
  IamRoleEntity,
  isIamRoleEntity,
  matchWorkload,
  RELATION_ASSUMABLE_BY,
  RELATION_CAN_ASSUME,
  roleRevision,
  TrustAnalysisCache,
  WorkloadIdentity,
  workloadIdentitiesOf,
} from '@backstage-iam/plugin-iam-roles-common';
import { describeError } from '../sources/types';
/** Parses a ref and checks its parts are valid entity kind, namespace and name. */
function parseStrictRef(value: string): CompoundEntityRef {
  const ref = parseEntityRef(value);
  if (
    !/^[a-zA-Z][a-zA-Z0-9]*$/.test(ref.kind) ||
    !KubernetesValidatorFunctions.isValidNamespace(ref.namespace) ||
    !KubernetesValidatorFunctions.isValidObjectName(ref.name)
  ) {
    throw new Error('kind, namespace or name is not valid');
  }
  return ref;
}

type LocationSpec = Parameters<
  NonNullable<CatalogProcessor['postProcessEntity']>
>[1];

/**
 * The role with its {@link ANNOTATION_IAM_ROLE_REVISION}: a hash of the processed entity (any
 * revision it carried left out), which covers everything the broker's trust index reads from a
 * role, the `assumableBy` relations included (they come from `spec.assumableBy`). The same entity
 * gives the same revision on every processing cycle, so the annotation writes nothing by itself.
 */
export function withRoleRevision(entity: IamRoleEntity): IamRoleEntity {
  const { [ANNOTATION_IAM_ROLE_REVISION]: _previous, ...annotations } =
    entity.metadata.annotations ?? {};
  const metadata = { ...entity.metadata, annotations };
  const hash = createHash('sha256')
    .update(JSON.stringify({ ...entity, metadata }))
    .digest('hex')
    .slice(0, 20);
  annotations[ANNOTATION_IAM_ROLE_REVISION] = roleRevision(
    stringifyEntityRef(entity),
    hash,
  );
  return { ...entity, metadata };
}

/** A catalog entity whose workloads present identities to AWS. */
interface WorkloadEntity {
  ref: string;
  identities: WorkloadIdentity[];
}

/**
 * The entities whose workloads (GitHub Actions, GitLab CI/CD, EKS service accounts) the role lets in,
 * by the one mapping of -common (`matchWorkload`): the broker answers from these relations, so the
 * catalog graph and the IAM roles tabs cannot disagree.
 */
export function workloadRefs(
  role: Parameters<typeof matchWorkload>[0],
  workloads: WorkloadEntity[],
): string[] {
  const refs = new Set<string>();
  for (const workload of workloads) {
    if (workload.identities.some(identity => matchWorkload(role, identity))) {
      refs.add(workload.ref);
    }
  }
  return [...refs].sort();
}

/** Options of {@link AwsIamRelationsProcessor.create}. */
export interface AwsIamRelationsProcessorOptions {
  logger: LoggerService;
  /** Reads components to map GitHub Actions and EKS principals; without it only spec.assumableBy counts. */
  catalog?: CatalogService;
  auth?: AuthService;
  /** How long the component index is reused. Default 60 s. */
  componentCacheMs?: number;
  /** Where analyses are kept per policy version (a cache of its own by default). */
  analyses?: TrustAnalysisCache;
}

/**
 * Completes `spec.assumableBy` of IAM role entities with the components the trust engine lets in
 * (GitHub Actions repositories, EKS service accounts), then turns every entry into the relations
 * `assumableBy` (role → entity) and `canAssume` (entity → role), and stamps the role with its
 * revision ({@link withRoleRevision}).
 *
 * Components are read here rather than in the provider because the processing loop revisits every
 * role regularly: a component added after the last AWS read is related within one processing cycle,
 * without reading AWS again.
 */
export class AwsIamRelationsProcessor implements CatalogProcessor {
  private index?: {
    at: number;
    components: WorkloadEntity[];
    /** The components as JSON: a reload that finds the same ones keeps the refs computed. */
    signature: string;
  };
  /** One analysis per version of a role's policy, however often the loop revisits the role. */
  private readonly analyses: TrustAnalysisCache;
  /** Refs per policy version, for the components they were computed against. */
  private refs = { signature: '', byPolicy: new Map<string, string[]>() };
  private loading?: Promise<WorkloadEntity[] | undefined>;
  private warnedLoad = false;

  private constructor(
    private readonly options: AwsIamRelationsProcessorOptions,
  ) {
    this.analyses = options.analyses ?? TrustAnalysisCache.create();
  }

  static create(
    options: AwsIamRelationsProcessorOptions,
  ): AwsIamRelationsProcessor {
    return new AwsIamRelationsProcessor(options);
  }

  getProcessorName(): string {
    return 'AwsIamRelationsProcessor';
  }

  private async components(): Promise<WorkloadEntity[] | undefined> {
    const { catalog, auth } = this.options;
    if (!catalog || !auth) {
      return undefined;
    }
    const ttl = this.options.componentCacheMs ?? 60_000;
    // An empty catalog is usually one still loading at startup: ask again sooner.
    const maxAge = this.index?.components.length ? ttl : Math.min(ttl, 10_000);
    if (this.index && Date.now() - this.index.at < maxAge) {
      return this.index.components;
    }
    if (!this.loading) {
      this.loading = (async () => {
        try {
          const { items } = await catalog.getEntities(
            {
              filter: { kind: 'component' },
              fields: [
                'kind',
                'metadata.namespace',
                'metadata.name',
                'metadata.annotations',
              ],
            },
            { credentials: await auth.getOwnServiceCredentials() },
          );
          const components = items.flatMap(e => {
            const identities = workloadIdentitiesOf(e);
            return identities.length > 0
              ? [
                  {
                    ref: stringifyEntityRef(e).toLocaleLowerCase('en-US'),
                    identities,
                  },
                ]
              : [];
          });
          this.index = {
            at: Date.now(),
            components,
            signature: JSON.stringify(components),
          };
          this.warnedLoad = false;
          return components;
        } catch (error) {
          if (!this.warnedLoad) {
            this.warnedLoad = true;
            this.options.logger.warn(
              `AwsIamRelationsProcessor: cannot read components, GitHub/EKS trust relations wait for the next cycle: ${describeError(
                error,
              )}`,
            );
          }
          return this.index?.components;
        } finally {
          this.loading = undefined;
        }
      })();
    }
    return this.loading;
  }

  async preProcessEntity(entity: Entity): Promise<Entity> {
    if (!isIamRoleEntity(entity) || entity.spec.iam.trustPolicy === undefined) {
      return entity;
    }
    const components = await this.components();
    if (!components?.length) {
      return entity;
    }
    // The index reloads every minute and the loop revisits a role every few: only a change in
    // the components themselves invalidates what was matched, else every revisit matches again.
    const signature = this.index?.signature ?? '';
    if (this.refs.signature !== signature) {
      this.refs = { signature, byPolicy: new Map() };
    }
    const key = `${entity.spec.iam.arn}\n${JSON.stringify(
      entity.spec.iam.trustPolicy,
    )}`;
    let extra = this.refs.byPolicy.get(key);
    if (!extra) {
      extra = workloadRefs(
        analyzeRoleEntity(entity, this.analyses),
        components,
      );
      this.refs.byPolicy.set(key, extra);
    }
    if (extra.length === 0) {
      return entity;
    }
    const assumableBy = [
      ...new Set([...(entity.spec.assumableBy ?? []), ...extra]),
    ].sort();
    // The components come from the trust policy (OIDC workloads): say so next to the other derivations.
    const via = new Map(
      (entity.spec.iam.assumableByVia ?? []).map(v => [v.entityRef, v.via]),
    );
    for (const ref of extra) {
      const derivations = via.get(ref) ?? [];
      if (!derivations.includes('trust-policy')) {
        via.set(ref, [...derivations, 'trust-policy' as const].sort());
      }
    }
    const updated: IamRoleEntity = {
      ...entity,
      spec: {
        ...entity.spec,
        assumableBy,
        iam: {
          ...entity.spec.iam,
          assumableByVia: assumableBy.map(entityRef => ({
            entityRef,
            // Entities written before derivations were recorded: their refs came from the trust policy.
            via: via.get(entityRef) ?? ['trust-policy'],
          })),
        },
      },
    };
    return updated;
  }

  async postProcessEntity(
    entity: Entity,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (!isIamRoleEntity(entity)) {
      return entity;
    }
    const role = getCompoundEntityRef(entity);
    for (const value of entity.spec.assumableBy ?? []) {
      let target: CompoundEntityRef;
      try {
        target = parseStrictRef(value);
      } catch (error) {
        emit(
          processingResult.inputError(
            location,
            `spec.assumableBy of ${
              entity.metadata.name
            } holds "${value}", which is not an entity ref: ${describeError(
              error,
            )}`,
          ),
        );
        continue;
      }
      emit(
        processingResult.relation({
          source: role,
          type: RELATION_ASSUMABLE_BY,
          target,
        }),
      );
      emit(
        processingResult.relation({
          source: target,
          type: RELATION_CAN_ASSUME,
          target: role,
        }),
      );
    }
    return withRoleRevision(entity);
  }
}
