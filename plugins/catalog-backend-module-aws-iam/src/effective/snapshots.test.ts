import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SnapshotSource } from '../sources/SnapshotSource';
import { parseEffectiveDocument } from './parseEffectiveDocument';
import { SnapshotEffectiveAccessSource } from './SnapshotEffectiveAccessSource';
import type {
  IdentityCenterData,
  OrganizationPoliciesData,
  PodIdentityData,
} from './types';

// Each case runs the shipped shell script (bash, jq and a fake aws): seconds on a busy machine.
jest.setTimeout(60_000);

const SCRIPT = path.resolve(
  __dirname,
  '../../scripts/effective-access-snapshots.sh',
);
const FAKE_AWS = path.resolve(__dirname, '../__testUtils__/fake-aws-cli.sh');
const R = 'eu-west-1';
const ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const PS = 'arn:aws:sso:::permissionSet/ssoins-1111111111111111';
const STORE = 'd-1111111111';
const ic = `--region ${R} --instance-arn ${ARN}`;
const store = `--region ${R} --identity-store-id ${STORE}`;

/** `aws eks describe-cluster --name apps`, as the CLI prints it. */
const DESCRIBE_APPS = {
  cluster: {
    name: 'apps',
    arn: 'arn:aws:eks:eu-west-1:222222222222:cluster/apps',
    createdAt: '2024-01-01T00:00:00.000000+00:00',
    version: '1.31',
    identity: {
      oidc: {
        issuer:
          'https://oidc.eks.eu-west-1.amazonaws.com/id/CA89DA9BDDB51124A1669547F6A087E0',
      },
    },
    status: 'ACTIVE',
    tags: {},
  },
};

