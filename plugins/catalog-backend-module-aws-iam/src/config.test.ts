import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { readAwsIamProviderConfigs } from './config';

const read = (awsIam: JsonObject) =>
  readAwsIamProviderConfigs(
    new ConfigReader({ catalog: { providers: { awsIam } } }),
  );

describe('readAwsIamProviderConfigs', () => {
  it('takes internal accounts from the one shared key, iamRoles.internalAccounts', () => {
    const [p] = readAwsIamProviderConfigs(
      new ConfigReader({
        iamRoles: { internalAccounts: ['333333333333'] },
        catalog: {
          providers: { awsIam: { demo: { snapshots: { paths: ['x'] } } } },
        },
      }),
    );
    expect(p.internalAccounts).toEqual(['333333333333']);
    expect(() =>
      readAwsIamProviderConfigs(
        new ConfigReader({
          iamRoles: { internalAccounts: ['3333'] },
          catalog: { providers: { awsIam: { demo: {} } } },
        }),
      ),
    ).toThrow('iamRoles.internalAccounts[0] is "3333"');
  });

  it('says where the per-provider internalAccounts went', () => {
    expect(() =>
      read({
        demo: {
          snapshots: { paths: ['x'] },
          internalAccounts: ['333333333333'],
        },
      }),
    ).toThrow(
      'catalog.providers.awsIam.demo.internalAccounts has moved to iamRoles.internalAccounts',
    );
  });

  it('reads a snapshot provider with defaults', () => {
    const [p] = read({
      demo: { snapshots: { paths: ['../sample-data/aws'] } },
    });
    expect(p).toMatchObject({
      id: 'demo',
      snapshots: { paths: ['../sample-data/aws'] },
      emitAccounts: true,
      maxConcurrentAccounts: 5,
      includeManagedPolicies: false,
      ownership: { tagKeys: ['owner', 'team'], rules: [], aliases: {} },
      schedule: { frequency: { minutes: 30 } },
    });
  });

  it('reads live accounts, organizations, ownership, identity center and schedule', () => {
    const [p] = read({
      prod: {
        accounts: [
          '111111111111',
          { accountId: '222222222222', name: 'staging', owner: 'platform' },
        ],
        organizations: { exclude: ['999999999999'] },
        maxConcurrentAccounts: 2,
        ownership: {
          tagKeys: ['Owner'],
          rules: [
            { pathPrefix: '/service-role/', owner: 'platform' },
            { namePattern: '^gha-', owner: 'platform' },
          ],
          default: 'sre',
          aliases: { 'Payments Team': 'payments' },
        },
        identityCenter: {
          permissionSets: {
            AdministratorAccess: 'group:default/platform',
            ReadOnlyAccess: ['sre', 'data'],
          },
        },
        schedule: { frequency: { hours: 1 }, timeout: { minutes: 15 } },
      },
    });
    expect(p.accounts).toEqual([
      { accountId: '111111111111' },
      { accountId: '222222222222', name: 'staging', owner: 'platform' },
    ]);
    expect(p.organizations).toEqual({
      enabled: true,
      accountId: undefined,
      exclude: ['999999999999'],
    });
    expect(p.ownership.rules[1].namePattern!.test('gha-x')).toBe(true);
    expect(p.permissionSets).toEqual({
      AdministratorAccess: ['group:default/platform'],
      ReadOnlyAccess: ['sre', 'data'],
    });
    expect(p.schedule.frequency).toEqual({ hours: 1 });
  });

  it('reads the partition, commercial by default, and refuses an unknown one', () => {
    const partitionOf = (extra: JsonObject) =>
      read({ acme: { accounts: ['111111111111'], ...extra } })[0].partition;
    expect(partitionOf({})).toBe('aws');
    expect(partitionOf({ partition: 'aws-cn' })).toBe('aws-cn');
    expect(() => partitionOf({ partition: 'aws-gov' })).toThrow(
      'catalog.providers.awsIam.acme.partition must be one of aws, aws-us-gov, aws-cn, not "aws-gov"',
    );
  });

  it('rejects mistakes with the config path in the message', () => {
    expect(() => read({ x: {} })).toThrow(
      /catalog.providers.awsIam.x: configure snapshots.paths, accounts or organizations/,
    );
    expect(() => read({ x: { accounts: ['12345'] } })).toThrow(
      /not a 12-digit AWS account id/,
    );
    expect(() =>
      read({ x: { accounts: ['111111111111'], snapshots: { paths: ['a'] } } }),
    ).toThrow(/either snapshots or accounts/);
    expect(() =>
      read({
        x: {
          snapshots: { paths: ['a'] },
          ownership: { rules: [{ namePattern: '(', owner: 'a' }] },
        },
      }),
    ).toThrow(/namePattern is not a valid regular expression/);
    expect(() =>
      read({
        x: {
          snapshots: { paths: ['a'] },
          ownership: { rules: [{ owner: 'a' }] },
        },
      }),
    ).toThrow(/needs pathPrefix or namePattern/);
  });

  it('leaves the effective-access readers off unless configured, and reads them when they are', () => {
    const [off] = read({ demo: { accounts: ['111111111111'] } });
    expect(off).toMatchObject({
      identityCenter: undefined,
      eks: undefined,
      resourceControlPolicies: false,
      identityMatch: {
        groups: { by: 'displayName' },
        users: { by: 'email' },
      },
    });
    const [on] = read({
      demo: {
        accounts: ['111111111111'],
        organizations: { accountId: '000000000000' },
        identityCenter: {
          region: 'eu-west-1',
          accountId: '000000000000',
          instanceArn: 'arn:aws:sso:::instance/ssoins-1',
          groupMatch: {
            by: 'externalId',
            annotation: 'graph.microsoft.com/group-id',
          },
          userMatch: { by: 'annotation' },
          permissionSets: { 'Admin Access': 'platform' },
        },
        eks: { regions: ['eu-west-1', 'us-east-1'], clusters: ['apps'] },
      },
    });
    expect(on).toMatchObject({
      identityCenter: {
        region: 'eu-west-1',
        accountId: '000000000000',
        instanceArn: 'arn:aws:sso:::instance/ssoins-1',
      },
      identityMatch: {
        groups: {
          by: 'externalId',
          annotation: 'graph.microsoft.com/group-id',
        },
        users: { by: 'annotation' },
      },
      eks: { regions: ['eu-west-1', 'us-east-1'], clusters: ['apps'] },
      resourceControlPolicies: true,
      permissionSets: { 'Admin Access': ['platform'] },
    });
    const [noRcp] = read({
      demo: { organizations: { resourceControlPolicies: false } },
    });
    expect(noRcp.resourceControlPolicies).toBe(false);
  });

  it('rejects effective-access mistakes with the config path in the message', () => {
    expect(() =>
      read({
        demo: { snapshots: { paths: ['x'] }, eks: { regions: ['eu-west-1'] } },
      }),
    ).toThrow(
      'catalog.providers.awsIam.demo: identityCenter.region and eks read live APIs',
    );
    expect(() =>
      read({
        demo: {
          accounts: ['111111111111'],
          identityCenter: { region: 'Ireland' },
        },
      }),
    ).toThrow(
      'catalog.providers.awsIam.demo.identityCenter.region: "Ireland" is not an AWS region',
    );
    expect(() =>
      read({
        demo: {
          accounts: ['111111111111'],
          identityCenter: { accountId: '000000000000' },
        },
      }),
    ).toThrow('accountId and instanceArn need region');
    expect(() =>
      read({
        demo: {
          accounts: ['111111111111'],
          identityCenter: { groupMatch: { by: 'email' } },
        },
      }),
    ).toThrow(
      'catalog.providers.awsIam.demo.identityCenter.groupMatch.by must be one of displayName, externalId, annotation, not "email"',
    );
    expect(() =>
      read({
        demo: {
          accounts: ['111111111111'],
          identityCenter: { userMatch: { by: 'externalId' } },
        },
      }),
    ).toThrow('by externalId needs the catalog annotation');
    expect(() =>
      read({ demo: { accounts: ['111111111111'], eks: { regions: [] } } }),
    ).toThrow('catalog.providers.awsIam.demo.eks.regions is empty');
  });

  it('returns nothing when not configured', () => {
    expect(readAwsIamProviderConfigs(new ConfigReader({}))).toEqual([]);
  });
});
