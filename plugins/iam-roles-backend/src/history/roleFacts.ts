import { createHash } from 'node:crypto';
import {
  canonicalTrustPolicy,
  describePrincipal,
  findingTitle,
  highestSeverity,
  NormalizedPolicy,
  RoleAnalysis,
  Severity,
  severityRank,
  toPolicyDocument,
} from '@backstage-iam/plugin-iam-roles-common';
import type { RoleEntry } from '../service/TrustSnapshot';

/** A principal a version of the trust policy lets in, in words. */
export interface VersionPrincipal {
  kind: string;
  id: string;
  /** What a person reads: e.g. "GitHub Actions in acme/api on branch main". */
  description: string;
}

/** A finding of a version, as the engine reported it. */
export interface VersionFinding {
  id: string;
  severity: string;
  title: string;
  message?: string;
  principal?: string;
}

/** Everything a version records about a role: who its trust lets in, what is risky, and the other facts that change access. */
export interface RoleFacts {
  policyHash: string;
  /** The trust policy as an IAM JSON document (from the normalised policy), or the text as read when unreadable. */
  policy: string;
  principals: VersionPrincipal[];
  findings: VersionFinding[];
  ownerRef: string;
  /** Attached managed policy ARNs and `inline:NAME` for inline policies, sorted. */
  policies: string[];
  permissionsBoundary?: string;
  /** Identity Center assignments, `PERMISSION_SET: GROUP|USER name`, sorted. */
  identityCenter: string[];
}

/** What changed between two versions (empty lists when nothing did). */
export interface VersionChanges {
  /** Which facts changed: trust-policy, findings, owner, policies, permissions-boundary, identity-center. */
  changed: string[];
  principalsAdded: VersionPrincipal[];
  principalsRemoved: VersionPrincipal[];
  findingsAppeared: VersionFinding[];
  findingsGone: VersionFinding[];
  owner?: { from?: string; to: string };
  policiesAttached: string[];
  policiesDetached: string[];
  permissionsBoundary?: { from?: string; to?: string };
  identityCenterAdded: string[];
  identityCenterRemoved: string[];
}

const sha256 = (text: string) =>
  createHash('sha256').update(text).digest('hex');

// An unchanged policy is the same object from one pass to the next (the trust service's analysis
// cache hands it out again), so its canonical text and hash are computed once.
const policyHashes = new WeakMap<NormalizedPolicy, string>();

/** The hash of a role's canonical trust policy (of the text as read when it could not be parsed). */
export function policyHashOf(analysis: RoleAnalysis, raw?: string): string {
  if (!analysis.policy) {
    return sha256(`unreadable:${raw ?? ''}`);
  }
  const held = policyHashes.get(analysis.policy);
  if (held) {
    return held;
  }
  const hash = sha256(canonicalTrustPolicy(analysis.policy));
  policyHashes.set(analysis.policy, hash);
  return hash;
}

const findingKey = (f: { id: string; principal?: string }) =>
  `${f.id}\u0000${f.principal ?? ''}`;
const principalKey = (p: VersionPrincipal) =>
  `${p.kind}\u0000${p.id}\u0000${p.description}`;

function otherFacts(entry: RoleEntry) {
  const iam = entry.entity.spec.iam;
  const policies = [
    ...(iam.attachedManagedPolicies ?? []).map(p => p.arn),
    ...(iam.inlinePolicyNames ?? []).map(n => `inline:${n}`),
  ].sort();
  const identityCenter = (iam.identityCenter ?? [])
    .flatMap(a =>
      a.principals.map(
        p => `${a.permissionSetName}: ${p.principalType} ${p.name}`,
      ),
    )
    .sort();
  return {
    ownerRef: entry.ownerRef,
    policies,
    permissionsBoundary: iam.permissionsBoundary || undefined,
    identityCenter: [...new Set(identityCenter)],
  };
}

/** What a fingerprint was computed from, to tell cheaply whether the next pass's entry is the same. */
export interface FingerprintMemo {
  policy: unknown;
  findings: string;
  others: string;
  fingerprint: string;
}

