import { appendFileSync } from 'node:fs';
import { mockServices } from '@backstage/backend-test-utils';
import {
  DefaultNamespaceEntityPolicy,
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  resourceEntityV1alpha1Validator,
  SchemaValidEntityPolicy,
} from '@backstage/catalog-model';
import {
  createRandom,
  parseAuthorizationDetails,
} from '@backstage-iam/plugin-iam-roles-common';
import { EntityBuilder } from './entities/EntityBuilder';
import { OwnerResolver } from './entities/OwnerResolver';
import { AccountRead } from './sources/types';

/**
 * Fuzz of the module's parsing and entity path: random get-account-authorization-details files
 * (CLI, API and Query-envelope forms) whose trust policies and other fields are garbage of every
 * kind. Seeded: a failure prints the seed and the case, and `IAM_FUZZ_SEED=<seed>` replays it.
 * With `IAM_FUZZ_REPORT=<file>` the figures are appended to that file (`yarn test:reliability`).
 */
const SEED = Number(process.env.IAM_FUZZ_SEED ?? 20261203);
const CASES = Number(process.env.IAM_FUZZ_CASES ?? 10_000);
const ACCOUNT = '123456789012';

const policies = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);

type Random = () => number;

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202e',
  '\ud800',
  '💥',
  'Ω≈ç√',
  '%',
  '%E0%A4%A',
  '%7B%22Version',
  '{',
  '}{',
  '[]',
  'null',
  '"',
  "'; DROP TABLE roles; --",
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '=HYPERLINK("http://x")',
  '../../etc/passwd',
  '*',
  'arn:aws:iam::*:root',
  '__proto__',
  'constructor',
];

function pick<T>(random: Random, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)];
}

function garbageString(random: Random): string {
  const r = random();
  if (r < 0.4) return pick(random, NASTY_STRINGS);
  if (r < 0.7) {
    let s = '';
    const n = Math.floor(random() * 40);
    for (let i = 0; i < n; i++) {
      s += String.fromCodePoint(
        random() < 0.8
          ? 32 + Math.floor(random() * 95)
          : Math.floor(random() * 0x2ffff),
      );
    }
    return s;
  }
  if (r < 0.99)
    return pick(random, NASTY_STRINGS).repeat(1 + Math.floor(random() * 200));
  return 'x'.repeat(Math.floor(random() * 100_000));
}

const POLICY_KEYS = [
  'Version',
  'Statement',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Condition',
  'Sid',
  'AWS',
  'Service',
  'Federated',
  'StringEquals',
  'StringLike',
  'token.actions.githubusercontent.com:sub',
  '__proto__',
];

/** Any JSON-ish value, to a bounded depth. */
function garbage(random: Random, depth = 0): unknown {
  const r = random();
  if (depth > 4 || r < 0.15) return garbageString(random);
  if (r < 0.25) return Math.floor(random() * 1e6) * (random() < 0.5 ? -1 : 1);
  if (r < 0.3) return pick(random, [NaN, Infinity, 1e308, -0, 0.5]);
  if (r < 0.37) return pick(random, [true, false, null, undefined]);
  if (r < 0.6) {
    return Array.from({ length: Math.floor(random() * 5) }, () =>
      garbage(random, depth + 1),
    );
  }
  const obj: Record<string, unknown> = {};
  const n = Math.floor(random() * 5);
  for (let i = 0; i < n; i++) {
    const key =
      random() < 0.6 ? pick(random, POLICY_KEYS) : garbageString(random);
    obj[key] = garbage(random, depth + 1);
  }
  return obj;
}

function validPolicy(random: Random): Record<string, any> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: pick(random, [
          { Service: 'lambda.amazonaws.com' },
          { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          { AWS: '*' },
          {
            Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
          },
        ]),
        Action: pick(random, [
          'sts:AssumeRole',
          'sts:AssumeRoleWithWebIdentity',
          ['sts:AssumeRole', 'sts:TagSession'],
        ]),
        ...(random() < 0.5
          ? {
              Condition: {
                StringLike: {
                  'token.actions.githubusercontent.com:sub': 'repo:acme/*',
                },
              },
            }
          : {}),
      },
    ],
  };
}

