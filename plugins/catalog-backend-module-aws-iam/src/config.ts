import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  INTERNAL_ACCOUNTS_CONFIG_KEY,
  readInternalAccounts,
} from '@backstage-iam/plugin-iam-roles-common';
import type { IdentityMatchRule } from './effective/EffectiveAccessIndex';

/** One ownership rule: the first rule whose conditions all match names the owner. */
export interface OwnershipRule {
  pathPrefix?: string;
  namePattern?: RegExp;
  owner: string;
}

/** How the owner of a role is decided. */
export interface OwnershipConfig {
  tagKeys: string[];
  rules: OwnershipRule[];
  default?: string;
  aliases: Record<string, string>;
}

/** A live account to read. */
export interface AccountConfig {
  accountId: string;
  name?: string;
  owner?: string;
}

/** The AWS partitions a provider can read: commercial, GovCloud (US) and China. */
export const AWS_PARTITIONS = ['aws', 'aws-us-gov', 'aws-cn'] as const;
/** One of {@link AWS_PARTITIONS}. */
export type AwsPartition = (typeof AWS_PARTITIONS)[number];

/** Configuration of one `catalog.providers.awsIam.<id>` provider. */
export interface AwsIamProviderConfig {
  id: string;
  /** The partition of the accounts read live (and of account entities without roles). */
  partition: AwsPartition;
  snapshots?: { paths: string[] };
  accounts?: AccountConfig[];
  organizations?: { enabled: boolean; accountId?: string; exclude: string[] };
  accountNames: Record<string, string>;
  /** `iamRoles.internalAccounts`: the one list the module and the broker share. */
  internalAccounts: string[];
  includeManagedPolicies: boolean;
  maxConcurrentAccounts: number;
  emitAccounts: boolean;
  maxAttempts: number;
  /** An account with more roles fails its read (its entities are kept); bounds the work and memory of one read. */
  maxRolesPerAccount: number;
  /** A trust policy document longer than this (characters as read) is not analysed: an `invalid-policy` finding. */
  maxPolicyDocumentBytes: number;
  /** An account whose read takes longer fails (its entities are kept), so one hanging account never stalls the run. */
  accountReadTimeoutSeconds: number;
  ownership: OwnershipConfig;
  systemTagKeys: string[];
  componentTagKeys: string[];
  permissionSets: Record<string, string[]>;
  /** Identity Center read live (live providers with `identityCenter.region`). */
  identityCenter?: { region: string; accountId?: string; instanceArn?: string };
  /** How identity-store groups and users are matched to catalog Groups and Users. */
  identityMatch: { groups: IdentityMatchRule; users: IdentityMatchRule };
  /** EKS Pod Identity read live (live providers with `eks.regions`). */
  eks?: { regions: string[]; clusters?: string[]; accounts?: string[] };
  /** Read the organisation's resource control policies (live providers that read Organizations). */
  resourceControlPolicies: boolean;
  schedule: SchedulerServiceTaskScheduleDefinition;
}

const GROUP_MATCH_RULES = ['displayName', 'externalId', 'annotation'] as const;
const USER_MATCH_RULES = [
  'email',
  'userName',
  'displayName',
  'externalId',
  'annotation',
] as const;

