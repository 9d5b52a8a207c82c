import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  AssumableRole,
  findIdentityCenterPrincipals,
  IdentityCenterContext,
  IdentityCenterData,
  IdentityCenterGrant,
  IdentityCenterIdentity,
  IdentityCenterPrincipal,
  parsePrincipalSpec,
  PrincipalContext,
} from '@backstage-iam/plugin-iam-roles-common';
import {
  identityCenterKey,
  normalizeRef,
  TrustSnapshot,
} from './TrustSnapshot';

/** What `/lookup` reads, each with an example: the answer to a query that is none of them lists them. */
export const LOOKUP_FORMS = [
  'an IAM or STS ARN (arn:aws:iam::123456789012:role/deploy)',
  'a 12-digit account id, or the name of an account in the catalog (acme-production)',
  'OWNER/REPO or github:OWNER/REPO[@REF] (acme/payments-api, github:acme/payments-api@main)',
  'a service principal (lambda.amazonaws.com, service:lambda)',
  'an OIDC or SAML provider host or ARN (token.actions.githubusercontent.com)',
  'pod-identity:CLUSTER_ARN/NAMESPACE/SERVICE_ACCOUNT or eks:NAMESPACE/SERVICE_ACCOUNT',
  '* or public (the roles anyone can assume)',
  'identity-center-user:USER_NAME or EMAIL (identity-center-user:jane.doe@acme.example)',
  'identity-center-group:DISPLAY_NAME (identity-center-group:Platform Engineering)',
  'a catalog user, group or component (user:default/jane.doe)',
];

/** The accepted forms, as one sentence. */
export function lookupFormsText(): string {
  return `Use ${LOOKUP_FORMS.join('; or ')}.`;
}

/** A lookup query, read. */
export type LookupQuery =
  | { kind: 'entity'; ref: string }
  | { kind: 'public'; query: string }
  | { kind: 'provider'; query: string; provider: string }
  | { kind: 'principal'; query: string; context: PrincipalContext };

// GitHub owner names hold no dots; a repository name may.
const REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9_.-]+(@.+)?$/;

/**
 * Reads a lookup query as people type it, in one place: `*`/`public`, a bare service principal, a
 * catalog entity ref, an account's catalog name, `OWNER/REPO[@REF]`, a provider host or ARN, or any
 * principal spec (`parsePrincipalSpec`). Anything else is an InputError that lists the forms.
 */
export function readLookupQuery(
  q: string,
  snapshot: Pick<TrustSnapshot, 'accountIdByName'>,
): LookupQuery {
  let query = q.trim();
  if (!query) {
    throw new InputError(`q is required. ${lookupFormsText()}`);
  }
  if (query === '*' || query.toLocaleLowerCase('en-US') === 'public') {
    return { kind: 'public', query };
  }
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/i.test(query)) {
    query = `service:${query}`; // a service principal, written bare
  }
  // A catalog user, group or component (an Identity Center user or group maps to one): what the
  // catalog's relations say it can assume — trust policy, Identity Center and Pod Identity alike.
  if (/^(user|group|component):/i.test(query)) {
    return { kind: 'entity', ref: query };
  }
  const account = snapshot.accountIdByName.get(
    query.toLocaleLowerCase('en-US'),
  );
  if (account) {
    // Answered as the account's id would be: `query` says how the name was read.
    return {
      kind: 'principal',
      query: account,
      context: { type: 'account', accountId: account },
    };
  }
  if (REPOSITORY.test(query)) {
    query = `github:${query}`;
  }
  // An OIDC/SAML provider (host or provider ARN): every role that trusts it, whatever the subject.
  const provider =
    /^arn:aws[\w-]*:iam::\d{12}:(oidc|saml)-provider\/(.+)$/.exec(query)?.[2] ??
    (/^[a-z0-9.-]+\.[a-z]{2,}(\/.*)?$/i.test(query) ? query : undefined);
  if (provider) {
    return { kind: 'provider', query, provider };
  }
  try {
    // `github:OWNER/REPO` without a ref stands for any workflow of the repository.
    return { kind: 'principal', query, context: parsePrincipalSpec(query) };
  } catch (error) {
    throw new InputError(
      `Cannot read "${query}" as a principal: ${
        (error as Error).message
      }. ${lookupFormsText()}`,
    );
  }
}