/** Replaces one value somewhere inside `value` with garbage. */
function mutate(random: Random, value: any, depth = 0): any {
  if (
    depth > 5 ||
    value === null ||
    typeof value !== 'object' ||
    random() < 0.3
  ) {
    return garbage(random);
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return garbage(random);
  const copy: any = Array.isArray(value) ? [...value] : { ...value };
  const key = pick(random, keys);
  if (random() < 0.15) {
    delete copy[key];
  } else {
    copy[key] = mutate(random, value[key], depth + 1);
  }
  return copy;
}

/** A trust policy document, and whether IAM could not possibly accept it (then a finding is due). */
function trustDocument(random: Random): {
  doc: unknown;
  surelyInvalid: boolean;
} {
  const r = random();
  if (r < 0.2) return { doc: validPolicy(random), surelyInvalid: false };
  if (r < 0.55)
    return { doc: mutate(random, validPolicy(random)), surelyInvalid: false };
  if (r < 0.7) {
    // Not JSON at all, or truncated JSON.
    const text = JSON.stringify(validPolicy(random));
    return {
      doc:
        random() < 0.5
          ? text.slice(0, Math.floor(random() * (text.length - 1)))
          : `${garbageString(random)}{`,
      surelyInvalid: true,
    };
  }
  if (r < 0.8) {
    // Not an object.
    return {
      doc: pick(random, [42, true, [], ['Statement'], JSON.stringify([1, 2])]),
      surelyInvalid: true,
    };
  }
  if (r < 0.88) {
    // No statement at all: admits nobody (whether IAM would store it is not asserted).
    return {
      doc: { Version: '2012-10-17', Statement: [] },
      surelyInvalid: false,
    };
  }
  return { doc: garbage(random), surelyInvalid: false };
}

function encodeForm(random: Random, doc: unknown): unknown {
  if (typeof doc === 'string') {
    return random() < 0.5 ? doc : encodeURIComponentSafe(doc);
  }
  const r = random();
  if (r < 0.4 || doc === undefined) return doc; // CLI form: decoded object
  const text = JSON.stringify(doc);
  if (text === undefined) return doc;
  return r < 0.8 ? encodeURIComponentSafe(text) : text; // API form: URL-encoded; some tools: plain JSON text
}

function encodeURIComponentSafe(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text; // lone surrogates cannot be encoded: keep the raw text
  }
}

const NAME_CHARS =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-';

function roleName(random: Random, i: number): string {
  const r = random();
  if (r < 0.6) {
    let s = '';
    const n = 1 + Math.floor(random() * 64);
    for (let k = 0; k < n; k++)
      s += NAME_CHARS[Math.floor(random() * NAME_CHARS.length)];
    return `${s}${i}`;
  }
  // Names IAM would not allow, as a hand-edited snapshot might hold them.
  return `${garbageString(random).slice(0, 300)}${i}`;
}

function role(
  random: Random,
  i: number,
): { raw: Record<string, unknown>; surelyInvalid: boolean } {
  const name = roleName(random, i);
  const path =
    random() < 0.7
      ? '/'
      : pick(random, ['/service-role/', '/a/b/', garbageString(random)]);
  const { doc, surelyInvalid } = trustDocument(random);
  const camel = random() < 0.1;
  const raw: Record<string, unknown> = {
    [camel ? 'arn' : 'Arn']: `arn:aws:iam::${ACCOUNT}:role${
      typeof path === 'string' && path.startsWith('/') ? path : '/'
    }${name}`,
    [camel ? 'roleName' : 'RoleName']: name,
    [camel ? 'assumeRolePolicyDocument' : 'AssumeRolePolicyDocument']:
      encodeForm(random, doc),
  };
  const optional: Record<string, () => unknown> = {
    Path: () => path,
    RoleId: () => (random() < 0.7 ? `AROA${i}` : garbage(random)),
    CreateDate: () =>
      random() < 0.7 ? '2024-03-01T10:00:00Z' : garbage(random),
    Description: () => garbage(random),
    MaxSessionDuration: () => (random() < 0.5 ? 3600 : garbage(random)),
    Tags: () =>
      random() < 0.5
        ? [
            {
              Key: pick(random, ['owner', 'team', 'system', 'component']),
              Value: garbageString(random),
            },
            { Key: garbageString(random), Value: garbageString(random) },
          ]
        : garbage(random),
    RoleLastUsed: () => garbage(random),
    PermissionsBoundary: () => garbage(random),
    AttachedManagedPolicies: () => garbage(random),
    RolePolicyList: () => garbage(random),
  };
  for (const [key, make] of Object.entries(optional)) {
    if (random() < 0.6) raw[key] = make();
  }
  return { raw, surelyInvalid };
}

