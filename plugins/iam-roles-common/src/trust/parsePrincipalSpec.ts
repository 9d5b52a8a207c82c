import { isAccountId, parseArn } from './arn';
import { podIdentityContext } from './podIdentity';
import type { PrincipalContext } from './types';

const GITHUB_NAME = /^[A-Za-z0-9_.-]+$/;
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const IDENTITY_CENTER_PREFIXES: Array<[string, 'USER' | 'GROUP']> = [
  ['identity-center-user:', 'USER'],
  ['identity-center-group:', 'GROUP'],
];

function parseGithub(body: string, spec: string): PrincipalContext {
  const at = body.indexOf('@');
  const repoPart = at >= 0 ? body.slice(0, at) : body;
  const refPart = at >= 0 ? body.slice(at + 1) : undefined;
  const [owner, repo, extra] = repoPart.split('/');
  if (
    !owner ||
    !repo ||
    extra !== undefined ||
    !GITHUB_NAME.test(owner) ||
    !GITHUB_NAME.test(repo)
  ) {
    throw new Error(
      `"${spec}" is not a GitHub principal: expected github:OWNER/REPO@REF, e.g. github:acme/api@refs/heads/main`,
    );
  }
  const ctx: Extract<PrincipalContext, { type: 'github' }> = {
    type: 'github',
    owner,
    repo,
  };
  if (refPart === undefined) return ctx;
  if (refPart === '')
    throw new Error(
      `"${spec}": nothing after "@" (expected a ref such as refs/heads/main)`,
    );
  const env = /^(?:environment|env):(.+)$/.exec(refPart);
  if (env) {
    ctx.environment = env[1];
  } else if (refPart === 'pull_request') {
    ctx.pullRequest = true;
  } else if (refPart.startsWith('refs/')) {
    ctx.ref = refPart;
  } else if (refPart.startsWith('tags/') || refPart.startsWith('heads/')) {
    ctx.ref = `refs/${refPart}`;
  } else {
    // A bare branch name, as people write it.
    ctx.ref = `refs/heads/${refPart}`;
  }
  return ctx;
}

/**
 * Parses a principal as people write it: an IAM or STS ARN, a 12-digit account id,
 * `github:OWNER/REPO@REF` (or `@environment:NAME`, `@pull_request`, or no `@` for any ref),
 * `service:NAME`, `rolesanywhere:TRUST_ANCHOR_ARN[@CN=NAME]`, `pod-identity:CLUSTER_ARN/NAMESPACE/SERVICE_ACCOUNT`, `eks:NAMESPACE/SERVICE_ACCOUNT[@PROVIDER]`, `saml:PROVIDER_ARN`, `oidc:PROVIDER_ARN`,
 * `identity-center-user:USER_NAME|EMAIL|USER_ID`, `identity-center-group:DISPLAY_NAME|GROUP_ID`.
 * Throws an Error with a readable message on bad input.
 */