/** `*` / `public`: the roles whose trust policy lets anyone in (a public-trust finding). */
export function publicRoles(snapshot: TrustSnapshot): AssumableRole[] {
  const out: AssumableRole[] = [];
  for (const role of snapshot.roles.values()) {
    const finding = role.analysis.findings.find(f => f.id === 'public-trust');
    if (!finding) continue;
    const p = role.analysis.principals.find(x => x.kind === 'public');
    const conditions = p?.conditions ?? [];
    out.push({
      entityRef: role.ref,
      arn: role.arn,
      title: role.title,
      owner: role.ownerRef || undefined,
      outcome: conditions.length ? 'possible' : 'allowed',
      via: p?.actions.find(a => /AssumeRole/i.test(a)) ?? p?.actions[0],
      conditions,
      findings: role.analysis.findings,
      matchedBy: `public-trust: ${finding.message}`,
      derivedVia: ['trust-policy'],
    });
  }
  return out.sort(
    (a, b) =>
      Number(a.outcome !== 'allowed') - Number(b.outcome !== 'allowed') ||
      a.entityRef.localeCompare(b.entityRef),
  );
}

/** Every role that trusts the OIDC/SAML provider, whatever the subject, with the conditions it sets. */
export function providerRoles(
  snapshot: TrustSnapshot,
  provider: string,
): AssumableRole[] {
  const needle = provider.toLocaleLowerCase('en-US');
  const roles: AssumableRole[] = [];
  for (const role of snapshot.roles.values()) {
    const p = role.analysis.principals.find(
      x =>
        (x.kind === 'oidc' || x.kind === 'saml') &&
        x.id.toLocaleLowerCase('en-US').endsWith(needle),
    );
    if (p) {
      roles.push({
        entityRef: role.ref,
        arn: role.arn,
        title: role.title,
        owner: role.ownerRef || undefined,
        outcome: 'possible',
        via: p.actions.find(a => /AssumeRoleWith/i.test(a)) ?? p.actions[0],
        conditions: p.conditions,
        findings: role.analysis.findings,
        matchedBy: p.id,
        derivedVia: ['trust-policy'],
      });
    }
  }
  return roles;
}

/**
 * The Identity Center users or groups a name stands for, in every instance the catalog knows: by
 * user name, email, id or display name (the engine's rule), or by the catalog User or Group the
 * module matched it to (`identity-center-user:user:default/jane.doe`).
 */
export function findIdentityCenter(
  snapshot: TrustSnapshot,
  context: IdentityCenterContext,
): Array<{ data: IdentityCenterData; principal: IdentityCenterPrincipal }> {
  let ref: string | undefined;
  const kind = context.principalType === 'USER' ? 'user' : 'group';
  if (new RegExp(`^${kind}:`, 'i').test(context.name)) {
    try {
      ref = normalizeRef(context.name);
      if (parseEntityRef(ref).kind !== kind) ref = undefined;
    } catch {
      ref = undefined;
    }
  }
  const out: Array<{
    data: IdentityCenterData;
    principal: IdentityCenterPrincipal;
  }> = [];
  for (const data of snapshot.identityCenter) {
    if (!ref) {
      for (const principal of findIdentityCenterPrincipals(data, context)) {
        out.push({ data, principal });
      }
      continue;
    }
    const ids = new Set<string>();
    for (const [key, p] of snapshot.identityCenterPrincipals) {
      if (
        key.startsWith(`${data.instanceArn} `) &&
        p.principalType === context.principalType &&
        p.entityRef?.toLocaleLowerCase('en-US') === ref
      ) {
        ids.add(p.principalId);
      }
    }
    for (const id of ids) {
      for (const principal of findIdentityCenterPrincipals(data, {
        principalType: context.principalType,
        name: id,
      })) {
        out.push({ data, principal });
      }
    }
  }
  return out;
}

/** An identity-store principal with the catalog match the module recorded (unmatched when none). */
export function identityOf(
  snapshot: TrustSnapshot,
  instanceArn: string,
  principalType: 'USER' | 'GROUP',
  principalId: string,
  name: string,
): IdentityCenterIdentity {
  const p = snapshot.identityCenterPrincipals.get(
    identityCenterKey(instanceArn, principalType, principalId),
  );
  if (!p) {
    return { principalType, principalId, name, status: 'unmatched' };
  }
  return {
    principalType,
    principalId,
    name: p.name,
    ...(p.displayName ? { displayName: p.displayName } : {}),
    ...(p.emails?.length ? { emails: p.emails } : {}),
    status: p.status,
    ...(p.entityRef ? { entityRef: p.entityRef } : {}),
    ...(p.candidates?.length ? { candidates: p.candidates } : {}),
  };
}

/** The `AWSReservedSSO_*` roles of the catalog a grant gives (IAM cuts the set's name at 32 characters). */
export function ssoRolesOf(
  snapshot: TrustSnapshot,
  grant: IdentityCenterGrant,
): string[] {
  const name = grant.permissionSetName;
  return [
    ...new Set([
      ...(snapshot.ssoRoles.get(`${grant.accountId}:${name}`) ?? []),
      ...(snapshot.ssoRoles.get(`${grant.accountId}:${name.slice(0, 32)}`) ??
        []),
    ]),
  ];
}
