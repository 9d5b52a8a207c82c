import fs from 'node:fs';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { SnapshotSource } from './SnapshotSource';

const SAMPLES = path.resolve(__dirname, '../../../../packages/sample-data/aws');

function snapshot(accountId: string, names: string[], encoded = false) {
  return JSON.stringify({
    RoleDetailList: names.map(name => {
      const doc = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      };
      return {
        Path: '/',
        RoleName: name,
        RoleId: `AROA${name.toUpperCase().padEnd(17, 'X')}`,
        Arn: `arn:aws:iam::${accountId}:role/${name}`,
        CreateDate: '2024-01-01T00:00:00+00:00',
        AssumeRolePolicyDocument: encoded
          ? encodeURIComponent(JSON.stringify(doc))
          : doc,
        InstanceProfileList: [],
        RolePolicyList: [],
        AttachedManagedPolicies: [],
        Tags: [{ Key: 'owner', Value: 'platform' }],
        RoleLastUsed: {},
      };
    }),
    UserDetailList: [],
    GroupDetailList: [],
    Policies: [],
  });
}

describe('SnapshotSource', () => {
  const dir = createMockDirectory();

  it('emits each role of an account read twice once, with a warning naming the account', async () => {
    dir.setContent({
      'a.json': snapshot('111111111111', ['one', 'two']),
      'b.json': snapshot('111111111111', ['two', 'three']),
    });
    const read = await SnapshotSource.create({ paths: [dir.path] }).read();
    expect(read.accounts).toHaveLength(1);
    expect(read.accounts[0].roles.map(r => r.roleName).sort()).toEqual([
      'one',
      'three',
      'two',
    ]);
    expect(read.warnings).toEqual([
      expect.stringMatching(
        /^account 111111111111 is in 2 snapshot files \(.*a\.json, .*b\.json\)/,
      ),
    ]);
  });

  it('reads every JSON file below a folder, CLI and raw API form alike', async () => {
    dir.setContent({
      'a.json': snapshot('111111111111', ['one', 'two']),
      nested: { 'b.json': snapshot('222222222222', ['three'], true) },
      'notes.txt': 'not a snapshot',
    });
    const read = await SnapshotSource.create({ paths: [dir.path] }).read();
    expect(read.complete).toBe(true);
    expect(read.failures).toEqual([]);
    expect(
      read.accounts.map(a => [a.accountId, a.roles.map(r => r.roleName)]),
    ).toEqual([
      ['111111111111', ['one', 'two']],
      ['222222222222', ['three']],
    ]);
    expect(read.accounts[1].location).toBe(
      `aws-iam-snapshot:${dir.resolve('nested/b.json')}`,
    );
  });

  it('resolves relative paths against the given base directory', async () => {
    dir.setContent({ 'a.json': snapshot('111111111111', ['one']) });
    const read = await SnapshotSource.create({
      paths: ['a.json'],
      baseDir: dir.path,
    }).read();
    expect(read.accounts).toHaveLength(1);
  });

  it('fails exactly the accounts of a file that breaks after a good read', async () => {
    dir.setContent({
      'a.json': snapshot('111111111111', ['one']),
      'b.json': snapshot('222222222222', ['two']),
    });
    const source = SnapshotSource.create({ paths: [dir.path] });
    await source.read();
    fs.writeFileSync(dir.resolve('b.json'), '{ "RoleDetailList": [ {');
    const read = await source.read();
    expect(read.accounts.map(a => a.accountId)).toEqual(['111111111111']);
    expect(read.failures).toEqual([
      {
        accountId: '222222222222',
        reason: expect.stringContaining('cannot be parsed'),
      },
    ]);
  });

  it('marks the run incomplete when a path is missing or a never-read file is broken', async () => {
    dir.setContent({ 'bad.json': 'nope' });
    const read = await SnapshotSource.create({
      paths: [dir.path, dir.resolve('missing')],
    }).read();
    expect(read.complete).toBe(false);
    expect(read.accounts).toEqual([]);
    expect(read.errors).toEqual([
      expect.stringContaining('cannot read'),
      expect.stringContaining('bad.json cannot be parsed'),
    ]);
  });

  it('reads the Acme sample snapshots', async () => {
    const read = await SnapshotSource.create({ paths: [SAMPLES] }).read();
    expect(read.failures).toEqual([]);
    expect(read.accounts.map(a => a.accountId)).toEqual([
      '111111111111',
      '222222222222',
      '333333333333',
      '444444444444',
    ]);
    expect(
      read.accounts.reduce((n, a) => n + a.roles.length, 0),
    ).toBeGreaterThanOrEqual(60);
  });
});
