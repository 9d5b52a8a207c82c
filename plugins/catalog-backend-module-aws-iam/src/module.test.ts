import path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  catalogProcessingExtensionPoint,
  CatalogProcessor,
  EntityProvider,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { SchedulerServiceTaskInvocationDefinition } from '@backstage/backend-plugin-api';
import { catalogModuleAwsIam } from './module';
import { FakeCatalogConnection } from './__testUtils__/fakeCatalog';

const SAMPLES = path.resolve(__dirname, '../../../packages/sample-data/aws');
const ACME_GROUPS = [
  'acme',
  'engineering',
  'platform',
  'payments',
  'identity',
  'data',
  'mobile',
  'sre',
  'security',
];

const groups: Entity[] = ACME_GROUPS.map(name => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
}));

const demoConfig = {
  catalog: {
    providers: {
      awsIam: {
        acme: {
          snapshots: { paths: [SAMPLES] },
          accountNames: {
            '111111111111': 'tooling',
            '222222222222': 'staging',
            '333333333333': 'production',
            '444444444444': 'data',
          },
          ownership: {
            tagKeys: ['owner', 'team'],
            aliases: { 'Payments Team': 'payments' },
            rules: [
              {
                pathPrefix: '/aws-reserved/sso.amazonaws.com/',
                owner: 'security',
              },
              { pathPrefix: '/aws-service-role/', owner: 'platform' },
            ],
            default: 'platform',
          },
          identityCenter: {
            permissionSets: {
              AdministratorAccess: 'group:default/platform',
              ReadOnlyAccess: ['sre', 'security'],
            },
          },
          schedule: { frequency: { minutes: 30 }, timeout: { minutes: 5 } },
        },
      },
    },
  },
};

async function startModule(config: object, extraFeatures: any[] = []) {
  const providers: EntityProvider[] = [];
  const processors: CatalogProcessor[] = [];
  const tasks: SchedulerServiceTaskInvocationDefinition[] = [];
  const scheduler = mockServices.scheduler.mock({
    createScheduledTaskRunner: jest.fn(() => ({
      run: async (task: SchedulerServiceTaskInvocationDefinition) => {
        tasks.push(task);
      },
    })),
  });
  await startTestBackend({
    extensionPoints: [
      [
        catalogProcessingExtensionPoint,
        {
          addProcessor: (...p: Array<CatalogProcessor | CatalogProcessor[]>) =>
            processors.push(...p.flat()),
          addEntityProvider: (...p: Array<EntityProvider | EntityProvider[]>) =>
            providers.push(...p.flat()),
          addPlaceholderResolver: jest.fn(),
          setOnProcessingErrorHandler: jest.fn(),
        },
      ],
    ],
    features: [
      catalogModuleAwsIam,
      mockServices.rootConfig.factory({ data: config }),
      scheduler.factory,
      catalogServiceMock.factory({ entities: groups }),
      ...extraFeatures,
    ],
  });
  return { providers, processors, tasks, scheduler };
}

describe('catalogModuleAwsIam', () => {
  it('registers one provider per configured source, on its schedule, and the relations processor', async () => {
    const { providers, processors, tasks, scheduler } = await startModule(
      demoConfig,
    );
    expect(providers.map(p => p.getProviderName())).toEqual([
      'AwsIamEntityProvider:acme',
    ]);
    expect(processors.map(p => p.getProcessorName())).toEqual([
      'AwsIamRelationsProcessor',
    ]);
    expect(scheduler.createScheduledTaskRunner).toHaveBeenCalledWith(
      expect.objectContaining({
        frequency: { minutes: 30 },
        timeout: { minutes: 5 },
      }),
    );

    const catalog = new FakeCatalogConnection();
    await providers[0].connect(catalog);
    expect(tasks.map(t => t.id)).toEqual(['AwsIamEntityProvider:acme:refresh']);
    await tasks[0].fn(new AbortController().signal as any);

    const roles = [...catalog.entities.values()].filter(
      e => e.spec?.type === 'aws-iam-role',
    );
    const accounts = [...catalog.entities.values()].filter(
      e => e.spec?.type === 'aws-account',
    );
    expect(accounts.map(a => a.metadata.name).sort()).toEqual([
      'aws-account-111111111111',
      'aws-account-222222222222',
      'aws-account-333333333333',
      'aws-account-444444444444',
    ]);
    expect(roles.length).toBeGreaterThanOrEqual(60);

    // Every sample role is owned by an Acme group and carries its decoded trust policy.
    for (const role of roles) {
      expect(ACME_GROUPS.map(g => `group:default/${g}`)).toContain(
        role.spec!.owner,
      );
      const iam = role.spec!.iam as any;
      expect(typeof iam.trustPolicy).toBe('object');
      expect(iam.trustPolicy.Statement).toBeDefined();
      expect(role.metadata.name.length).toBeLessThanOrEqual(63);
    }
    // The raw API form (URL-encoded documents) is read like the CLI form.
    const raw = roles.filter(
      r =>
        r.metadata.annotations!['amazonaws.com/account-id'] === '444444444444',
    );
    expect(raw.length).toBeGreaterThan(0);
    expect(
      raw.every(r => typeof (r.spec!.iam as any).trustPolicy === 'object'),
    ).toBe(true);
    // Names are unique.
    expect(new Set(roles.map(r => r.metadata.name.toLowerCase())).size).toBe(
      roles.length,
    );
    // The snapshot provider also reads the effective-access files of its paths.
    const karpenter = roles.find(
      r => r.metadata.title === 'karpenter-controller-production',
    )!;
    expect((karpenter.spec!.iam as any).podIdentityAssociations).toEqual([
      expect.objectContaining({
        namespace: 'karpenter',
        serviceAccount: 'karpenter',
      }),
    ]);
    expect(
      roles.every(r => (r.spec!.iam as any).resourceControlPolicies?.length),
    ).toBe(true);
  });

  it('wires the live effective-access readers only when configured', async () => {
    const live = (extra: object) => ({
      catalog: {
        providers: {
          awsIam: { acme: { accounts: ['111111111111'], ...extra } },
        },
      },
    });
    const messages = async (extra: object) => {
      const logger = mockServices.logger.mock();
      await startModule(live(extra), [logger.factory]);
      return logger.info.mock.calls.map(([m]) => String(m)).join('\n');
    };
    expect(await messages({})).toMatch(
      /AWS IAM provider acme: live accounts 111111111111, schedule/,
    );
    expect(
      await messages({
        identityCenter: { region: 'eu-west-1' },
        eks: { regions: ['eu-west-1'] },
        organizations: { enabled: true },
      }),
    ).toMatch(
      /AWS IAM provider acme: live accounts 111111111111 \+ AWS Organizations; Identity Center in eu-west-1, EKS Pod Identity in eu-west-1, Organizations RCPs, schedule/,
    );
  });

  it('registers only the processor when no provider is configured', async () => {
    const { providers, processors } = await startModule({});
    expect(providers).toEqual([]);
    expect(processors).toHaveLength(1);
  });

  it('refuses a configuration it cannot follow', async () => {
    await expect(
      startModule({
        catalog: { providers: { awsIam: { bad: { accounts: ['123'] } } } },
      }),
    ).rejects.toThrow(/not a 12-digit AWS account id/);
  });
});