export function parsePrincipalSpec(spec: string): PrincipalContext {
  const s = (spec ?? '').trim();
  if (s === '') throw new Error('The principal is empty');
  if (isAccountId(s)) return { type: 'account', accountId: s };
  const lower = s.toLowerCase();
  if (lower.startsWith('github:')) return parseGithub(s.slice(7), s);
  if (lower.startsWith('service:')) {
    const service = s.slice(8).trim();
    if (!/^[a-z0-9.-]+$/i.test(service)) {
      throw new Error(
        `"${s}" is not a service principal: expected service:NAME, e.g. service:lambda.amazonaws.com`,
      );
    }
    return {
      type: 'service',
      service: service.includes('.') ? service : `${service}.amazonaws.com`,
    };
  }
  if (lower.startsWith('rolesanywhere:')) {
    // rolesanywhere:TRUST_ANCHOR_ARN[@CN=NAME]: a workload presenting a certificate through an anchor.
    const body = s.slice('rolesanywhere:'.length);
    const at = body.indexOf('@');
    const anchor = at >= 0 ? body.slice(0, at) : body;
    const cn = at >= 0 ? /^CN=(.+)$/i.exec(body.slice(at + 1))?.[1] : undefined;
    const arn = parseArn(anchor);
    if (
      !arn ||
      arn.service !== 'rolesanywhere' ||
      !isAccountId(arn.accountId) ||
      !arn.resource.startsWith('trust-anchor/') ||
      (at >= 0 && !cn)
    ) {
      throw new Error(
        `"${s}" is not a Roles Anywhere principal: expected rolesanywhere:arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/ID[@CN=NAME]`,
      );
    }
    return {
      type: 'service',
      service: 'rolesanywhere.amazonaws.com',
      sourceArn: anchor,
      ...(cn ? { principalTags: { 'x509Subject/CN': cn } } : {}),
    };
  }
  if (lower.startsWith('pod-identity:')) {
    // pod-identity:CLUSTER_ARN/NAMESPACE/SERVICE_ACCOUNT: pods of an EKS Pod Identity association.
    const body = s.slice('pod-identity:'.length);
    const parts = body.split('/');
    const [serviceAccount, namespace] = [parts.pop(), parts.pop()];
    const arn = parseArn(parts.join('/'));
    const clusterName = arn?.resource.startsWith('cluster/')
      ? arn.resource.slice('cluster/'.length)
      : undefined;
    if (
      !arn ||
      arn.service !== 'eks' ||
      !isAccountId(arn.accountId) ||
      !arn.region ||
      !clusterName ||
      !namespace ||
      !serviceAccount ||
      !K8S_NAME.test(namespace) ||
      !K8S_NAME.test(serviceAccount)
    ) {
      throw new Error(
        `"${s}" is not a Pod Identity principal: expected pod-identity:arn:aws:eks:REGION:ACCOUNT:cluster/NAME/NAMESPACE/SERVICE_ACCOUNT`,
      );
    }
    return podIdentityContext({
      accountId: arn.accountId,
      region: arn.region,
      clusterName,
      namespace,
      serviceAccount,
      partition: arn.partition,
    });
  }
  for (const [prefix, principalType] of IDENTITY_CENTER_PREFIXES) {
    if (lower.startsWith(prefix)) {
      const name = s.slice(prefix.length).trim();
      if (!name) {
        throw new Error(
          principalType === 'USER'
            ? `"${s}": expected identity-center-user:USER_NAME, EMAIL or USER_ID, e.g. identity-center-user:jane.doe@acme.example`
            : `"${s}": expected identity-center-group:DISPLAY_NAME or GROUP_ID, e.g. identity-center-group:Platform Engineering`,
        );
      }
      return { type: 'identity-center', principalType, name };
    }
  }
  if (lower.startsWith('eks:')) {
    const body = s.slice(4);
    const at = body.indexOf('@');
    const who = at >= 0 ? body.slice(0, at) : body;
    const provider = at >= 0 ? body.slice(at + 1) : undefined;
    const [namespace, serviceAccount, extra] = who.split('/');
    if (
      !namespace ||
      !serviceAccount ||
      extra !== undefined ||
      !K8S_NAME.test(namespace) ||
      !K8S_NAME.test(serviceAccount)
    ) {
      throw new Error(
        `"${s}" is not an EKS service account: expected eks:NAMESPACE/NAME[@PROVIDER_ARN]`,
      );
    }
    return provider
      ? { type: 'eks', namespace, serviceAccount, provider }
      : { type: 'eks', namespace, serviceAccount };
  }
  if (lower.startsWith('saml:')) {
    const provider = s.slice(5);
    if (!parseArn(provider)?.resource.startsWith('saml-provider/')) {
      throw new Error(
        `"${s}" is not a SAML principal: expected saml:arn:aws:iam::ACCOUNT:saml-provider/NAME`,
      );
    }
    return { type: 'saml', provider };
  }
  if (lower.startsWith('oidc:')) {
    const provider = s.slice(5);
    if (provider === '') throw new Error(`"${s}": expected oidc:PROVIDER_ARN`);
    return { type: 'oidc', provider, claims: {} };
  }
  if (lower.startsWith('arn:')) {
    const arn = parseArn(s);
    if (!arn || !isAccountId(arn.accountId)) {
      throw new Error(`"${s}" is not an ARN with a 12-digit account id`);
    }
    const r = arn.resource;
    if (arn.service === 'iam' && r.startsWith('saml-provider/'))
      return { type: 'saml', provider: s };
    if (arn.service === 'iam' && r.startsWith('oidc-provider/'))
      return { type: 'oidc', provider: s, claims: {} };
    const ok =
      (arn.service === 'iam' && (r === 'root' || /^(role|user)\/.+/.test(r))) ||
      (arn.service === 'sts' &&
        /^(assumed-role\/[^/]+\/.+|federated-user\/.+)$/.test(r));
    if (!ok) {
      throw new Error(
        `"${s}" is not a principal ARN: expected …:root, …:role/NAME, …:user/NAME, …:assumed-role/ROLE/SESSION or …:federated-user/NAME`,
      );
    }
    return { type: 'arn', arn: s };
  }
  throw new Error(
    `"${s}" is not a principal: use an IAM or STS ARN, a 12-digit account id, github:OWNER/REPO@REF, service:NAME, identity-center-user:NAME or identity-center-group:NAME`,
  );
}