// Order-sensitive on purpose: a reordered list only misses the memo, and the full fingerprint sorts.
function memoKeys(entry: RoleEntry): { findings: string; others: string } {
  const iam = entry.entity.spec.iam;
  let findings = '';
  for (const f of entry.analysis.findings) {
    findings += `${f.id}\u0000${f.principal ?? ''}\u0000${f.severity}\u0001`;
  }
  let others = `${entry.ownerRef}\u0000${iam.permissionsBoundary ?? ''}\u0000${
    iam.trustPolicyRaw ?? ''
  }`;
  for (const p of iam.attachedManagedPolicies ?? []) others += `\u0001${p.arn}`;
  for (const n of iam.inlinePolicyNames ?? []) others += `\u0002${n}`;
  for (const a of iam.identityCenter ?? []) {
    others += `\u0003${a.permissionSetName}`;
    for (const p of a.principals) others += `\u0004${p.principalType}${p.name}`;
  }
  return { findings, others };
}

/**
 * The fingerprint of a role, reusing `memo` when the entry has the same analysed policy (the trust
 * service's cache hands the same object out while a policy is unchanged) and the same findings and
 * facts: then no sorting and no hashing. Returns the memo for the next pass.
 */
export function memoizedFingerprint(
  entry: RoleEntry,
  memo: FingerprintMemo | undefined,
): FingerprintMemo {
  const policy = entry.analysis.policy ?? entry.entity.spec.iam.trustPolicyRaw;
  const keys = memoKeys(entry);
  if (
    memo &&
    memo.policy === policy &&
    memo.findings === keys.findings &&
    memo.others === keys.others
  ) {
    return memo;
  }
  return { policy, ...keys, fingerprint: fingerprintOf(entry) };
}

/**
 * The fingerprint of a role as of this pass: a hash over the policy hash, the findings and the other
 * facts. Cheap (no descriptions), so it runs for every role of every pass; the full facts are built
 * only for the roles whose fingerprint differs from their last version.
 */
export function fingerprintOf(entry: RoleEntry): string {
  const policyHash = policyHashOf(
    entry.analysis,
    entry.entity.spec.iam.trustPolicyRaw,
  );
  const findings = entry.analysis.findings
    .map(f => `${findingKey(f)}\u0000${f.severity}`)
    .sort();
  return sha256(JSON.stringify([policyHash, findings, otherFacts(entry)]));
}

/** The facts of a role entry, from the analysis it already carries (no second analysis). */
export function factsOf(entry: RoleEntry): RoleFacts {
  const raw = entry.entity.spec.iam.trustPolicyRaw;
  const policyHash = policyHashOf(entry.analysis, raw);
  const principals = new Map<string, VersionPrincipal>();
  for (const p of entry.analysis.principals) {
    const v = { kind: p.kind, id: p.id, description: describePrincipal(p) };
    principals.set(principalKey(v), v);
  }
  const findings = new Map<string, VersionFinding>();
  for (const f of entry.analysis.findings) {
    findings.set(findingKey(f), {
      id: f.id,
      severity: f.severity,
      title: findingTitle(f.id),
      message: f.message,
      principal: f.principal,
    });
  }
  return {
    policyHash,
    policy: entry.analysis.policy
      ? JSON.stringify(toPolicyDocument(entry.analysis.policy))
      : raw ?? '',
    principals: [...principals.values()].sort((a, b) =>
      principalKey(a).localeCompare(principalKey(b)),
    ),
    findings: [...findings.values()].sort(
      (a, b) =>
        severityRank(a.severity) - severityRank(b.severity) ||
        findingKey(a).localeCompare(findingKey(b)),
    ),
    ...otherFacts(entry),
  };
}

function minus<T>(a: T[], b: T[], key: (t: T) => string): T[] {
  const keys = new Set(b.map(key));
  return a.filter(x => !keys.has(key(x)));
}

