import fs from 'node:fs';
import path from 'node:path';
import {
  analyzeRole,
  findReach,
  mergeAuthorizationDetails,
  parseAuthorizationDetails,
  parsePrincipalSpec,
  TrustIndex,
} from '@backstage-iam/plugin-iam-roles-common';
import { checkSnapshotFormat } from './checkSnapshotFormat';
import { listSampleSnapshots } from './index';

type Json = Record<string, any>;

const snapshots = listSampleSnapshots().map(file => ({
  name: path.basename(file),
  json: JSON.parse(fs.readFileSync(file, 'utf8')) as Json,
}));

/** Trust policy of a role as an object, whichever form the snapshot is in. */
function trustOf(role: Json): Json {
  const document = role.AssumeRolePolicyDocument;
  return typeof document === 'string'
    ? JSON.parse(decodeURIComponent(document))
    : document;
}

function statementsOf(role: Json): Json[] {
  const statement = trustOf(role).Statement;
  return Array.isArray(statement) ? statement : [statement];
}

const allRoles = snapshots.flatMap(({ json }) => json.RoleDetailList as Json[]);

describe('sample snapshots', () => {
  it('cover at least three accounts and 60 roles, in both forms', () => {
    const reports = snapshots.map(({ json }) => checkSnapshotFormat(json));
    const accounts = new Set(reports.map(report => report.accountId));
    expect(accounts.size).toBeGreaterThanOrEqual(3);
    expect(accounts.size).toBe(snapshots.length);
    expect(
      reports.reduce((sum, report) => sum + report.roleCount, 0),
    ).toBeGreaterThanOrEqual(60);
    expect(reports.map(report => report.form)).toEqual(
      expect.arrayContaining(['cli', 'raw']),
    );
  });

  it.each(snapshots.map(s => [s.name, s.json] as const))(
    '%s has the format of get-account-authorization-details',
    (name, json) => {
      const report = checkSnapshotFormat(json);
      expect(report.problems).toEqual([]);
      // files are named ACCOUNTID-NAME[.raw-api].json
      expect(name.startsWith(`${report.accountId}-`)).toBe(true);
      expect(name.includes('.raw-api.')).toBe(report.form === 'raw');
    },
  );

  it('gives every role a unique id across accounts', () => {
    const ids = allRoles.map(role => role.RoleId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('holds the kinds of role real accounts hold', () => {
    const has = (predicate: (statement: Json, role: Json) => boolean) =>
      allRoles.filter(role =>
        statementsOf(role).some(statement => predicate(statement, role)),
      ).length;
    const federated = (statement: Json) =>
      String(statement.Principal?.Federated ?? '');
    const service = (statement: Json) =>
      ([] as string[]).concat(statement.Principal?.Service ?? []);
    const aws = (statement: Json) =>
      typeof statement.Principal === 'string'
        ? [statement.Principal]
        : ([] as string[]).concat(statement.Principal?.AWS ?? []);

    expect(
      has(s => federated(s).endsWith('/token.actions.githubusercontent.com')),
    ).toBeGreaterThanOrEqual(10);
    expect(
      has(s =>
        /oidc-provider\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\/id\/[0-9A-F]{32}$/.test(
          federated(s),
        ),
      ),
    ).toBeGreaterThanOrEqual(10);
    expect(
      allRoles.filter(
        role =>
          role.Path === '/aws-reserved/sso.amazonaws.com/' &&
          /^AWSReservedSSO_[A-Za-z0-9+=,.@-]+_[0-9a-f]{16}$/.test(
            role.RoleName,
          ) &&
          statementsOf(role).some(s =>
            /:saml-provider\/AWSSSO_[0-9a-f]{16}_DO_NOT_DELETE$/.test(
              federated(s),
            ),
          ),
      ).length,
    ).toBeGreaterThanOrEqual(8);
    for (const name of [
      'lambda.amazonaws.com',
      'ecs-tasks.amazonaws.com',
      'ec2.amazonaws.com',
    ]) {
      expect(has(s => service(s).includes(name))).toBeGreaterThan(0);
    }
    // cross-account deploy roles trusted by role ARNs of the tooling account
    expect(
      has(
        (s, role) =>
          !role.Arn.startsWith('arn:aws:iam::111111111111:') &&
          aws(s).some(p => p.startsWith('arn:aws:iam::111111111111:role/')),
      ),
    ).toBeGreaterThanOrEqual(6);
    // a vendor with an ExternalId (Datadog)
    expect(
      has(
        s =>
          aws(s).includes('arn:aws:iam::464622532012:root') &&
          typeof s.Condition?.StringEquals?.['sts:ExternalId'] === 'string',
      ),
    ).toBeGreaterThanOrEqual(3);
  });

  it('keeps the risky cases the README describes', () => {
    const byName = (account: string, name: string) => {
      const role = allRoles.find(
        r =>
          r.Arn.startsWith(`arn:aws:iam::${account}:`) && r.RoleName === name,
      );
      if (!role) throw new Error(`${account} ${name} is missing`);
      return statementsOf(role);
    };
    const gh = 'token.actions.githubusercontent.com';
    expect(
      byName('111111111111', 'gha-shared-ci')[0].Condition.StringLike[
        `${gh}:sub`
      ],
    ).toBe('repo:acme/*');
    expect(
      byName('444444444444', 'gha-sandbox-experiments')[0].Condition.StringLike[
        `${gh}:sub`
      ],
    ).toBe('repo:*');
    expect(
      byName('222222222222', 'gha-load-tests')[0].Condition.StringEquals,
    ).toEqual({ [`${gh}:aud`]: 'sts.amazonaws.com' });
    expect(
      byName('111111111111', 'gha-techdocs-publish')[0].Condition.StringEquals,
    ).not.toHaveProperty(`${gh}:aud`);
    expect(byName('222222222222', 'okta-legacy-admin')[0].Condition).toBe(
      undefined,
    );
    expect(byName('222222222222', 'break-glass-admin')[0].Principal.AWS).toBe(
      'arn:aws:iam::222222222222:root',
    );
    expect(byName('333333333333', 'cloudcost-readonly')[0].Condition).toBe(
      undefined,
    );
    const dangling = byName('333333333333', 'payments-reporting-reader')[0]
      .Principal.AWS as string[];
    const deletedId = dangling.find(p => /^AROA[A-Z0-9]{17}$/.test(p));
    expect(deletedId).toBeDefined();
    expect(allRoles.some(role => role.RoleId === deletedId)).toBe(false);
    expect(byName('333333333333', 'partner-webhook-relay')[0].Principal).toBe(
      '*',
    );
  });
});

describe('role chains in the sample data', () => {
  it('reaches production administrator access from a deploy repository in three hops, as the README says', () => {
    const { roles } = mergeAuthorizationDetails(
      listSampleSnapshots().map(file =>
        parseAuthorizationDetails(fs.readFileSync(file, 'utf8')),
      ),
    );
    const index = TrustIndex.build(
      roles.map(r => ({
        key: r.arn,
        analysis: analyzeRole({
          arn: r.arn,
          trustPolicy: r.assumeRolePolicyDocument,
          name: r.roleName,
          path: r.path,
        }),
      })),
    );
    const reach = findReach(
      index,
      parsePrincipalSpec('github:acme/payments-api@environment:production'),
    );
    const admin = reach.roles.find(r =>
      r.key.endsWith(':role/admin/platform-cluster-admin'),
    );
    expect(admin).toMatchObject({ depth: 3, outcome: 'allowed' });
    expect(admin!.paths[0].hops.map(h => h.key)).toEqual([
      'arn:aws:iam::111111111111:role/github-actions/gha-deploy-production',
      'arn:aws:iam::333333333333:role/deploy/acme-deployer',
      'arn:aws:iam::333333333333:role/admin/platform-cluster-admin',
    ]);
  });
});

describe('checkSnapshotFormat', () => {
  const cli = snapshots.find(s => !s.name.includes('.raw-api.'))!.json;
  const raw = snapshots.find(s => s.name.includes('.raw-api.'))!.json;
  const mutate = (source: Json, change: (copy: Json) => void) => {
    const copy = structuredClone(source);
    change(copy);
    return checkSnapshotFormat(copy).problems;
  };

  it('accepts the unchanged snapshots', () => {
    expect(checkSnapshotFormat(cli).problems).toEqual([]);
    expect(checkSnapshotFormat(raw).problems).toEqual([]);
  });

  it('reports a missing required field', () => {
    expect(
      mutate(cli, copy => delete copy.RoleDetailList[0].Tags).join('\n'),
    ).toMatch(/Tags is missing/);
    expect(
      mutate(raw, copy => delete copy.RoleDetailList[1].RoleLastUsed).join(
        '\n',
      ),
    ).toMatch(/RoleLastUsed is missing/);
    expect(mutate(cli, copy => delete copy.Policies).join('\n')).toMatch(
      /top-level Policies/,
    );
  });

  it('reports fields IAM never returns in a RoleDetail', () => {
    expect(
      mutate(cli, copy => {
        copy.RoleDetailList[0].MaxSessionDuration = 3600;
      }).join('\n'),
    ).toMatch(/MaxSessionDuration is not a field/);
  });

  it('reports bad ids, ARNs of another account and duplicate names', () => {
    expect(
      mutate(cli, copy => {
        copy.RoleDetailList[0].RoleId = 'AIDA0123456789ABCDEFG';
      }).join('\n'),
    ).toMatch(/RoleId/);
    expect(
      mutate(cli, copy => {
        const role = copy.RoleDetailList[2];
        role.Arn = role.Arn.replace(/::\d{12}:/, '::999999999999:');
      }).join('\n'),
    ).toMatch(/several accounts/);
    expect(
      mutate(cli, copy => {
        copy.RoleDetailList[3].RoleName =
          copy.RoleDetailList[4].RoleName.toUpperCase();
        copy.RoleDetailList[3].Arn = `${copy.RoleDetailList[3].Arn.replace(
          /role\/.*$/,
          'role',
        )}${copy.RoleDetailList[3].Path}${copy.RoleDetailList[3].RoleName}`;
      }).join('\n'),
    ).toMatch(/duplicate role name/);
  });

  it('reports documents in the wrong form or that do not parse', () => {
    expect(
      mutate(cli, copy => {
        // the form is taken from the first role: a later one in the other form is reported
        copy.RoleDetailList[5].AssumeRolePolicyDocument = encodeURIComponent(
          JSON.stringify(copy.RoleDetailList[5].AssumeRolePolicyDocument),
        );
      }).join('\n'),
    ).toMatch(/expected a decoded JSON object/);
    expect(
      mutate(raw, copy => {
        copy.RoleDetailList[0].AssumeRolePolicyDocument = '%7B%22Version%22';
      }).join('\n'),
    ).toMatch(
      /does not URL-decode to a JSON policy \(The trust policy document is not valid JSON/,
    );
    expect(
      mutate(raw, copy => {
        copy.RoleDetailList[0].RolePolicyList = [
          { PolicyName: 'plain', PolicyDocument: '{"Version":"2012-10-17"}' },
        ];
      }).join('\n'),
    ).toMatch(/holds raw JSON characters/);
  });

  it('reports dates in the other form', () => {
    expect(
      mutate(cli, copy => {
        copy.RoleDetailList[0].CreateDate = '2023-04-12T09:14:33Z';
      }).join('\n'),
    ).toMatch(/CreateDate .* is not in cli form/);
    expect(
      mutate(raw, copy => {
        copy.RoleDetailList[0].RoleLastUsed = {
          LastUsedDate: '2026-11-01T10:00:00+00:00',
          Region: 'eu-central-1',
        };
      }).join('\n'),
    ).toMatch(/RoleLastUsed must be/);
  });
});
