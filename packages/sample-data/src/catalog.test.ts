import fs from 'node:fs';
import path from 'node:path';
// @backstage/catalog-model and yaml are installed at the root (the catalog and CLI use them) but not yet
// declared in this package's devDependencies, which only the repository lead may change.
import {
  CompoundEntityRef,
  DEFAULT_NAMESPACE,
  DefaultNamespaceEntityPolicy,
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  KindValidator,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  parseEntityRef,
  stringifyEntityRef,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { parseAllDocuments } from 'yaml';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const ROOT_FILE = path.join(repoRoot, 'catalog-info.yaml');
const CATALOG_DIR = path.join(repoRoot, 'catalog');

/** The annotation the catalog module reads to map EKS service accounts (IRSA) to a component. */
const SERVICE_ACCOUNTS_ANNOTATION =
  'iam-roles.backstage-iam.io/kubernetes-service-accounts';

interface LoadedEntity {
  file: string;
  entity: Entity;
}

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap(entry => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return yamlFiles(full);
      return /\.ya?ml$/.test(entry.name) ? [full] : [];
    })
    .sort();
}

function loadEntities(files: string[]): LoadedEntity[] {
  return files.flatMap(file =>
    parseAllDocuments(fs.readFileSync(file, 'utf8')).map(document => {
      if (document.errors.length > 0) {
        throw new Error(`${file}: ${document.errors[0].message}`);
      }
      return { file, entity: document.toJS() as Entity };
    }),
  );
}

const validators: Record<string, KindValidator> = {
  Component: componentEntityV1alpha1Validator,
  Domain: domainEntityV1alpha1Validator,
  Group: groupEntityV1alpha1Validator,
  Location: locationEntityV1alpha1Validator,
  System: systemEntityV1alpha1Validator,
  User: userEntityV1alpha1Validator,
};

const policies = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);

const asArray = (value: unknown): string[] => {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
};

/** Where each kind points to other entities, and the kind a bare name in that field means. */
const REF_FIELDS: Record<
  string,
  Array<[field: string, defaultKind?: string]>
> = {
  Component: [
    ['owner', 'Group'],
    ['system', 'System'],
    ['subcomponentOf', 'Component'],
    ['dependsOn'],
    ['providesApis', 'API'],
    ['consumesApis', 'API'],
  ],
  System: [
    ['owner', 'Group'],
    ['domain', 'Domain'],
  ],
  Domain: [
    ['owner', 'Group'],
    ['subdomainOf', 'Domain'],
  ],
  Group: [
    ['parent', 'Group'],
    ['children', 'Group'],
    ['members', 'User'],
  ],
  User: [['memberOf', 'Group']],
};

/**
 * Everything wrong with a set of catalog entities: invalid entities, duplicates, refs to
 * entities that are not in the set, group trees that disagree, malformed service-account
 * annotations and Location targets that do not exist.
 */
async function checkCatalog(entities: LoadedEntity[]): Promise<string[]> {
  const problems: string[] = [];
  const byRef = new Map<string, Entity>();
  for (const { file, entity } of entities) {
    const label = `${path.relative(repoRoot, file)}: ${entity.kind}:${
      entity.metadata?.name
    }`;
    try {
      const checked = await policies.enforce(entity);
      const validator = validators[entity.kind];
      if (!checked || !validator || !(await validator.check(entity))) {
        problems.push(`${label}: kind ${entity.kind} is not used by Acme`);
        continue;
      }
    } catch (error) {
      problems.push(`${label}: ${(error as Error).message}`);
      continue;
    }
    const ref = stringifyEntityRef(entity);
    if (byRef.has(ref)) problems.push(`${label}: duplicate of ${ref}`);
    byRef.set(ref, entity);

    if (entity.kind === 'Location') {
      const spec = entity.spec as { target?: string; targets?: string[] };
      for (const target of [
        ...asArray(spec.target),
        ...asArray(spec.targets),
      ]) {
        if (!fs.existsSync(path.resolve(path.dirname(file), target))) {
          problems.push(`${label}: target ${target} does not exist`);
        }
      }
    }
    const serviceAccounts =
      entity.metadata.annotations?.[SERVICE_ACCOUNTS_ANNOTATION];
    if (serviceAccounts !== undefined) {
      for (const pair of serviceAccounts.split(',')) {
        if (
          !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(
            pair.trim(),
          )
        ) {
          problems.push(
            `${label}: ${SERVICE_ACCOUNTS_ANNOTATION} entry "${pair}" is not NAMESPACE/SERVICEACCOUNT`,
          );
        }
      }
    }
  }

  const has = (ref: CompoundEntityRef) => byRef.has(stringifyEntityRef(ref));
  for (const entity of byRef.values()) {
    const spec = (entity.spec ?? {}) as Record<string, unknown>;
    for (const [field, defaultKind] of REF_FIELDS[entity.kind] ?? []) {
      for (const value of asArray(spec[field])) {
        let target: CompoundEntityRef;
        try {
          target = parseEntityRef(value, {
            defaultKind,
            defaultNamespace: DEFAULT_NAMESPACE,
          });
        } catch (error) {
          problems.push(
            `${stringifyEntityRef(entity)}: spec.${field} ${value}: ${
              (error as Error).message
            }`,
          );
          continue;
        }
        if (!has(target)) {
          problems.push(
            `${stringifyEntityRef(
              entity,
            )}: spec.${field} points to ${stringifyEntityRef(
              target,
            )}, which does not exist`,
          );
        }
      }
    }
    if (entity.kind === 'Group') {
      // the group tree must read the same from both ends
      for (const child of asArray(spec.children)) {
        const childEntity = byRef.get(
          stringifyEntityRef(parseEntityRef(child, { defaultKind: 'Group' })),
        );
        if (childEntity && childEntity.spec?.parent !== entity.metadata.name) {
          problems.push(
            `${stringifyEntityRef(
              entity,
            )}: lists ${child} as a child, but its parent is ${String(
              childEntity.spec?.parent,
            )}`,
          );
        }
      }
    }
  }
  return problems;
}

