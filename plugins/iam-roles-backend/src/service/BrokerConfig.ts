import type { Config } from '@backstage/config';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  readAccountNames,
  readInternalAccounts,
} from '@backstage-iam/plugin-iam-roles-common';

/** An auto-approval rule from config. */
export interface AutoApproveRule {
  roleRefs?: string[];
  requesterRefs: string[];
  maxDurationMinutes: number;
}

/** An approver rule from config (`iamRoles.broker.roleRules`): for the roles its patterns match. */
export interface RoleRule {
  /** Entity refs or ARNs with IAM wildcards; entity refs lower-cased. */
  roles: string[];
  approverGroups?: string[];
  quorum?: number;
  eligibleGroups?: string[];
  breakGlass?: boolean;
}

/** The broker's settings, read from `iamRoles.broker` with defaults applied. */
export interface BrokerConfig {
  minDurationMinutes: number;
  maxDurationMinutes: number;
  defaultDurationMinutes: number;
  requestTtlHours: number;
  approverGroups: string[];
  defaultQuorum: number;
  autoApprove: AutoApproveRule[];
  roleRules: RoleRule[];
  breakGlass: { maxDurationMinutes: number };
  rateLimit: { maxRequests: number; windowSeconds: number };
  /** Largest request body the broker reads, in bytes; a larger one is a 413. */
  maxBodyBytes: number;
  expiryIntervalSeconds: number;
  trustRefreshIntervalSeconds: number;
  internalAccounts: string[];
  /** `iamRoles.accountNames` (readAccountNames): vendors' and partners' accounts by name. */
  accountNames: Record<string, string>;
  sts: {
    /** True when an `aws` section exists, so credentials can be issued. */
    enabled: boolean;
    disabledReason?: string;
    accountId?: string;
    region: string;
    sessionDurationCapMinutes: number;
    brokerPrincipalArn?: string;
    roleChaining?: boolean;
  };
}

/** STS never issues a session shorter than 15 minutes; so no grant is shorter. */
export const MIN_DURATION_MINUTES = 15;

function normalizeRef(ref: string, defaultKind: string): string {
  return stringifyEntityRef(parseEntityRef(ref, { defaultKind }));
}

/** Default of `iamRoles.broker.maxBodyBytes`: far above any valid body (justifications are at most 1000 characters). */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

function readMaxBodyBytes(value: number | undefined): number {
  const bytes = value ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(bytes) || bytes < 1024 || bytes > 10 * 1024 * 1024) {
    throw new Error(
      `iamRoles.broker.maxBodyBytes must be a whole number of bytes from 1024 to 10485760, got ${value}`,
    );
  }
  return bytes;
}

/** Reads the broker's config with defaults; throws a readable error on inconsistent values. */
export function readBrokerConfig(config: Config): BrokerConfig {
  const root = config.getOptionalConfig('iamRoles');
  const broker = root?.getOptionalConfig('broker');
  const maxDurationMinutes =
    broker?.getOptionalNumber('maxDurationMinutes') ?? 480;
  const defaultDurationMinutes = Math.min(
    broker?.getOptionalNumber('defaultDurationMinutes') ?? 60,
    maxDurationMinutes,
  );
  if (maxDurationMinutes < MIN_DURATION_MINUTES) {
    throw new Error(
      `iamRoles.broker.maxDurationMinutes must be at least ${MIN_DURATION_MINUTES}, got ${maxDurationMinutes}`,
    );
  }
  const sts = broker?.getOptionalConfig('sts');
  const awsConfigured = config.has('aws');
  const autoApprove = (broker?.getOptionalConfigArray('autoApprove') ?? []).map(
    rule => ({
      roleRefs: rule
        .getOptionalStringArray('roleRefs')
        ?.map(r => normalizeRef(r, 'resource')),
      requesterRefs: rule
        .getStringArray('requesterRefs')
        .map(r => normalizeRef(r, 'group')),
      maxDurationMinutes: rule.getNumber('maxDurationMinutes'),
    }),
  );
  const roleRules = (broker?.getOptionalConfigArray('roleRules') ?? []).map(
    (rule): RoleRule => {
      const quorum = rule.getOptionalNumber('quorum');
      if (quorum !== undefined && (!Number.isInteger(quorum) || quorum < 1)) {
        throw new Error(
          `iamRoles.broker.roleRules[].quorum must be a whole number of at least 1, got ${quorum}`,
        );
      }
      return {
        roles: rule
          .getStringArray('roles')
          .map(r => (r.startsWith('arn:') ? r : r.toLocaleLowerCase('en-US'))),
        approverGroups: rule
          .getOptionalStringArray('approverGroups')
          ?.map(r => normalizeRef(r, 'group').toLocaleLowerCase('en-US')),
        quorum,
        eligibleGroups: rule
          .getOptionalStringArray('eligibleGroups')
          ?.map(r => normalizeRef(r, 'group').toLocaleLowerCase('en-US')),
        breakGlass: rule.getOptionalBoolean('breakGlass'),
      };
    },
  );
  const breakGlassMax = Math.min(
    broker?.getOptionalNumber('breakGlass.maxDurationMinutes') ?? 60,
    maxDurationMinutes,
  );
  if (breakGlassMax < MIN_DURATION_MINUTES) {
    throw new Error(
      `iamRoles.broker.breakGlass.maxDurationMinutes must be at least ${MIN_DURATION_MINUTES}, got ${breakGlassMax}`,
    );
  }
  return {
    minDurationMinutes: MIN_DURATION_MINUTES,
    maxDurationMinutes,
    defaultDurationMinutes: Math.max(
      defaultDurationMinutes,
      MIN_DURATION_MINUTES,
    ),
    requestTtlHours: broker?.getOptionalNumber('requestTtlHours') ?? 72,
    approverGroups: (
      broker?.getOptionalStringArray('approverGroups') ?? []
    ).map(r => normalizeRef(r, 'group')),
    defaultQuorum: Math.max(1, broker?.getOptionalNumber('defaultQuorum') ?? 1),
    autoApprove,
    roleRules,
    breakGlass: { maxDurationMinutes: breakGlassMax },
    rateLimit: {
      maxRequests: broker?.getOptionalNumber('rateLimit.maxRequests') ?? 10,
      windowSeconds:
        broker?.getOptionalNumber('rateLimit.windowSeconds') ?? 3600,
    },
    maxBodyBytes: readMaxBodyBytes(broker?.getOptionalNumber('maxBodyBytes')),
    expiryIntervalSeconds:
      broker?.getOptionalNumber('expiryIntervalSeconds') ?? 60,
    trustRefreshIntervalSeconds:
      root?.getOptionalNumber('trust.refreshIntervalSeconds') ?? 60,
    internalAccounts: readInternalAccounts(config),
    accountNames: readAccountNames(config),
    sts: {
      enabled: awsConfigured,
      disabledReason: awsConfigured
        ? undefined
        : 'This installation has no AWS configuration (the `aws` section of app-config), so the broker records grants but issues no credentials. Ask your Backstage administrators to configure broker credentials.',
      accountId: sts?.getOptionalString('accountId'),
      region: sts?.getOptionalString('region') ?? 'us-east-1',
      sessionDurationCapMinutes:
        sts?.getOptionalNumber('sessionDurationCapMinutes') ?? 60,
      brokerPrincipalArn: sts?.getOptionalString('brokerPrincipalArn'),
      roleChaining: sts?.getOptionalBoolean('roleChaining'),
    },
  };
}
