import fs from 'node:fs';
import path from 'node:path';
// yaml is installed at the root but not yet declared in this package's devDependencies, which only
// the repository lead may change.
import { parseAllDocuments } from 'yaml';
import { listSampleSnapshots } from './index';

type Json = Record<string, any>;

const repoRoot = path.resolve(__dirname, '..', '..', '..');

function catalogEntities(dir: string): Json[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return catalogEntities(full);
    if (!/\.ya?ml$/.test(entry.name)) return [];
    return parseAllDocuments(fs.readFileSync(full, 'utf8')).map(
      d => d.toJS() as Json,
    );
  });
}

const entities = [
  ...catalogEntities(path.join(repoRoot, 'catalog')),
  ...parseAllDocuments(
    fs.readFileSync(path.join(repoRoot, 'catalog-info.yaml'), 'utf8'),
  ).map(d => d.toJS() as Json),
];
const names = (kind: string) =>
  new Set(entities.filter(e => e.kind === kind).map(e => e.metadata.name));
const groups = names('Group');
const components = entities.filter(e => e.kind === 'Component');

const roles = listSampleSnapshots().flatMap(file => {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  return (json.RoleDetailList as Json[]).map(
    (role): Json => ({
      ...role,
      trust:
        typeof role.AssumeRolePolicyDocument === 'string'
          ? JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument))
          : role.AssumeRolePolicyDocument,
    }),
  );
});

const tagValues = (role: Json, key: string): string[] =>
  (role.Tags as Array<{ Key: string; Value: string }>)
    .filter(tag => tag.Key.toLocaleLowerCase('en-US') === key)
    .map(tag => tag.Value);

function statements(role: Json): Json[] {
  return ([] as Json[]).concat(role.trust.Statement);
}

/** Every string value of every condition of a role's trust policy, keyed by condition key. */
function conditionValues(role: Json, keySuffix: string): string[] {
  return statements(role).flatMap(statement =>
    Object.values((statement.Condition ?? {}) as Json).flatMap((clause: Json) =>
      Object.entries(clause)
        .filter(([key]) => key.endsWith(keySuffix))
        .flatMap(([, value]) => ([] as string[]).concat(value)),
    ),
  );
}

/**
 * The owner normalisation the README documents: an entity ref stays a ref; otherwise lower-case,
 * spaces and underscores become dashes, and a trailing team/squad/eng/engineering word goes.
 */
function normaliseOwner(value: string): string {
  const ref = /^group:(?:default\/)?([a-z0-9-]+)$/i.exec(value.trim());
  if (ref) return ref[1].toLocaleLowerCase('en-US');
  return value
    .trim()
    .toLocaleLowerCase('en-US')
    .replace(/[\s_]+/g, '-')
    .replace(/-(team|squad|eng|engineering)$/, '');
}

describe('sample snapshots agree with the Acme catalog', () => {
  it('tag only systems and components that exist', () => {
    const systems = names('System');
    const componentNames = names('Component');
    const tagged = roles.flatMap(role => [
      ...tagValues(role, 'system').map(v => ['system', v, systems.has(v)]),
      ...tagValues(role, 'component').map(v => [
        'component',
        v,
        componentNames.has(v),
      ]),
    ]);
    expect(tagged.length).toBeGreaterThan(60);
    expect(tagged.filter(([, , exists]) => !exists)).toEqual([]);
  });

  it('name owners that normalise to Acme groups, except the one unknown team', () => {
    const owners = roles.flatMap(role => [
      ...tagValues(role, 'owner'),
      ...tagValues(role, 'team'),
    ]);
    const unknown = [
      ...new Set(owners.filter(v => !groups.has(normaliseOwner(v)))),
    ];
    expect(unknown).toEqual(['finops']);
    // the variants the catalog module must normalise are all present
    expect(new Set(owners)).toEqual(
      new Set([
        'platform',
        'payments',
        'data',
        'mobile',
        'sre',
        'SRE',
        'Security',
        'security',
        'identity',
        'data-team',
        'Payments Team',
        'Mobile Squad',
        'PLATFORM-ENG',
        'group:default/payments',
        'group:identity',
        'finops',
      ]),
    );
    const untagged = roles.filter(
      role =>
        tagValues(role, 'owner').length + tagValues(role, 'team').length === 0,
    );
    expect(untagged.length).toBeGreaterThan(10);
    expect(untagged.length).toBeLessThan(roles.length / 2);
  });

  it('trust only service accounts that components declare (and one controller)', () => {
    const declared = new Set(
      components.flatMap(c =>
        String(
          c.metadata.annotations?.[
            'iam-roles.backstage-iam.io/kubernetes-service-accounts'
          ] ?? '',
        )
          .split(',')
          .filter(Boolean)
          .map(pair => `system:serviceaccount:${pair.replace('/', ':')}`),
      ),
    );
    const trusted = new Set(
      roles.flatMap(role =>
        conditionValues(role, ':sub').filter(v =>
          v.startsWith('system:serviceaccount:'),
        ),
      ),
    );
    expect([...trusted].filter(sa => !declared.has(sa))).toEqual([
      'system:serviceaccount:kube-system:aws-load-balancer-controller',
    ]);
    expect([...declared].filter(sa => !trusted.has(sa))).toEqual([]);
  });

  it('trust only GitHub repositories that are components', () => {
    const slugs = new Set(
      components.map(c => c.metadata.annotations['github.com/project-slug']),
    );
    const repos = roles.flatMap(role =>
      conditionValues(role, 'token.actions.githubusercontent.com:sub')
        .map(sub => /^repo:([^:]+):/.exec(sub)?.[1])
        .filter((repo): repo is string => !!repo && !repo.includes('*')),
    );
    expect(repos.length).toBeGreaterThan(20);
    expect(repos.filter(repo => !slugs.has(repo))).toEqual([]);
  });

  it('name only roles that exist when trusting roles of Acme accounts', () => {
    const arns = new Set(roles.map(role => role.Arn));
    const internal =
      /^arn:aws:iam::(111111111111|222222222222|333333333333|444444444444):role\//;
    const referenced = roles.flatMap(role =>
      statements(role).flatMap(statement =>
        typeof statement.Principal === 'object'
          ? ([] as string[]).concat(statement.Principal.AWS ?? [])
          : [],
      ),
    );
    const missing = referenced.filter(
      arn => internal.test(arn) && !arns.has(arn),
    );
    expect(referenced.filter(arn => internal.test(arn)).length).toBeGreaterThan(
      8,
    );
    expect(missing).toEqual([]);
  });
});