function readMatchRule(
  config: Config | undefined,
  where: string,
  allowed: readonly string[],
  fallback: IdentityMatchRule['by'],
): IdentityMatchRule {
  const by = config?.getOptionalString('by') ?? fallback;
  if (!allowed.includes(by)) {
    throw new InputError(
      `${where}.by must be one of ${allowed.join(', ')}, not "${by}"`,
    );
  }
  const annotation = config?.getOptionalString('annotation');
  if (by === 'externalId' && !annotation) {
    throw new InputError(
      `${where}: by externalId needs the catalog annotation that holds the external id (annotation)`,
    );
  }
  return {
    by: by as IdentityMatchRule['by'],
    ...(annotation ? { annotation } : {}),
  };
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

function readRegion(value: string, where: string): string {
  if (!REGION.test(value)) {
    throw new InputError(`${where}: "${value}" is not an AWS region`);
  }
  return value;
}

function readEffectiveAccess(
  config: Config,
  where: string,
  live: boolean,
): Pick<
  AwsIamProviderConfig,
  'identityCenter' | 'identityMatch' | 'eks' | 'resourceControlPolicies'
> {
  const ic = config.getOptionalConfig('identityCenter');
  const region = ic?.getOptionalString('region');
  const eksConfig = config.getOptionalConfig('eks');
  if (!live && (region || eksConfig)) {
    throw new InputError(
      `${where}: identityCenter.region and eks read live APIs; a snapshot provider reads Identity Center and Pod Identity snapshot files from snapshots.paths`,
    );
  }
  const identityCenter = region
    ? {
        region: readRegion(region, `${where}.identityCenter.region`),
        ...(ic!.has('accountId')
          ? {
              accountId: readAccountId(
                ic!.getString('accountId'),
                `${where}.identityCenter.accountId`,
              ),
            }
          : {}),
        ...(ic!.has('instanceArn')
          ? { instanceArn: ic!.getString('instanceArn') }
          : {}),
      }
    : undefined;
  if (!region && (ic?.has('accountId') || ic?.has('instanceArn'))) {
    throw new InputError(
      `${where}.identityCenter: accountId and instanceArn need region (the instance's home region)`,
    );
  }
  let eks: AwsIamProviderConfig['eks'];
  if (eksConfig) {
    const regions = eksConfig
      .getStringArray('regions')
      .map(r => readRegion(r, `${where}.eks.regions`));
    if (regions.length === 0) {
      throw new InputError(`${where}.eks.regions is empty`);
    }
    const clusters = eksConfig.getOptionalStringArray('clusters');
    const accounts = eksConfig
      .getOptionalStringArray('accounts')
      ?.map(a => readAccountId(a, `${where}.eks.accounts`));
    eks = {
      regions,
      ...(clusters ? { clusters } : {}),
      ...(accounts ? { accounts } : {}),
    };
  }
  return {
    identityCenter,
    identityMatch: {
      groups: readMatchRule(
        ic?.getOptionalConfig('groupMatch'),
        `${where}.identityCenter.groupMatch`,
        GROUP_MATCH_RULES,
        'displayName',
      ),
      users: readMatchRule(
        ic?.getOptionalConfig('userMatch'),
        `${where}.identityCenter.userMatch`,
        USER_MATCH_RULES,
        'email',
      ),
    },
    eks,
    resourceControlPolicies: false,
  };
}

const ACCOUNT_ID = /^\d{12}$/;

/** Default of `maxRolesPerAccount`: twice the most roles IAM lets an account have (5,000 with a quota raise). */
export const DEFAULT_MAX_ROLES_PER_ACCOUNT = 10_000;
/** Default of `accountReadTimeoutSeconds`: half the default schedule timeout. */
export const DEFAULT_ACCOUNT_READ_TIMEOUT_SECONDS = 300;
/** Default of `maxPolicyDocumentBytes`: far above IAM's own limit on a trust policy (4,096 characters with a quota raise). */
export const DEFAULT_MAX_POLICY_DOCUMENT_BYTES = 65_536;

function readBound(
  config: Config,
  key: string,
  where: string,
  fallback: number,
): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new InputError(`${where}.${key} must be a positive integer`);
  }
  return value;
}

/** The schedule used when a provider configures none. */
export const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 10 },
  initialDelay: { seconds: 5 },
};

function readAccountId(value: string, where: string): string {
  const id = value.trim();
  if (!ACCOUNT_ID.test(id)) {
    throw new InputError(
      `${where}: "${value}" is not a 12-digit AWS account id`,
    );
  }
  return id;
}

