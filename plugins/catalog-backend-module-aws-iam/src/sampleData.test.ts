import fs from 'node:fs';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { parseEntityYaml } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { readAwsIamProviderConfig } from './config';
import { AwsIamEntityProvider } from './provider/AwsIamEntityProvider';
import { AwsIamRelationsProcessor } from './processor/AwsIamRelationsProcessor';
import { SnapshotSource } from './sources/SnapshotSource';
import { SnapshotEffectiveAccessSource } from './effective/SnapshotEffectiveAccessSource';
import {
  eksClusterNamesOf,
  isIamRoleEntity,
  parseEksIssuer,
  type IamRoleEntity,
} from '@backstage-iam/plugin-iam-roles-common';
import { FakeCatalogConnection } from './__testUtils__/fakeCatalog';

/*
 * The acceptance check on the demo data: with the demo configuration documented in
 * packages/sample-data/README.md, every sample role gets the owner that README's inventory names,
 * and every component gets the roles its "Mapping to the Acme catalog" table lists.
 */

const ROOT = path.resolve(__dirname, '../../..');
const README = fs.readFileSync(
  path.join(ROOT, 'packages/sample-data/README.md'),
  'utf8',
);
const ACCOUNTS: Record<string, string> = {
  tooling: '111111111111',
  staging: '222222222222',
  production: '333333333333',
  data: '444444444444',
};

function readCatalogFile(file: string): Entity[] {
  const entities: Entity[] = [];
  const location = { type: 'file', target: file };
  for (const result of parseEntityYaml(fs.readFileSync(file), location)) {
    if (result.type === 'entity') {
      entities.push({
        ...result.entity,
        metadata: { namespace: 'default', ...result.entity.metadata },
      });
    }
  }
  return entities;
}

const catalogEntities = [
  ...readCatalogFile(path.join(ROOT, 'catalog-info.yaml')),
  ...fs
    .readdirSync(path.join(ROOT, 'catalog/components'))
    .flatMap(f => readCatalogFile(path.join(ROOT, 'catalog/components', f))),
  ...readCatalogFile(path.join(ROOT, 'catalog/org/groups.yaml')),
];

/** `role name` → expected owner group, per account, from the inventory tables. */
function expectedOwners(): Map<string, string> {
  const result = new Map<string, string>();
  let account: string | undefined;
  for (const line of README.split('\n')) {
    const heading = /^#### \w+ \((\d{12})\)/.exec(line);
    if (heading) {
      account = heading[1];
      continue;
    }
    if (line.startsWith('## ')) {
      account = undefined;
    }
    const row =
      account &&
      /^\| `([^`]+)`\s*\|[^|]*\|[^|]*\|[^|]*\|\s*([a-z-]+)/.exec(line);
    if (row) {
      result.set(`${account}:${row[1]}`, `group:default/${row[2]}`);
    }
  }
  return result;
}

/** Component name → `account:role` it must be able to assume, from the mapping table. */
function expectedComponentRoles(): Map<string, string[]> {
  const section = README.slice(
    README.indexOf('## Mapping to the Acme catalog'),
    README.indexOf('## Intended findings'),
  );
  const result = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const row = /^\| `([a-z0-9-]+)`[^|]*\|(.*)\|\s*$/.exec(line);
    if (!row || !row[2].includes('(')) {
      continue;
    }
    const roles = [
      ...row[2].matchAll(/(tooling|staging|production|data) `([^`]+)`/g),
    ].map(m => `${ACCOUNTS[m[1]]}:${m[2]}`);
    result.set(row[1], roles);
  }
  return result;
}