const same = (a: string[], b: string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** What changed from `before` (absent for a role's first version) to `after`. */
export function diffFacts(
  before: RoleFacts | undefined,
  after: RoleFacts,
): VersionChanges {
  const prev: RoleFacts = before ?? {
    policyHash: '',
    policy: '',
    principals: [],
    findings: [],
    ownerRef: '',
    policies: [],
    identityCenter: [],
  };
  const id = (s: string) => s;
  const changes: VersionChanges = {
    changed: [],
    principalsAdded: minus(after.principals, prev.principals, principalKey),
    principalsRemoved: minus(prev.principals, after.principals, principalKey),
    findingsAppeared: minus(after.findings, prev.findings, findingKey),
    findingsGone: minus(prev.findings, after.findings, findingKey),
    policiesAttached: minus(after.policies, prev.policies, id),
    policiesDetached: minus(prev.policies, after.policies, id),
    identityCenterAdded: minus(after.identityCenter, prev.identityCenter, id),
    identityCenterRemoved: minus(prev.identityCenter, after.identityCenter, id),
  };
  if (prev.policyHash !== after.policyHash)
    changes.changed.push('trust-policy');
  if (changes.findingsAppeared.length || changes.findingsGone.length) {
    changes.changed.push('findings');
  }
  if (prev.ownerRef !== after.ownerRef) {
    changes.changed.push('owner');
    changes.owner = { from: prev.ownerRef || undefined, to: after.ownerRef };
  }
  if (!same(prev.policies, after.policies)) changes.changed.push('policies');
  if (prev.permissionsBoundary !== after.permissionsBoundary) {
    changes.changed.push('permissions-boundary');
    changes.permissionsBoundary = {
      from: prev.permissionsBoundary,
      to: after.permissionsBoundary,
    };
  }
  if (!same(prev.identityCenter, after.identityCenter)) {
    changes.changed.push('identity-center');
  }
  return changes;
}

/** Changes of a version that changed no fact (a `removed` version keeps the last facts). */
export function noChanges(): VersionChanges {
  return {
    changed: [],
    principalsAdded: [],
    principalsRemoved: [],
    findingsAppeared: [],
    findingsGone: [],
    policiesAttached: [],
    policiesDetached: [],
    identityCenterAdded: [],
    identityCenterRemoved: [],
  };
}

/** The worst severity among the findings a change brought, or `none`. */
export function introducedSeverity(changes: VersionChanges): Severity | 'none' {
  return highestSeverity(
    changes.findingsAppeared as Array<{ severity: Severity }>,
  );
}

/** One line in words of what a version changed, for notifications, the auditor and exports. */
export function summarize(kind: string, changes: VersionChanges): string {
  if (kind === 'baseline') {
    return 'First recorded.';
  }
  if (kind === 'removed') {
    return 'Gone from the catalog: deleted in IAM, or its account is no longer read.';
  }
  const parts: string[] = kind === 'created' ? ['New role.'] : [];
  const list = (items: string[]) => items.join('; ');
  if (changes.principalsAdded.length) {
    parts.push(
      `Now trusts ${list(changes.principalsAdded.map(p => p.description))}.`,
    );
  }
  if (changes.principalsRemoved.length) {
    parts.push(
      `No longer trusts ${list(
        changes.principalsRemoved.map(p => p.description),
      )}.`,
    );
  }
  if (
    changes.changed.includes('trust-policy') &&
    !changes.principalsAdded.length &&
    !changes.principalsRemoved.length
  ) {
    parts.push(
      'The trust policy changed (conditions or actions), not who it names.',
    );
  }
  if (changes.findingsAppeared.length) {
    parts.push(
      `New findings: ${list(
        changes.findingsAppeared.map(f => `${f.title} (${f.severity})`),
      )}.`,
    );
  }
  if (changes.findingsGone.length) {
    parts.push(`Resolved: ${list(changes.findingsGone.map(f => f.title))}.`);
  }
  if (changes.owner) {
    parts.push(
      `Owner ${changes.owner.from ?? 'none'} → ${changes.owner.to || 'none'}.`,
    );
  }
  if (changes.policiesAttached.length) {
    parts.push(`Policies attached: ${list(changes.policiesAttached)}.`);
  }
  if (changes.policiesDetached.length) {
    parts.push(`Policies detached: ${list(changes.policiesDetached)}.`);
  }
  if (changes.permissionsBoundary) {
    parts.push(
      `Permissions boundary ${changes.permissionsBoundary.from ?? 'none'} → ${
        changes.permissionsBoundary.to ?? 'none'
      }.`,
    );
  }
  if (changes.identityCenterAdded.length) {
    parts.push(
      `Identity Center assignments added: ${list(
        changes.identityCenterAdded,
      )}.`,
    );
  }
  if (changes.identityCenterRemoved.length) {
    parts.push(
      `Identity Center assignments removed: ${list(
        changes.identityCenterRemoved,
      )}.`,
    );
  }
  return parts.join(' ') || 'No change in words.';
}