/** Reads a map whose keys may hold spaces (tag values, permission set names), which config keys may not. */
function readRawMap(config: Config, key: string): Record<string, unknown> {
  const value = config.getOptional(key);
  if (value === undefined) {
    return {};
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${key} must be a map`);
  }
  return value as Record<string, unknown>;
}

function readStringMap(
  config: Config,
  key: string,
  where: string,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [k, v] of Object.entries(readRawMap(config, key))) {
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw new InputError(`${where}.${key}["${k}"] must be a string`);
    }
    result[k] = String(v);
  }
  return result;
}

function readAccounts(
  config: Config,
  where: string,
): AccountConfig[] | undefined {
  if (!config.has('accounts')) {
    return undefined;
  }
  const raw = config.get<unknown[]>('accounts');
  if (!Array.isArray(raw)) {
    throw new InputError(`${where}.accounts must be a list`);
  }
  return raw.map(item => {
    if (typeof item === 'string' || typeof item === 'number') {
      return { accountId: readAccountId(String(item), `${where}.accounts`) };
    }
    if (item && typeof item === 'object' && 'accountId' in item) {
      const obj = item as Record<string, unknown>;
      return {
        accountId: readAccountId(String(obj.accountId), `${where}.accounts`),
        name: typeof obj.name === 'string' ? obj.name : undefined,
        owner: typeof obj.owner === 'string' ? obj.owner : undefined,
      };
    }
    throw new InputError(
      `${where}.accounts: each item is an account id or { accountId, name?, owner? }`,
    );
  });
}

function readOwnership(
  config: Config | undefined,
  where: string,
): OwnershipConfig {
  const rules = (config?.getOptionalConfigArray('rules') ?? []).map(
    (rule, i) => {
      const pattern = rule.getOptionalString('namePattern');
      let namePattern: RegExp | undefined;
      if (pattern !== undefined) {
        try {
          namePattern = new RegExp(pattern);
        } catch (e) {
          throw new InputError(
            `${where}.ownership.rules[${i}].namePattern is not a valid regular expression: ${e}`,
          );
        }
      }
      const pathPrefix = rule.getOptionalString('pathPrefix');
      if (!pathPrefix && !namePattern) {
        throw new InputError(
          `${where}.ownership.rules[${i}] needs pathPrefix or namePattern`,
        );
      }
      return { pathPrefix, namePattern, owner: rule.getString('owner') };
    },
  );
  return {
    tagKeys: config?.getOptionalStringArray('tagKeys') ?? ['owner', 'team'],
    rules,
    default: config?.getOptionalString('default'),
    aliases: config
      ? readStringMap(config, 'aliases', `${where}.ownership`)
      : {},
  };
}

function readPermissionSets(
  config: Config,
  where: string,
): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [set, value] of Object.entries(
    readRawMap(config, 'identityCenter.permissionSets'),
  )) {
    const groups = Array.isArray(value) ? value : [value];
    if (!groups.every(g => typeof g === 'string')) {
      throw new InputError(
        `${where}.identityCenter.permissionSets["${set}"] must be a group or a list of groups`,
      );
    }
    result[set] = groups as string[];
  }
  return result;
}

/** Reads every provider under `catalog.providers.awsIam`. */
export function readAwsIamProviderConfigs(
  config: Config,
): AwsIamProviderConfig[] {
  const root = config.getOptionalConfig('catalog.providers.awsIam');
  if (!root) {
    return [];
  }
  let internalAccounts: string[];
  try {
    internalAccounts = readInternalAccounts(config);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  return root
    .keys()
    .map(id =>
      readAwsIamProviderConfig(id, root.getConfig(id), internalAccounts),
    );
}

/** Reads one provider's configuration; throws InputError with the config path on mistakes. */
export function readAwsIamProviderConfig(
  id: string,
  config: Config,
  internalAccounts: string[] = [],
): AwsIamProviderConfig {
  const where = `catalog.providers.awsIam.${id}`;
  if (config.has('internalAccounts')) {
    // One list for the catalog module and the broker, so the risk a role shows cannot differ.
    throw new InputError(
      `${where}.internalAccounts has moved to ${INTERNAL_ACCOUNTS_CONFIG_KEY} (one list shared by the catalog module and the broker): move the accounts there`,
    );
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(id)) {
    throw new InputError(
      `${where}: the provider id may only hold letters, digits, "-" and "_"`,
    );
  }
  const snapshotPaths = config.getOptionalStringArray('snapshots.paths');
  const accounts = readAccounts(config, where);
  const orgConfig = config.getOptionalConfig('organizations');
  const organizations =
    orgConfig && orgConfig.getOptionalBoolean('enabled') !== false
      ? {
          enabled: true,
          accountId: orgConfig.has('accountId')
            ? readAccountId(
                orgConfig.getString('accountId'),
                `${where}.organizations`,
              )
            : undefined,
          exclude: (orgConfig.getOptionalStringArray('exclude') ?? []).map(a =>
            readAccountId(a, `${where}.organizations.exclude`),
          ),
        }
      : undefined;

  const live = Boolean(accounts?.length) || Boolean(organizations);
  if (snapshotPaths && live) {
    throw new InputError(
      `${where}: use either snapshots or accounts/organizations, not both (configure two providers)`,
    );
  }
  if (!snapshotPaths && !live) {
    throw new InputError(
      `${where}: configure snapshots.paths, accounts or organizations`,
    );
  }
  if (snapshotPaths && snapshotPaths.length === 0) {
    throw new InputError(`${where}.snapshots.paths is empty`);
  }

  const maxConcurrentAccounts =
    config.getOptionalNumber('maxConcurrentAccounts') ?? 5;
  if (!Number.isInteger(maxConcurrentAccounts) || maxConcurrentAccounts < 1) {
    throw new InputError(
      `${where}.maxConcurrentAccounts must be a positive integer`,
    );
  }
  const partition = config.getOptionalString('partition') ?? 'aws';
  if (!(AWS_PARTITIONS as readonly string[]).includes(partition)) {
    throw new InputError(
      `${where}.partition must be one of ${AWS_PARTITIONS.join(
        ', ',
      )}, not "${partition}"`,
    );
  }
  const maxAttempts = config.getOptionalNumber('maxAttempts') ?? 8;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new InputError(`${where}.maxAttempts must be a positive integer`);
  }

  const maxRolesPerAccount = readBound(
    config,
    'maxRolesPerAccount',
    where,
    DEFAULT_MAX_ROLES_PER_ACCOUNT,
  );
  const maxPolicyDocumentBytes = readBound(
    config,
    'maxPolicyDocumentBytes',
    where,
    DEFAULT_MAX_POLICY_DOCUMENT_BYTES,
  );

  return {
    id,
    partition: partition as AwsPartition,
    snapshots: snapshotPaths ? { paths: snapshotPaths } : undefined,
    accounts,
    organizations,
    accountNames: readStringMap(config, 'accountNames', where),
    internalAccounts,
    includeManagedPolicies:
      config.getOptionalBoolean('includeManagedPolicies') ?? false,
    maxConcurrentAccounts,
    emitAccounts: config.getOptionalBoolean('emitAccounts') ?? true,
    maxAttempts,
    maxRolesPerAccount,
    maxPolicyDocumentBytes,
    accountReadTimeoutSeconds: readBound(
      config,
      'accountReadTimeoutSeconds',
      where,
      DEFAULT_ACCOUNT_READ_TIMEOUT_SECONDS,
    ),
    ownership: readOwnership(config.getOptionalConfig('ownership'), where),
    systemTagKeys: config.getOptionalStringArray('systemTagKeys') ?? ['system'],
    componentTagKeys: config.getOptionalStringArray('componentTagKeys') ?? [
      'component',
    ],
    permissionSets: readPermissionSets(config, where),
    ...readEffectiveAccess(config, where, live),
    resourceControlPolicies:
      Boolean(organizations) &&
      orgConfig?.getOptionalBoolean('resourceControlPolicies') !== false,
    schedule: config.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          config.getConfig('schedule'),
        )
      : DEFAULT_SCHEDULE,
  };
}