function file(random: Random, roles: Array<Record<string, unknown>>): unknown {
  const r = random();
  if (r < 0.6)
    return { RoleDetailList: roles, UserDetailList: [], GroupDetailList: [] };
  if (r < 0.8) {
    return {
      GetAccountAuthorizationDetailsResponse: {
        GetAccountAuthorizationDetailsResult: {
          RoleDetailList: { member: roles },
        },
      },
    };
  }
  // Two pages.
  return [
    { RoleDetailList: roles.slice(0, 1) },
    { RoleDetailList: roles.slice(1) },
  ];
}

function builder(read: AccountRead): EntityBuilder {
  return EntityBuilder.create({
    providerId: 'fuzz',
    owners: OwnerResolver.create(
      {
        tagKeys: ['owner', 'team'],
        rules: [],
        default: 'platform',
        aliases: {},
      },
      mockServices.logger.mock(),
    ),
    accounts: [read],
    internalAccounts: [],
    emitAccounts: true,
    accountNames: {},
    accountOwners: {},
    systemTagKeys: ['system'],
    componentTagKeys: ['component'],
    permissionSets: {},
    maxPolicyDocumentBytes: 65_536,
  });
}

async function checkEntity(entity: Entity) {
  // What the catalog does with an entity a provider emits: policies, then the kind's schema.
  const checked = await policies.enforce(entity);
  expect(checked).toBeDefined();
  expect(await resourceEntityV1alpha1Validator.check(entity)).toBe(true);
  expect(typeof JSON.stringify(entity)).toBe('string');
}

function report(figures: Record<string, number | string>) {
  const target = process.env.IAM_FUZZ_REPORT;
  if (target) {
    appendFileSync(target, `${JSON.stringify(figures)}\n`);
  }
}

describe('fuzz: trust policies and authorization-details files through the module', () => {
  it(`emits every role of ${CASES} fuzzed files, with invalid-policy findings where due (seed ${SEED})`, async () => {
    const random = createRandom(SEED);
    let crashes = 0;
    let roles = 0;
    let findings = 0;
    for (let c = 0; c < CASES; c++) {
      const count = 1 + Math.floor(random() * 3);
      const made = Array.from({ length: count }, (_, i) => role(random, i));
      const input = file(
        random,
        made.map(m => m.raw),
      );
      try {
        const parsed = parseAuthorizationDetails(
          random() < 0.3 ? JSON.stringify(input) : input,
        );
        expect(parsed.roles).toHaveLength(count);
        const read: AccountRead = {
          accountId: ACCOUNT,
          location: 'aws-iam-snapshot:/fuzz.json',
          roles: parsed.roles,
          readAt: '2026-12-03T00:00:00.000Z',
        };
        const entities = builder(read).buildAccount(read);
        expect(entities).toHaveLength(count + 1);
        for (const entity of entities) {
          await checkEntity(entity);
        }
        for (const [i, m] of made.entries()) {
          const ids = (entities[i + 1].spec as any).iam.findings.map(
            (f: { id: string }) => f.id,
          );
          if (m.surelyInvalid && !ids.includes('invalid-policy')) {
            throw new Error(
              `no invalid-policy finding on a trust policy IAM cannot accept: ${JSON.stringify(
                ids,
              )}`,
            );
          }
          if (ids.includes('invalid-policy')) findings += 1;
        }
        roles += count;
      } catch (error) {
        crashes += 1;
        report({ suite: 'module', seed: SEED, cases: c + 1, crashes });
        throw new Error(
          `fuzz case ${c} failed (replay with IAM_FUZZ_SEED=${SEED}): ${(
            error as Error
          ).stack
            ?.split('\n')
            .slice(0, 4)
            .join('\n')}\ninput: ${JSON.stringify(input).slice(0, 2000)}`,
        );
      }
    }
    report({
      suite: 'module',
      seed: SEED,
      cases: CASES,
      crashes,
      roles,
      invalidPolicy: findings,
    });
    expect(crashes).toBe(0);
    expect(findings).toBeGreaterThan(CASES / 10);
  });
});
