import { TrustAnalysisCache } from '@backstage-iam/plugin-iam-roles-common';
import { fixtureEntities, roleEntity } from '../__testUtils__/fixtures';
import { buildTrustSnapshot, identityCenterKey } from './TrustSnapshot';

const INSTANCE = 'arn:aws:sso:::instance/ssoins-1';

function withIdentityCenter(name: string, set: string, principals: unknown[]) {
  const entity = roleEntity({
    name,
    owner: 'group:default/platform',
    accountId: '222222222222',
    statements: [],
  });
  Object.assign((entity.spec as any).iam, {
    roleName: `AWSReservedSSO_${set}_0123456789abcdef`,
    path: '/aws-reserved/sso.amazonaws.com/',
    identityCenter: [
      {
        instanceArn: INSTANCE,
        permissionSetArn: `arn:aws:sso:::permissionSet/ssoins-1/ps-${set}`,
        permissionSetName: set,
        accountId: '222222222222',
        principals,
      },
    ],
  });
  return entity;
}

const jane = {
  principalType: 'USER',
  principalId: 'u-jane',
  name: 'jane.doe',
  emails: ['jane.doe@acme.example'],
  status: 'matched',
  entityRef: 'user:default/jane.doe',
};
const platform = {
  principalType: 'GROUP',
  principalId: 'g-platform',
  name: 'Platform Engineering',
  status: 'matched',
  entityRef: 'group:default/platform',
  memberCount: 1,
  members: [jane],
};

describe('buildTrustSnapshot', () => {
  const snapshot = buildTrustSnapshot(
    [
      ...fixtureEntities(),
      withIdentityCenter('sso-admin', 'AdministratorAccess', [platform]),
      // The same group on a second role, and the user assigned directly there.
      withIdentityCenter('sso-read', 'ReadOnlyAccess', [platform, jane]),
      roleEntity({
        name: 'chained',
        owner: 'group:default/platform',
        statements: [
          {
            Effect: 'Allow',
            Principal: {
              AWS: 'arn:aws:iam::111111111111:role/payments-deploy',
            },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    ],
    { internalAccounts: [], cache: TrustAnalysisCache.create() },
  );

  it('keeps the entry of every role whose entity is the one of the last build, and only those', () => {
    const cache = TrustAnalysisCache.create();
    const entities = fixtureEntities();
    const first = buildTrustSnapshot(entities, { internalAccounts: [], cache });
    const changed = entities.map(e =>
      e.metadata.name === 'payments-deploy'
        ? { ...e, metadata: { ...e.metadata, title: 'Payments deploy' } }
        : e,
    );
    const second = buildTrustSnapshot(changed, {
      internalAccounts: [],
      cache,
      previous: first.roles,
    });
    const ref = 'resource:default/payments-deploy';
    expect(second.roles.get(ref)).not.toBe(first.roles.get(ref));
    expect(second.roles.get(ref)!.title).toBe('Payments deploy');
    const kept = [...second.roles].filter(([r]) => r !== ref);
    expect(kept).toHaveLength(first.roles.size - 1);
    expect(kept.every(([r, entry]) => entry === first.roles.get(r))).toBe(true);
  });

  it('builds the reverse role-to-role edges with the snapshot', () => {
    expect(
      snapshot.callers('resource:default/chained').map(c => c.key),
    ).toEqual(['resource:default/payments-deploy']);
  });

  it('gives for every role the callers a scan of every role session through the index gives', () => {
    const statements = (principal: unknown) => [
      { Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' },
    ];
    const roles = [
      roleEntity({
        name: 'a',
        owner: 'group:default/x',
        statements: statements({ AWS: '111111111111' }),
      }),
      roleEntity({
        name: 'b',
        owner: 'group:default/x',
        statements: statements({ AWS: 'arn:aws:iam::111111111111:role/a' }),
      }),
      roleEntity({
        name: 'c',
        owner: 'group:default/x',
        accountId: '222222222222',
        statements: statements({ AWS: 'arn:aws:iam::111111111111:role/*' }),
      }),
      roleEntity({
        name: 'd',
        owner: 'group:default/x',
        accountId: '222222222222',
        statements: statements('*'),
      }),
      roleEntity({
        name: 'e',
        owner: 'group:default/x',
        accountId: '222222222222',
        statements: statements({
          AWS: 'arn:aws:sts::222222222222:assumed-role/d/s',
        }),
      }),
      roleEntity({
        name: 'f',
        owner: 'group:default/x',
        statements: [
          {
            Effect: 'Allow',
            NotPrincipal: { AWS: 'arn:aws:iam::111111111111:role/a' },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
      roleEntity({
        name: 'g',
        owner: 'group:default/x',
        statements: statements({ Service: 'ec2.amazonaws.com' }),
      }),
    ];
    const s = buildTrustSnapshot(roles, {
      internalAccounts: [],
      cache: TrustAnalysisCache.create(),
    });
    const scanned = new Map<string, string[]>();
    for (const from of s.roles.values()) {
      for (const m of s.index.lookup({ type: 'arn', arn: from.arn })) {
        if (m.key === from.ref) continue;
        scanned.set(m.key, [...(scanned.get(m.key) ?? []), from.ref]);
      }
    }
    for (const ref of s.roles.keys()) {
      expect([ref, s.callers(ref).map(c => c.key)]).toEqual([
        ref,
        scanned.get(ref) ?? [],
      ]);
    }
    expect(s.callers('resource:default/a').map(c => c.key)).toContain(
      'resource:default/b',
    );
  });

  it('puts the identity store back together from the roles: each assignment, group and user once', () => {
    expect(snapshot.identityCenter).toHaveLength(1);
    const [data] = snapshot.identityCenter;
    expect(data.permissionSets.map(s => s.name)).toEqual([
      'AdministratorAccess',
      'ReadOnlyAccess',
    ]);
    expect(
      data.assignments.map(
        a => `${a.permissionSetArn.split('/').pop()} ${a.principalId}`,
      ),
    ).toEqual([
      'ps-AdministratorAccess g-platform',
      'ps-ReadOnlyAccess g-platform',
      'ps-ReadOnlyAccess u-jane',
    ]);
    expect(data.groups).toEqual([
      {
        id: 'g-platform',
        displayName: 'Platform Engineering',
        externalIds: [],
        memberIds: ['u-jane'],
      },
    ]);
    expect(data.users).toEqual([
      {
        id: 'u-jane',
        userName: 'jane.doe',
        emails: ['jane.doe@acme.example'],
        externalIds: [],
      },
    ]);
    expect(
      snapshot.identityCenterPrincipals.get(
        identityCenterKey(INSTANCE, 'USER', 'u-jane'),
      )?.entityRef,
    ).toBe('user:default/jane.doe');
    expect(snapshot.ssoRoles.get('222222222222:ReadOnlyAccess')).toEqual([
      'resource:default/sso-read',
    ]);
  });

  it('knows the accounts by their catalog name', () => {
    expect(snapshot.accountIdByName.get('acme-prod')).toBe('111111111111');
  });
});
