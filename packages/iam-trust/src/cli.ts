import { Command, CommanderError, Option } from 'commander';
import {
  analyzeRole,
  applyResourceControlPolicies,
  AttachedResourceControlPolicy,
  EffectiveAccessData,
  EvaluateOptions,
  findIdentityCenterPrincipals,
  IdentityCenterGrant,
  identityCenterGrants,
  identityCenterReach,
  identityCenterRoles,
  parseEffectiveDocument,
  ReachOptions,
  resourceControlPoliciesFor,
  AssumeDecision,
  AuthorizationDetails,
  describeCondition,
  describePrincipal,
  findReach,
  highestSeverity,
  matchWorkload,
  mergeAuthorizationDetails,
  parseAuthorizationDetails,
  parsePrincipalSpec,
  principalKeyOfArn,
  RoleAnalysis,
  RoleRecord,
  SEVERITIES,
  TrustIndex,
  workloadIdentityOfContext,
} from '@backstage-iam/plugin-iam-roles-common';
import { renderTable, wrap } from './renderTable';

/** What the CLI needs from its surroundings (injected so that tests run it in-process). */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readFile: (path: string) => string;
}

/** Exit code for unusable input (unreadable file, bad principal, bad option). */
export const EXIT_USAGE = 2;

class InputFailure extends Error {}

interface LoadedRole {
  record: RoleRecord;
  analysis: RoleAnalysis;
}

/**
 * Reads the files; several are merged so that an account read twice (two exports of it) gives each
 * role once, with a warning on stderr naming the account.
 */
function loadFiles(files: string[], io: CliIo): AuthorizationDetails[] {
  const reads = readFiles(files, io);
  if (reads.length < 2) return reads;
  const merged = mergeAuthorizationDetails(reads);
  for (const w of merged.warnings) io.stderr(`iam-trust: warning: ${w}\n`);
  return [merged];
}

function readFiles(files: string[], io: CliIo): AuthorizationDetails[] {
  return files.map(file => {
    let text: string;
    try {
      text = io.readFile(file);
    } catch (e) {
      throw new InputFailure(`cannot read ${file}: ${(e as Error).message}`);
    }
    try {
      return parseAuthorizationDetails(text);
    } catch (e) {
      throw new InputFailure(`cannot use ${file}: ${(e as Error).message}`);
    }
  });
}

function parseAccountList(value: string | undefined): string[] {
  if (!value) return [];
  const ids = value
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
  for (const id of ids) {
    if (!/^\d{12}$/.test(id)) {
      throw new InputFailure(
        `--internal-accounts: "${id}" is not a 12-digit account id`,
      );
    }
  }
  return ids;
}

function analyzeAll(
  details: AuthorizationDetails[],
  extraInternal: string[],
): LoadedRole[] {
  const internal = [
    ...new Set([...details.flatMap(d => d.accountIds), ...extraInternal]),
  ];
  const known = new Set<string>();
  const accountsWithRoles = new Set<string>();
  const accountsWithUsers = new Set<string>();
  // Role and user names are unique per account whatever the path: compare account, type and name.
  for (const d of details) {
    for (const arn of d.principalArns) {
      const p = principalKeyOfArn(arn);
      if (!p) continue;
      known.add(`${p.type}:${p.key}`);
      (p.type === 'role' ? accountsWithRoles : accountsWithUsers).add(
        p.accountId,
      );
    }
  }
  const knownPrincipalArns = (arn: string): boolean | undefined => {
    const p = principalKeyOfArn(arn);
    if (!p) return undefined;
    // Only an account whose inventory we hold can tell that a principal is missing.
    const listed = p.type === 'role' ? accountsWithRoles : accountsWithUsers;
    return listed.has(p.accountId)
      ? known.has(`${p.type}:${p.key}`)
      : undefined;
  };
  return details.flatMap(d =>
    d.roles.map(record => ({
      record,
      analysis: analyzeRole(
        {
          arn: record.arn,
          trustPolicy: record.assumeRolePolicyDocument,
          name: record.roleName,
          path: record.path,
        },
        { internalAccounts: internal, knownPrincipalArns },
      ),
    })),
  );
}