describe('the Acme sample data through the module', () => {
  it('gives every role its intended owner and every component its trusted roles', async () => {
    const config = readAwsIamProviderConfig(
      'sample',
      new ConfigReader({
        snapshots: { paths: [path.join(ROOT, 'packages/sample-data/aws')] },
        ownership: {
          tagKeys: ['owner', 'team'],
          rules: [
            {
              pathPrefix: '/aws-reserved/sso.amazonaws.com/',
              owner: 'security',
            },
            { pathPrefix: '/aws-service-role/', owner: 'platform' },
            { namePattern: '^EMR_', owner: 'data' },
            { pathPrefix: '/service-role/', owner: 'platform' },
          ],
          default: 'platform',
        },
        identityCenter: {
          permissionSets: {
            AdministratorAccess: 'platform',
            PlatformEngineer: 'platform',
            ReadOnlyAccess: 'engineering',
            PaymentsDeveloper: 'payments',
            PaymentsOnCall: 'payments',
            DataEngineer: 'data',
            SecurityAudit: 'security',
          },
        },
      }),
    );
    const catalogService = catalogServiceMock({ entities: catalogEntities });
    const auth = mockServices.auth();
    const logger = mockServices.logger.mock();
    const provider = AwsIamEntityProvider.create({
      config,
      source: SnapshotSource.create({ paths: config.snapshots!.paths }),
      logger,
      catalogAccess: { catalog: catalogService, auth },
    });
    const catalog = new FakeCatalogConnection();
    await provider.connect(catalog);
    const summary = await provider.refresh();
    expect(summary.failed).toEqual([]);

    const roles = [...catalog.entities.values()].filter(
      e => e.spec?.type === 'aws-iam-role',
    );
    const byKey = new Map(
      roles.map(r => [
        `${r.metadata.annotations!['amazonaws.com/account-id']}:${
          r.metadata.title
        }`,
        r,
      ]),
    );

    const owners = expectedOwners();
    expect(owners.size).toBe(roles.length);
    const wrongOwners = [...owners]
      .filter(([key, owner]) => byKey.get(key)?.spec?.owner !== owner)
      .map(
        ([key, owner]) =>
          `${key}: expected ${owner}, got ${byKey.get(key)?.spec?.owner}`,
      );
    expect(wrongOwners).toEqual([]);
    // The one unknown owner value is reported once.
    expect(
      logger.warn.mock.calls.filter(([m]) =>
        String(m).includes('names no catalog group'),
      ),
    ).toHaveLength(1);

    // Components: run the relations processor over every role, as the catalog would.
    const processor = AwsIamRelationsProcessor.create({
      logger,
      catalog: catalogService,
      auth,
    });
    const canAssume = new Map<string, Set<string>>();
    for (const role of roles) {
      const processed = await processor.preProcessEntity(role);
      for (const ref of (processed.spec!.assumableBy as string[]) ?? []) {
        const set = canAssume.get(ref) ?? new Set<string>();
        set.add(
          `${role.metadata.annotations!['amazonaws.com/account-id']}:${
            role.metadata.title
          }`,
        );
        canAssume.set(ref, set);
      }
    }
    const mapping = expectedComponentRoles();
    expect(mapping.size).toBeGreaterThanOrEqual(15);
    const missing: string[] = [];
    for (const [component, expected] of mapping) {
      const actual =
        canAssume.get(`component:default/${component}`) ?? new Set();
      for (const role of expected) {
        if (!actual.has(role)) {
          missing.push(`${component} cannot assume ${role}`);
        }
      }
    }
    expect(missing).toEqual([]);

    // Identity Center roles point at the groups of their permission set.
    const admin = byKey.get(
      '111111111111:AWSReservedSSO_AdministratorAccess_59480b85e41d2ab8',
    )!;
    expect(admin.spec!.assumableBy).toEqual(['group:default/platform']);
    const readOnly = byKey.get(
      '111111111111:AWSReservedSSO_ReadOnlyAccess_ea5929837cf68767',
    )!;
    expect(readOnly.spec!.assumableBy).toEqual(['group:default/engineering']);
  });

  it('answers the Identity Center, Pod Identity and RCP cases of aws/effective', async () => {
    const paths = [path.join(ROOT, 'packages/sample-data/aws')];
    const config = readAwsIamProviderConfig(
      'sample',
      new ConfigReader({
        snapshots: { paths },
        ownership: { default: 'platform' },
      }),
    );
    const entities = [
      ...catalogEntities,
      ...readCatalogFile(path.join(ROOT, 'catalog/org/users.yaml')),
    ];
    const provider = AwsIamEntityProvider.create({
      config,
      source: SnapshotSource.create({ paths }),
      effectiveSource: SnapshotEffectiveAccessSource.create({ paths }),
      logger: mockServices.logger.mock(),
      catalogAccess: {
        catalog: catalogServiceMock({ entities }),
        auth: mockServices.auth(),
      },
    });
    const catalog = new FakeCatalogConnection();
    await provider.connect(catalog);
    const summary = await provider.refresh();
    expect(summary.failed).toEqual([]);
    expect(summary.errors).toEqual([]);
    expect(summary.datasets.updated.map(d => d.kind).sort()).toEqual([
      // One EKS file per account: its cluster, described, and the production associations.
      'aws-eks-pod-identity',
      'aws-eks-pod-identity',
      'aws-eks-pod-identity',
      'aws-eks-pod-identity',
      'aws-identity-center',
      'aws-organizations-rcp',
    ]);
    // Each account entity carries its cluster and the OIDC issuer its IRSA roles trust.
    const accountEntity = (id: string) =>
      [...catalog.entities.values()].find(
        e =>
          e.spec?.type === 'aws-account' &&
          e.metadata.annotations!['amazonaws.com/account-id'] === id,
      );
    expect(accountEntity('333333333333')?.spec?.eksClusters).toEqual([
      {
        name: 'acme-production',
        region: 'eu-west-1',
        arn: 'arn:aws:eks:eu-west-1:333333333333:cluster/acme-production',
        oidcIssuer:
          'https://oidc.eks.eu-west-1.amazonaws.com/id/8D70EFBA7736795BE8B00B497EE67693',
      },
    ]);
    // Every issuer the sample IRSA roles trust names one of these clusters.
    const clusters = eksClusterNamesOf(
      Object.values(ACCOUNTS).map(id => accountEntity(id)!),
    );
    const trusted = new Set(
      [...catalog.entities.values()].flatMap(e =>
        isIamRoleEntity(e)
          ? JSON.stringify(e.spec.iam.trustPolicy ?? '').match(
              /arn:aws:iam::\d{12}:oidc-provider\/oidc\.eks\.[^"\\]+/g,
            ) ?? []
          : [],
      ),
    );
    expect(trusted.size).toBeGreaterThanOrEqual(4);
    for (const oidcProvider of trusted) {
      expect([
        oidcProvider,
        clusters[parseEksIssuer(oidcProvider)!.id]?.name,
      ]).toEqual([
        oidcProvider,
        expect.stringMatching(/^acme-(tooling|staging|production|data)$/),
      ]);
    }
    const role = (account: string, name: string) =>
      [...catalog.entities.values()].find(
        e =>
          e.metadata.annotations!['amazonaws.com/account-id'] === account &&
          e.metadata.title === name,
      ) as IamRoleEntity;
    const principals = (r: IamRoleEntity) =>
      r.spec.iam.identityCenter![0].principals.map(
        p => `${p.name}: ${p.entityRef ?? p.status}`,
      );

    // Production admin: the platform group (matched by its profile display name) and Jane directly.
    const admin = role(
      '333333333333',
      'AWSReservedSSO_AdministratorAccess_d30e4baaef3150d0',
    );
    expect(principals(admin)).toEqual([
      'Platform Engineering: group:default/platform',
      'jane.doe: user:default/jane.doe',
    ]);
    expect(admin.spec.iam.assumableByVia).toEqual([
      { entityRef: 'group:default/platform', via: ['identity-center'] },
      { entityRef: 'user:default/jane.doe', via: ['identity-center'] },
    ]);
    // The contractors' group has no catalog match: kept and shown, related to nothing.
    const readOnly = role(
      '222222222222',
      'AWSReservedSSO_ReadOnlyAccess_4d93f3571e5bf196',
    );
    expect(principals(readOnly)).toEqual([
      'Contractors: unmatched',
      'engineering: group:default/engineering',
    ]);
    expect(readOnly.spec.assumableBy).toEqual(['group:default/engineering']);
    expect(
      role('333333333333', 'AWSReservedSSO_SecurityAudit_5f3f4246f09fc18f').spec
        .iam.identityCenter![0].principals,
    ).toEqual([
      expect.objectContaining({ name: 'Security', memberCount: 1 }),
      expect.objectContaining({
        name: 'ext.auditor',
        status: 'unmatched',
      }),
    ]);

    // Pod Identity: karpenter's service account gets the controller role.
    const karpenter = role('333333333333', 'karpenter-controller-production');
    expect(karpenter.spec.iam.podIdentityAssociations).toEqual([
      expect.objectContaining({
        clusterName: 'acme-production',
        namespace: 'karpenter',
        serviceAccount: 'karpenter',
        componentRefs: ['component:default/karpenter'],
      }),
    ]);
    expect(karpenter.spec.iam.assumableByVia).toEqual([
      { entityRef: 'component:default/karpenter', via: ['pod-identity'] },
    ]);
    // And the log shipper's new role, beside its IRSA one.
    const logShipper = role(
      '333333333333',
      'log-shipper-pod-identity-production',
    );
    expect(logShipper.spec.iam.podIdentityAssociations).toEqual([
      expect.objectContaining({
        namespace: 'observability',
        serviceAccount: 'fluent-bit',
        componentRefs: ['component:default/log-shipper'],
      }),
    ]);
    expect(logShipper.spec.iam.assumableByVia).toEqual([
      { entityRef: 'component:default/log-shipper', via: ['pod-identity'] },
    ]);

    // RCPs: workload accounts are closed to outside principals; tooling has only the full-access one.
    const rcpNames = (r: IamRoleEntity) =>
      r.spec.iam.resourceControlPolicies!.map(
        p => `${p.name} @ ${p.attachedTo.join(',')}`,
      );
    expect(rcpNames(karpenter)).toEqual([
      'acme-deny-assume-outside-org @ ou-ac12-workld01',
      'RCPFullAWSAccess @ r-ac12,ou-ac12-workld01,333333333333',
    ]);
    expect(
      rcpNames(
        role(
          '111111111111',
          'AWSReservedSSO_PlatformEngineer_3c6af3fee7215d73',
        ),
      ),
    ).toEqual(['RCPFullAWSAccess @ r-ac12,ou-ac12-infra001,111111111111']);
  });
});