/** What the AWS CLI prints for each call the script makes (it follows NextToken itself). */
const answers: Record<string, unknown> = {
  [`sso-admin list-instances --region ${R}`]: {
    Instances: [{ InstanceArn: ARN, IdentityStoreId: STORE, Status: 'ACTIVE' }],
  },
  [`sso-admin list-permission-sets ${ic}`]: {
    PermissionSets: [`${PS}/ps-admin`, `${PS}/ps-ro`],
  },
  [`sso-admin describe-permission-set ${ic} --permission-set-arn ${PS}/ps-admin`]:
    {
      PermissionSet: {
        Name: 'AdministratorAccess',
        PermissionSetArn: `${PS}/ps-admin`,
        CreatedDate: '2024-01-01T00:00:00+00:00',
        SessionDuration: 'PT1H',
      },
    },
  [`sso-admin describe-permission-set ${ic} --permission-set-arn ${PS}/ps-ro`]:
    {
      PermissionSet: {
        Name: 'ReadOnly',
        PermissionSetArn: `${PS}/ps-ro`,
        Description: 'read only',
      },
    },
  [`sso-admin list-accounts-for-provisioned-permission-set ${ic} --permission-set-arn ${PS}/ps-admin`]:
    { AccountIds: ['333333333333'] },
  [`sso-admin list-accounts-for-provisioned-permission-set ${ic} --permission-set-arn ${PS}/ps-ro`]:
    { AccountIds: [] },
  [`sso-admin list-account-assignments ${ic} --account-id 333333333333 --permission-set-arn ${PS}/ps-admin`]:
    {
      AccountAssignments: [
        {
          AccountId: '333333333333',
          PermissionSetArn: `${PS}/ps-admin`,
          PrincipalType: 'GROUP',
          PrincipalId: 'g-1',
        },
        {
          AccountId: '333333333333',
          PermissionSetArn: `${PS}/ps-admin`,
          PrincipalType: 'USER',
          PrincipalId: 'u-1',
        },
      ],
    },
  [`identitystore list-groups ${store}`]: {
    Groups: [
      {
        GroupId: 'g-1',
        DisplayName: 'platform',
        ExternalIds: [{ Issuer: 'https://scim.example', Id: 'ext-g-1' }],
        IdentityStoreId: STORE,
      },
    ],
  },
  [`identitystore list-users ${store}`]: {
    Users: [
      {
        UserId: 'u-1',
        UserName: 'alice',
        Emails: [{ Value: 'alice@acme.example', Primary: true }],
        IdentityStoreId: STORE,
      },
    ],
  },
  [`identitystore list-group-memberships ${store} --group-id g-1`]: {
    GroupMemberships: [
      {
        IdentityStoreId: STORE,
        MembershipId: 'm-1',
        GroupId: 'g-1',
        MemberId: { UserId: 'u-1' },
      },
    ],
  },
  'sts get-caller-identity --query Account --output text': '222222222222',
  [`eks list-clusters --region ${R}`]: { clusters: ['apps'] },
  [`eks describe-cluster --region ${R} --name apps`]: DESCRIBE_APPS,
  [`eks list-pod-identity-associations --region ${R} --cluster-name apps`]: {
    associations: [
      {
        clusterName: 'apps',
        namespace: 'payments',
        serviceAccount: 'api',
        associationId: 'a-1',
        associationArn:
          'arn:aws:eks:eu-west-1:222222222222:podidentityassociation/apps/a-1',
      },
    ],
  },
  [`eks describe-pod-identity-association --region ${R} --cluster-name apps --association-id a-1`]:
    {
      association: {
        clusterName: 'apps',
        namespace: 'payments',
        serviceAccount: 'api',
        roleArn: 'arn:aws:iam::222222222222:role/payments-api',
        associationId: 'a-1',
        associationArn:
          'arn:aws:eks:eu-west-1:222222222222:podidentityassociation/apps/a-1',
        createdAt: '2024-01-01T00:00:00+00:00',
      },
    },
  'organizations describe-organization': {
    Organization: { Id: 'o-abc', MasterAccountId: '000000000000' },
  },
  'organizations list-policies --filter RESOURCE_CONTROL_POLICY': {
    Policies: [
      {
        Id: 'p-1',
        Name: 'deny-outside-org',
        Type: 'RESOURCE_CONTROL_POLICY',
        AwsManaged: false,
      },
    ],
  },
  'organizations describe-policy --policy-id p-1': {
    Policy: {
      PolicySummary: {
        Id: 'p-1',
        Arn: 'arn:aws:organizations::000000000000:policy/o-abc/resource_control_policy/p-1',
        Name: 'deny-outside-org',
        Type: 'RESOURCE_CONTROL_POLICY',
        AwsManaged: false,
      },
      Content:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}',
    },
  },
  'organizations list-targets-for-policy --policy-id p-1': {
    Targets: [
      { TargetId: 'ou-prod', Type: 'ORGANIZATIONAL_UNIT', Name: 'prod' },
    ],
  },
  'organizations list-roots': { Roots: [{ Id: 'r-1', Name: 'Root' }] },
  'organizations list-accounts-for-parent --parent-id r-1': {
    Accounts: [{ Id: '000000000000' }],
  },
  'organizations list-organizational-units-for-parent --parent-id r-1': {
    OrganizationalUnits: [{ Id: 'ou-prod' }],
  },
  'organizations list-accounts-for-parent --parent-id ou-prod': {
    Accounts: [{ Id: '333333333333' }],
  },
  'organizations list-organizational-units-for-parent --parent-id ou-prod': {
    OrganizationalUnits: [],
  },
};

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'effective-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Runs the shipped script with the fake CLI first on a PATH that holds no real one. */
async function runScript(args: string[]) {
  const bin = path.join(dir, 'bin');
  await fs.mkdir(bin);
  await fs.copyFile(FAKE_AWS, path.join(bin, 'aws'));
  await fs.chmod(path.join(bin, 'aws'), 0o755);
  const answersFile = path.join(dir, 'answers.json');
  await fs.writeFile(answersFile, JSON.stringify(answers));
  const log = path.join(dir, 'calls.log');
  await fs.writeFile(log, '');
  const out = path.join(dir, 'out');
  await promisify(execFile)('bash', [SCRIPT, '--out', out, ...args], {
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      FAKE_AWS_ANSWERS: answersFile,
      FAKE_AWS_LOG: log,
    },
  });
  return { out, calls: (await fs.readFile(log, 'utf8')).trim().split('\n') };
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await fs.readFile(file, 'utf8'));
}