function checkFormat(format: string): 'json' | 'table' {
  if (format !== 'json' && format !== 'table') {
    throw new InputFailure(`--format must be json or table, not "${format}"`);
  }
  return format;
}

function analyzeCommand(
  files: string[],
  opts: { internalAccounts?: string; format: string },
  io: CliIo,
) {
  const format = checkFormat(opts.format);
  const extra = parseAccountList(opts.internalAccounts);
  const details = loadFiles(files, io);
  const roles = analyzeAll(details, extra);
  if (format === 'json') {
    const out = {
      roles: roles.map(({ analysis }) => ({
        arn: analysis.arn,
        accountId: analysis.accountId,
        name: analysis.name,
        principals: analysis.principals.map(p => ({
          kind: p.kind,
          id: p.id,
          actions: p.actions,
          conditions: p.conditions,
        })),
        findings: analysis.findings.map(f => ({
          id: f.id,
          severity: f.severity,
          message: f.message,
        })),
      })),
    };
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const internal = [
    ...new Set([...details.flatMap(d => d.accountIds), ...extra]),
  ];
  const rows = roles.map(({ analysis }) => [
    `${analysis.accountId} ${analysis.path}${analysis.name}`,
    highestSeverity(analysis.findings),
    analysis.principals
      .map(p => wrap(describePrincipal(p, { internalAccounts: internal }), 60))
      .join('\n') || '(nobody)',
    analysis.findings.map(f => `${f.severity} ${f.id}`).join('\n'),
  ]);
  io.stdout(renderTable(['ACCOUNT ROLE', 'WORST', 'TRUSTS', 'FINDINGS'], rows));
  const counts = new Map<string, number>();
  for (const { analysis } of roles) {
    for (const f of analysis.findings)
      counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  }
  const summary = SEVERITIES.map(s => `${counts.get(s) ?? 0} ${s}`).join(', ');
  io.stdout(`\n${roles.length} roles; findings: ${summary}\n`);
}

function canAssumeCommand(
  files: string[],
  opts: { principal: string; format: string },
  io: CliIo,
) {
  const format = checkFormat(opts.format);
  let principal;
  try {
    principal = parsePrincipalSpec(opts.principal);
  } catch (e) {
    throw new InputFailure(`--principal: ${(e as Error).message}`);
  }
  if (principal.type === 'identity-center') {
    // Its roles come from its account assignments, not from trust policies: reach reads them.
    throw new InputFailure(
      `--principal ${opts.principal}: use iam-trust reach --identity-center FILE for an Identity Center principal`,
    );
  }
  const details = loadFiles(files, io);
  const roles = analyzeAll(details, []);
  const index = TrustIndex.build(
    roles.map(r => ({ key: r.analysis.arn, analysis: r.analysis })),
  );
  let matches: Array<{ key: string; decision: AssumeDecision }>;
  try {
    matches = index.lookup(principal);
  } catch (e) {
    throw new InputFailure(`--principal: ${(e as Error).message}`);
  }
  // github:OWNER/REPO without a ref: ask as the catalog does (the default branch, then each ref,
  // environment and pull-request subject the role names), so a role open to one of them says yes.
  const identity = workloadIdentityOfContext(principal);
  if (identity) {
    const byArn = new Map(roles.map(r => [r.analysis.arn, r.analysis]));
    matches = matches.map(m => {
      const analysis = byArn.get(m.key);
      const best = analysis ? matchWorkload(analysis, identity) : undefined;
      return best ? { key: m.key, decision: best.decision } : m;
    });
  }
  if (format === 'json') {
    const out = {
      principal: opts.principal,
      roles: matches.map(m => ({
        arn: m.key,
        via: m.decision.via,
        conditions: m.decision.conditions,
      })),
    };
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const rows = matches.map(m => [
    m.key,
    m.decision.via ?? '',
    m.decision.outcome === 'allowed' ? 'yes' : 'possible, if',
    m.decision.conditions.map(c => wrap(describeCondition(c), 60)).join('\n'),
  ]);
  io.stdout(renderTable(['ROLE', 'VIA', 'CAN ASSUME', 'CONDITIONS'], rows));
  io.stdout(
    `\n${opts.principal} can assume ${
      matches.filter(m => m.decision.outcome === 'allowed').length
    } role(s); ` +
      `${
        matches.filter(m => m.decision.outcome === 'possible').length
      } more under conditions.\n`,
  );
}

function parseDepth(value: string): number {
  const depth = Number(value);
  if (!Number.isInteger(depth) || depth < 1 || depth > 10) {
    throw new InputFailure(
      `--max-depth must be a whole number from 1 to 10, not "${value}"`,
    );
  }
  return depth;
}

/** Reads an effective-access snapshot (the catalog module's format) of the kind an option wants. */
function readEffective<K extends EffectiveAccessData['kind']>(
  file: string,
  option: string,
  kind: K,
  io: CliIo,
): Extract<EffectiveAccessData, { kind: K }> {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (e) {
    throw new InputFailure(
      `${option}: cannot read ${file}: ${(e as Error).message}`,
    );
  }
  let data: EffectiveAccessData | undefined;
  try {
    data = parseEffectiveDocument(JSON.parse(text));
  } catch (e) {
    throw new InputFailure(
      `${option}: cannot use ${file}: ${(e as Error).message}`,
    );
  }
  if (data?.kind !== kind) {
    throw new InputFailure(
      `${option}: ${file} is ${
        data ? `an ${data.kind} snapshot` : 'not an effective-access snapshot'
      }, not an ${kind} snapshot (see the catalog module's README, "Effective access")`,
    );
  }
  return data as Extract<EffectiveAccessData, { kind: K }>;
}

/** A hop an RCP closes: who asked, the role, and the policy statement that denies. */
interface Closure {
  from: string;
  arn: string;
  policyId: string;
  policyName: string;
  sid?: string;
  message: string;
}

function reachCommand(
  files: string[],
  opts: {
    principal: string;
    maxDepth: string;
    format: string;
    organizations?: string;
    identityCenter?: string;
  },
  io: CliIo,
) {
  const format = checkFormat(opts.format);
  const maxDepth = parseDepth(opts.maxDepth);
  let principal;
  try {
    principal = parsePrincipalSpec(opts.principal);
  } catch (e) {
    throw new InputFailure(`--principal: ${(e as Error).message}`);
  }
  if (principal.type === 'identity-center' && !opts.identityCenter) {
    throw new InputFailure(
      `--principal ${opts.principal}: an Identity Center principal needs the Identity Center snapshot (--identity-center FILE)`,
    );
  }
  const org = opts.organizations
    ? readEffective(
        opts.organizations,
        '--organizations',
        'aws-organizations-rcp',
        io,
      )
    : undefined;
  const identityCenter = opts.identityCenter
    ? readEffective(
        opts.identityCenter,
        '--identity-center',
        'aws-identity-center',
        io,
      )
    : undefined;
  const roles = analyzeAll(loadFiles(files, io), []);
  const index = TrustIndex.build(
    roles.map(r => ({ key: r.analysis.arn, analysis: r.analysis })),
  );
  // The first hop of github:OWNER/REPO without a ref is asked as can-assume asks it.
  const identity = workloadIdentityOfContext(principal);
  const byArn = new Map(roles.map(r => [r.analysis.arn, r.analysis]));
  const first = principal;
  // The organisation's snapshot places its accounts: a session of one of their roles has that
  // aws:PrincipalOrgID, for the trust policies and the RCPs alike.
  const evaluate: EvaluateOptions | undefined = org?.organizationId
    ? {
        organizationOf: account =>
          org.accountParents[account] ? org.organizationId : undefined,
      }
    : undefined;
  const policiesOf = new Map<string, AttachedResourceControlPolicy[]>();
  const closures: Closure[] = [];
  const refine: ReachOptions['refine'] = (match, caller, arn) => {
    const analysis = byArn.get(match.key);
    let decision = match.decision;
    if (identity && caller === first) {
      decision =
        (analysis && matchWorkload(analysis, identity)?.decision) ?? decision;
    }
    if (!org || !analysis) return decision;
    let policies = policiesOf.get(analysis.accountId);
    if (!policies) {
      policies = resourceControlPoliciesFor(org, analysis.accountId);
      policiesOf.set(analysis.accountId, policies);
    }
    if (policies.length === 0) return decision;
    const checked = applyResourceControlPolicies({
      decision,
      principal: caller,
      roleArn: arn ?? analysis.arn,
      policies,
      options: evaluate,
    });
    if (checked.deniedBy) {
      closures.push({
        from: caller.type === 'arn' ? caller.arn : opts.principal,
        arn: analysis.arn,
        policyId: checked.deniedBy.policyId,
        policyName: checked.deniedBy.policyName,
        ...(checked.deniedBy.sid ? { sid: checked.deniedBy.sid } : {}),
        message: checked.deniedBy.message,
      });
    }
    return checked;
  };
  let result;
  let grants: IdentityCenterGrant[] | undefined;
  try {
    if (principal.type === 'identity-center') {
      const found = findIdentityCenterPrincipals(identityCenter!, principal);
      if (found.length !== 1) {
        throw new InputFailure(
          found.length === 0
            ? `--principal ${opts.principal}: no such ${
                principal.principalType === 'USER' ? 'user' : 'group'
              } in ${
                opts.identityCenter
              } (a user by user name, email or id; a group by display name or id)`
            : `--principal ${opts.principal}: ${found.length} ${
                principal.principalType === 'USER' ? 'users' : 'groups'
              } have that name; give the user name, email or id of one`,
        );
      }
      grants = identityCenterGrants(identityCenter!, found[0]);
      const firstHops = identityCenterRoles(
        grants,
        roles.map(r => ({ key: r.analysis.arn, analysis: r.analysis })),
        evaluate,
      );
      result = identityCenterReach(index, principal, firstHops, {
        maxDepth,
        refine,
        evaluate,
      });
    } else {
      result = findReach(index, principal, { maxDepth, refine, evaluate });
    }
  } catch (e) {
    if (e instanceof InputFailure) throw e;
    throw new InputFailure(`--principal: ${(e as Error).message}`);
  }
  if (format === 'json') {
    const out = {
      principal: opts.principal,
      maxDepth: result.maxDepth,
      truncated: result.truncated,
      ...(grants
        ? {
            identityCenter: grants.map(g => ({
              accountId: g.accountId,
              permissionSet: g.permissionSetName,
              assignedTo: `${
                g.assignedTo.principalType === 'USER' ? 'user' : 'group'
              } ${g.assignedTo.name}`,
            })),
          }
        : {}),
      roles: result.roles.map(r => ({
        arn: r.arn ?? r.key,
        depth: r.depth,
        outcome: r.outcome,
        paths: r.paths.map(path => ({
          outcome: path.outcome,
          hops: path.hops.map(h => ({
            arn: h.arn ?? h.key,
            via: h.via,
            outcome: h.outcome,
            conditions: h.conditions,
          })),
        })),
      })),
      ...(org ? { closedByRcp: closures } : {}),
    };
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const rows = result.roles.map(r => {
    const path = r.paths[0];
    return [
      r.arn ?? r.key,
      String(r.depth),
      r.outcome === 'allowed' ? 'yes' : 'possible, if',
      path.hops
        .map(h => {
          const conditions = h.conditions
            .map(c => wrap(describeCondition(c), 56))
            .join('; ');
          return `→ ${h.arn ?? h.key}${
            conditions ? ` (if ${conditions})` : ''
          }`;
        })
        .join('\n'),
    ];
  });
  io.stdout(renderTable(['ROLE', 'HOPS', 'REACHES', 'SHORTEST PATH'], rows));
  const direct = result.roles.filter(r => r.depth === 1).length;
  io.stdout(
    `\n${opts.principal} reaches ${result.roles.length} role(s) within ${
      result.maxDepth
    } hop(s): ${direct} directly, ${
      result.roles.length - direct
    } by role chaining; ${
      result.roles.filter(r => r.outcome === 'possible').length
    } only under conditions.${
      result.truncated ? ' The list is cut (too many roles).' : ''
    }\n`,
  );
  if (grants) {
    io.stdout(
      `Through Identity Center: ${
        grants
          .map(
            g =>
              `${g.permissionSetName} in ${g.accountId} (assigned to ${
                g.assignedTo.principalType === 'USER' ? 'user' : 'group'
              } ${g.assignedTo.name})`,
          )
          .join(', ') || 'no assignments'
      }.\n`,
    );
  }
  for (const c of closures) {
    io.stdout(
      `Closed by RCP ${c.policyName} (${c.policyId}${
        c.sid ? `, statement ${c.sid}` : ''
      }): ${c.from} → ${c.arn}\n`,
    );
  }
}

/** Runs the CLI with the given arguments (without `node` and the script); resolves to the exit code. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const program = new Command('iam-trust')
    .description(
      'Who can assume which AWS IAM role, and what is risky, from get-account-authorization-details output',
    )
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  const format = () =>
    new Option(
      '--format <format>',
      'output: json (for tools) or table (for people)',
    ).default('json');

  program
    .command('analyze')
    .description(
      'List the principals each role trusts and the risky ones (findings)',
    )
    .argument(
      '<files...>',
      'get-account-authorization-details output (AWS CLI or raw API form)',
    )
    .option(
      '--internal-accounts <ids>',
      'comma-separated account ids that also count as internal',
    )
    .addOption(format())
    .action((files: string[], opts) => analyzeCommand(files, opts, io));

  program
    .command('can-assume')
    .description(
      'List the roles a principal can assume (including those it may assume under conditions)',
    )
    .requiredOption(
      '--principal <principal>',
      'an IAM or STS ARN, a 12-digit account id, github:OWNER/REPO[@REF], eks:NS/SA[@PROVIDER], pod-identity:CLUSTER_ARN/NS/SA, service:NAME or rolesanywhere:TRUST_ANCHOR_ARN[@CN=NAME]',
    )
    .argument(
      '<files...>',
      'get-account-authorization-details output (AWS CLI or raw API form)',
    )
    .addOption(format())
    .action((files: string[], opts) => canAssumeCommand(files, opts, io));

  program
    .command('reach')
    .description(
      'List the roles a principal reaches through role chaining (it assumes a role that can assume the next), with each path',
    )
    .requiredOption(
      '--principal <principal>',
      'as for can-assume (an ARN, account id, github:OWNER/REPO[@REF], eks:NS/SA[@PROVIDER], service:NAME…), or identity-center-user:NAME|EMAIL / identity-center-group:NAME with --identity-center',
    )
    .option('--max-depth <hops>', 'how many hops to follow (1–10)', '5')
    .option(
      '--organizations <file>',
      "Organizations RCP snapshot (the catalog module's aws-organizations-rcp format): a hop an RCP denies is closed, and named",
    )
    .option(
      '--identity-center <file>',
      "Identity Center snapshot (the catalog module's aws-identity-center format), for --principal identity-center-user:NAME|EMAIL or identity-center-group:NAME",
    )
    .argument(
      '<files...>',
      'get-account-authorization-details output (AWS CLI or raw API form)',
    )
    .addOption(format())
    .action((files: string[], opts) => reachCommand(files, opts, io));

  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof InputFailure) {
      io.stderr(`iam-trust: ${e.message}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof CommanderError) {
      // commander has already written its message
      return e.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    io.stderr(`iam-trust: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}