const rootEntities = loadEntities([ROOT_FILE]);
const acmeEntities = loadEntities(yamlFiles(CATALOG_DIR));
const allEntities = [...rootEntities, ...acmeEntities];
const ofKind = (kind: string) =>
  allEntities.map(e => e.entity).filter(e => e.kind === kind);

describe('Acme catalog', () => {
  it('holds valid entities whose refs all resolve', async () => {
    expect(await checkCatalog(allEntities)).toEqual([]);
  });

  it('is reached from the root catalog-info.yaml', () => {
    const location = rootEntities.find(e => e.entity.kind === 'Location');
    const targets = new Set(
      asArray(location?.entity.spec?.targets).map(target =>
        path.resolve(repoRoot, target),
      ),
    );
    expect([...targets].sort()).toEqual(yamlFiles(CATALOG_DIR));
  });

  it('has the size the demo needs', () => {
    const groups = ofKind('Group');
    expect(groups.length).toBeGreaterThanOrEqual(6);
    expect(ofKind('User').length).toBeGreaterThanOrEqual(12);
    expect(ofKind('System').length).toBeGreaterThanOrEqual(4);
    expect(ofKind('Component').length).toBeGreaterThanOrEqual(12);
    // a hierarchy: the organisation, a department, teams under it
    const parents = new Map(
      groups.map(g => [g.metadata.name, g.spec?.parent as string | undefined]),
    );
    const depth = (name: string): number =>
      parents.get(name) ? 1 + depth(parents.get(name)!) : 0;
    expect(Math.max(...groups.map(g => depth(g.metadata.name)))).toBe(2);
  });

  it('gives every user an email and at least one team', () => {
    for (const user of ofKind('User')) {
      const spec = user.spec as {
        profile?: { email?: string };
        memberOf?: string[];
      };
      expect(spec.profile?.email).toBe(`${user.metadata.name}@acme.example`);
      expect(spec.memberOf?.length).toBeGreaterThan(0);
    }
  });

  it('annotates components the way the catalog module maps them', () => {
    const components = ofKind('Component');
    for (const component of components) {
      expect(component.metadata.annotations?.['github.com/project-slug']).toBe(
        `acme/${component.metadata.name}`,
      );
    }
    const onKubernetes = components.filter(
      c => c.metadata.annotations?.[SERVICE_ACCOUNTS_ANNOTATION] !== undefined,
    );
    expect(onKubernetes.length).toBeGreaterThanOrEqual(12);
    for (const component of onKubernetes) {
      const annotations = component.metadata.annotations!;
      const namespaces = annotations[SERVICE_ACCOUNTS_ANNOTATION].split(
        ',',
      ).map(pair => pair.split('/')[0]);
      expect(annotations['backstage.io/kubernetes-id']).toBeDefined();
      expect(new Set(namespaces)).toEqual(
        new Set([annotations['backstage.io/kubernetes-namespace']]),
      );
    }
  });
});

describe('checkCatalog', () => {
  const withChange = (change: (entities: LoadedEntity[]) => void) => {
    const copy = structuredClone(allEntities);
    change(copy);
    return checkCatalog(copy);
  };
  const find = (entities: LoadedEntity[], kind: string, name: string) =>
    entities.find(
      e => e.entity.kind === kind && e.entity.metadata.name === name,
    )!.entity;

  it('reports an owner that does not exist', async () => {
    const problems = await withChange(entities => {
      find(entities, 'Component', 'payments-api').spec!.owner = 'treasury';
    });
    expect(problems).toEqual([
      'component:default/payments-api: spec.owner points to group:default/treasury, which does not exist',
    ]);
  });

  it('reports a membership and a system that do not exist', async () => {
    const problems = await withChange(entities => {
      find(entities, 'User', 'jane.doe').spec!.memberOf = ['platfrom'];
      find(entities, 'Component', 'karpenter').spec!.system = 'platform';
    });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/group:default\/platfrom/);
    expect(problems.join('\n')).toMatch(/system:default\/platform/);
  });

  it('reports an invalid entity and a group tree that disagrees', async () => {
    const problems = await withChange(entities => {
      find(entities, 'Group', 'sre').spec!.parent = 'acme';
      delete find(entities, 'System', 'payments').spec!.owner;
    });
    expect(problems.join('\n')).toMatch(/System:payments/);
    expect(problems.join('\n')).toMatch(
      /group:default\/engineering: lists sre as a child, but its parent is acme/,
    );
  });

  it('reports a malformed service-account annotation', async () => {
    const problems = await withChange(entities => {
      find(entities, 'Component', 'payments-api').metadata.annotations![
        SERVICE_ACCOUNTS_ANNOTATION
      ] = 'payments-api';
    });
    expect(problems.join('\n')).toMatch(/is not NAMESPACE\/SERVICEACCOUNT/);
  });
});