describe('effective-access-snapshots.sh', () => {
  it('writes the three documents from AWS CLI output, and the module reads them', async () => {
    const { out, calls } = await runScript([
      '--identity-center-region',
      R,
      '--eks-regions',
      R,
      '--organizations',
    ]);
    expect((await fs.readdir(out)).sort()).toEqual([
      'identity-center.json',
      'organization-rcp.json',
      `pod-identity-222222222222-${R}.json`,
    ]);
    // Every call is one the fake knows: the list of commands in the README is the real one.
    expect(calls).toHaveLength(Object.keys(answers).length);

    const icData = parseEffectiveDocument(
      await readJson(path.join(out, 'identity-center.json')),
    ) as IdentityCenterData;
    expect(icData).toEqual({
      kind: 'aws-identity-center',
      instanceArn: ARN,
      identityStoreId: STORE,
      permissionSets: [
        { arn: `${PS}/ps-admin`, name: 'AdministratorAccess' },
        { arn: `${PS}/ps-ro`, name: 'ReadOnly', description: 'read only' },
      ],
      assignments: [
        {
          accountId: '333333333333',
          permissionSetArn: `${PS}/ps-admin`,
          principalType: 'GROUP',
          principalId: 'g-1',
        },
        {
          accountId: '333333333333',
          permissionSetArn: `${PS}/ps-admin`,
          principalType: 'USER',
          principalId: 'u-1',
        },
      ],
      groups: [
        {
          id: 'g-1',
          displayName: 'platform',
          externalIds: [{ issuer: 'https://scim.example', id: 'ext-g-1' }],
          memberIds: ['u-1'],
        },
      ],
      users: [
        {
          id: 'u-1',
          userName: 'alice',
          emails: ['alice@acme.example'],
          externalIds: [],
        },
      ],
    });
    const pod = parseEffectiveDocument(
      await readJson(path.join(out, `pod-identity-222222222222-${R}.json`)),
    ) as PodIdentityData;
    expect(pod).toEqual({
      kind: 'aws-eks-pod-identity',
      accountId: '222222222222',
      region: R,
      clusters: ['apps'],
      clusterDetails: [
        {
          name: 'apps',
          arn: DESCRIBE_APPS.cluster.arn,
          oidcIssuer: DESCRIBE_APPS.cluster.identity.oidc.issuer,
        },
      ],
      associations: [
        {
          associationId: 'a-1',
          associationArn:
            'arn:aws:eks:eu-west-1:222222222222:podidentityassociation/apps/a-1',
          clusterName: 'apps',
          namespace: 'payments',
          serviceAccount: 'api',
          roleArn: 'arn:aws:iam::222222222222:role/payments-api',
        },
      ],
    });
    const rcp = parseEffectiveDocument(
      await readJson(path.join(out, 'organization-rcp.json')),
    ) as OrganizationPoliciesData;
    expect(rcp).toMatchObject({
      kind: 'aws-organizations-rcp',
      organizationId: 'o-abc',
      policies: [
        {
          id: 'p-1',
          name: 'deny-outside-org',
          awsManaged: false,
          targets: ['ou-prod'],
          document: { Statement: [{ Effect: 'Deny' }] },
        },
      ],
      accountParents: {
        '000000000000': ['r-1'],
        '333333333333': ['r-1', 'ou-prod'],
      },
    });
  });

  it('keeps a cluster by its name, and its associations, when describe-cluster is denied', async () => {
    const key = `eks describe-cluster --region ${R} --name apps`;
    const kept = answers[key];
    delete answers[key];
    try {
      const { out } = await runScript(['--eks-regions', R]);
      const pod = parseEffectiveDocument(
        await readJson(path.join(out, `pod-identity-222222222222-${R}.json`)),
      ) as PodIdentityData;
      expect(pod.clusters).toEqual(['apps']);
      expect(pod.clusterDetails).toBeUndefined();
      expect(pod.associations).toHaveLength(1);
    } finally {
      answers[key] = kept;
    }
  });

  it('stops with the CLI’s error when a call is denied', async () => {
    const key = `identitystore list-users ${store}`;
    const kept = answers[key];
    delete answers[key];
    try {
      await expect(
        runScript(['--identity-center-region', R]),
      ).rejects.toMatchObject({
        stderr: expect.stringContaining('AccessDeniedException'),
      });
      await expect(
        fs.access(path.join(dir, 'out', 'identity-center.json')),
      ).rejects.toThrow();
    } finally {
      answers[key] = kept;
    }
  });
});

