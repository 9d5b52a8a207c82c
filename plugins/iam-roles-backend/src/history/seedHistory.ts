import fs from 'node:fs/promises';
import path from 'node:path';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { DateTime } from 'luxon';
import {
  analyzeRole,
  decodePolicyDocument,
  IamRoleEntity,
  parseAuthorizationDetails,
  RoleRecord,
  roleKeyOfArn,
} from '@backstage-iam/plugin-iam-roles-common';
import type { TrustSnapshot, RoleEntry } from '../service/TrustSnapshot';
import type { HistorySeed } from './historyConfig';
import { policyHashOf } from './roleFacts';
import type { TrustHistoryRecorder } from './TrustHistoryRecorder';
import type { TrustHistoryStore } from './TrustHistoryStore';

/**
 * A role as an archived snapshot had it: the catalog entry of today with the archive's trust policy,
 * attached policies and permissions boundary. The owner and the Identity Center assignments are
 * today's (the archive does not hold them as the catalog maps them). The archived policy is analysed
 * once, by the engine, unless it is today's policy, whose analysis the entry already carries.
 */
function archivedEntry(
  entry: RoleEntry,
  record: RoleRecord,
  snapshot: TrustSnapshot,
): RoleEntry {
  const document =
    decodePolicyDocument(record.assumeRolePolicyDocument).value ?? undefined;
  const iam = entry.entity.spec.iam;
  const entity: IamRoleEntity = {
    ...entry.entity,
    spec: {
      ...entry.entity.spec,
      iam: {
        ...iam,
        trustPolicy: document as IamRoleEntity['spec']['iam']['trustPolicy'],
        attachedManagedPolicies: record.attachedManagedPolicies,
        inlinePolicyNames: record.inlinePolicyNames,
        permissionsBoundary: record.permissionsBoundary,
      },
    },
  };
  const analysis = analyzeRole(
    {
      arn: iam.arn,
      trustPolicy: document ?? record.assumeRolePolicyDocument,
      name: iam.roleName,
      path: iam.path,
    },
    {
      internalAccounts: [...snapshot.internalAccounts],
      knownPrincipalArns: arn => {
        const key = roleKeyOfArn(arn);
        return key && snapshot.internalAccounts.has(arn.split(':')[4])
          ? snapshot.roleByKey.has(key)
          : undefined;
      },
    },
  );
  const samePolicy =
    policyHashOf(analysis) === policyHashOf(entry.analysis, iam.trustPolicyRaw);
  return {
    ...entry,
    entity,
    analysis: samePolicy ? entry.analysis : analysis,
  };
}

/**
 * Records archived snapshots (`iamRoles.history.seed`) before the catalog's roles, oldest first: a
 * role gets a version from an archive only when it has none seen at or after the archive's time, so
 * running it again records nothing twice. An archive counts as done (and is not read again, across
 * restarts and replicas) once the catalog holds all its roles, or on a `final` pass (the catalog
 * stopped gaining roles: those missing were deleted since). Returns the versions recorded and whether
 * every archive is done.
 */
export async function seedHistory(options: {
  seeds: HistorySeed[];
  snapshot: TrustSnapshot;
  store: TrustHistoryStore;
  recorder: TrustHistoryRecorder;
  logger: LoggerService;
  final?: boolean;
}): Promise<{ versions: number; done: boolean }> {
  const { seeds, snapshot, store, recorder, logger } = options;
  let total = 0;
  let done = true;
  for (const seed of seeds) {
    const id = `${path.basename(seed.path)}@${seed.at}`;
    if (await store.isSeeded(id)) {
      continue;
    }
    const details = parseAuthorizationDetails(
      await fs.readFile(seed.path, 'utf8'),
    );
    const entries = new Map<string, RoleEntry>();
    for (const record of details.roles) {
      const key = roleKeyOfArn(record.arn);
      const ref = key ? snapshot.roleByKey.get(key) : undefined;
      const entry = ref ? snapshot.roles.get(ref) : undefined;
      if (entry) {
        entries.set(entry.ref, archivedEntry(entry, record, snapshot));
      }
    }
    const result = await recorder.record(entries, {
      at: seed.at,
      before: seed.at,
    });
    const complete = entries.size === details.roles.length || options.final;
    if (complete) {
      await store.markSeeded(
        id,
        DateTime.utc().toISO()!,
        result.inserted.length,
      );
    } else {
      done = false;
    }
    logger.info(
      `Trust history: recorded ${result.inserted.length} versions from the archived snapshot ${id} (${details.roles.length} roles, ${entries.size} in the catalog)`,
    );
    total += result.inserted.length;
  }
  return { versions: total, done };
}