describe('SnapshotEffectiveAccessSource', () => {
  const icDoc = (principal: string) => ({
    kind: 'aws-identity-center',
    Instance: { InstanceArn: ARN, IdentityStoreId: STORE },
    PermissionSets: [
      { Name: 'AdministratorAccess', PermissionSetArn: `${PS}/ps-admin` },
    ],
    AccountAssignments: [
      {
        AccountId: '333333333333',
        PermissionSetArn: `${PS}/ps-admin`,
        PrincipalType: 'GROUP',
        PrincipalId: principal,
      },
    ],
    Groups: [],
    GroupMemberships: [],
    Users: [],
  });
  const roles = {
    RoleDetailList: [
      {
        Path: '/',
        RoleName: 'r',
        RoleId: 'AROAX',
        Arn: 'arn:aws:iam::333333333333:role/r',
        CreateDate: '2024-01-01T00:00:00Z',
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
        RolePolicyList: [],
        AttachedManagedPolicies: [],
        Tags: [],
      },
    ],
    UserDetailList: [],
    GroupDetailList: [],
    Policies: [],
  };

  it('reads effective-access files from the role snapshot paths, which the role source skips', async () => {
    await fs.writeFile(
      path.join(dir, '333333333333-prod.json'),
      JSON.stringify(roles),
    );
    await fs.mkdir(path.join(dir, 'effective'));
    await fs.writeFile(
      path.join(dir, 'effective', 'identity-center.json'),
      JSON.stringify(icDoc('g-1')),
    );
    // No kind: told by its shape.
    const { kind: _kind, ...unlabelled } = icDoc('g-2');
    await fs.writeFile(
      path.join(dir, 'effective', 'second.json'),
      JSON.stringify(unlabelled),
    );

    const roleRead = await SnapshotSource.create({ paths: [dir] }).read();
    expect(roleRead.errors).toEqual([]);
    expect(roleRead.accounts.map(a => a.accountId)).toEqual(['333333333333']);

    const read = await SnapshotEffectiveAccessSource.create({
      paths: [dir],
    }).read();
    expect(read.errors).toEqual([]);
    expect(read.datasets.map(d => [path.basename(d.key), d.ok])).toEqual([
      ['identity-center.json', true],
      ['second.json', true],
    ]);
  });

  it('reads the clusters of an EKS file as `aws eks describe-cluster` prints them', async () => {
    const file = path.join(dir, 'pod-identity-222222222222-eu-west-1.json');
    await fs.writeFile(
      file,
      JSON.stringify({
        kind: 'aws-eks-pod-identity',
        accountId: '222222222222',
        region: R,
        clusters: [DESCRIBE_APPS, 'batch'],
        associations: [],
      }),
    );
    const read = await SnapshotEffectiveAccessSource.create({
      paths: [dir],
    }).read();
    expect(read.errors).toEqual([]);
    expect(read.datasets).toEqual([
      expect.objectContaining({
        ok: true,
        data: {
          kind: 'aws-eks-pod-identity',
          accountId: '222222222222',
          region: R,
          clusters: ['apps', 'batch'],
          associations: [],
          clusterDetails: [
            {
              name: 'apps',
              arn: DESCRIBE_APPS.cluster.arn,
              oidcIssuer: DESCRIBE_APPS.cluster.identity.oidc.issuer,
            },
          ],
        },
      }),
    ]);
  });

  it('fails a broken file by its key (kept by the provider), drops a removed one, and reports a malformed new one', async () => {
    const file = path.join(dir, 'identity-center.json');
    await fs.writeFile(file, JSON.stringify(icDoc('g-1')));
    const source = SnapshotEffectiveAccessSource.create({ paths: [dir] });
    expect((await source.read()).datasets).toEqual([
      expect.objectContaining({ ok: true, key: `snapshot:${file}` }),
    ]);

    await fs.writeFile(file, '{"kind": "aws-identity-center", "Instance": {');
    expect((await source.read()).datasets).toEqual([
      {
        ok: false,
        key: `snapshot:${file}`,
        reason: expect.stringContaining('cannot be parsed'),
      },
    ]);

    await fs.writeFile(
      file,
      JSON.stringify({
        ...icDoc('g-1'),
        AccountAssignments: [{ AccountId: 'nope', PrincipalType: 'GROUP' }],
      }),
    );
    expect((await source.read()).datasets[0]).toMatchObject({
      ok: false,
      reason: expect.stringContaining('"nope" is not a 12-digit account id'),
    });

    const other = path.join(dir, 'other.json');
    await fs.writeFile(
      other,
      JSON.stringify({
        kind: 'aws-eks-pod-identity',
        accountId: '1',
        region: R,
        associations: [],
      }),
    );
    await fs.rm(file);
    const read = await source.read();
    expect(read.complete).toBe(true);
    expect(read.datasets).toEqual([]);
    expect(read.errors).toEqual([
      expect.stringContaining(
        `snapshot ${other} cannot be parsed: EKS Pod Identity document: "1" is not a 12-digit account id`,
      ),
    ]);
  });

  it('does not read a role snapshot again while it is unchanged, and reads it once it holds an effective-access document', async () => {
    const roleFile = path.join(dir, 'roles.json');
    await fs.writeFile(
      roleFile,
      JSON.stringify({ RoleDetailList: [], UserDetailList: [] }),
    );
    const source = SnapshotEffectiveAccessSource.create({ paths: [dir] });
    const readFile = jest.spyOn(fs, 'readFile');
    try {
      const readsOf = () =>
        readFile.mock.calls.filter(([f]) => f === roleFile).length;
      expect((await source.read()).datasets).toEqual([]);
      expect(readsOf()).toBe(1);
      expect((await source.read()).datasets).toEqual([]);
      expect(readsOf()).toBe(1);

      await fs.writeFile(roleFile, JSON.stringify(icDoc('g-1')));
      expect((await source.read()).datasets).toEqual([
        expect.objectContaining({ ok: true, key: `snapshot:${roleFile}` }),
      ]);
      expect(readsOf()).toBe(2);
    } finally {
      readFile.mockRestore();
    }
  });

  it('keeps every dataset under a path that cannot be read', async () => {
    const sub = path.join(dir, 'snapshots');
    await fs.mkdir(sub);
    await fs.writeFile(path.join(sub, 'ic.json'), JSON.stringify(icDoc('g-1')));
    const source = SnapshotEffectiveAccessSource.create({ paths: [sub] });
    await source.read();
    await fs.rm(sub, { recursive: true });
    expect((await source.read()).datasets).toEqual([
      {
        ok: false,
        key: `snapshot:${path.join(sub, 'ic.json')}`,
        reason: expect.stringContaining(`snapshot path ${sub} cannot be read`),
      },
    ]);
  });
});
