/* eslint-disable no-console */
/**
 * `yarn bench:reach`: role-chain reach to depth 5 over 50,000 roles of which 5% trust other roles,
 * through the TrustIndex against the same breadth-first search with a linear scan per hop (every
 * policy evaluated for every role expanded). The last line holds the figures as key=value pairs;
 * `reach_vs_scan` is the median per-query ratio of index time to scan time (target ≤ 0.05, i.e. 1/20).
 */
import {
  analyzeRole,
  findReach,
  parseAuthorizationDetails,
  PrincipalContext,
  RoleAnalysis,
  TrustIndex,
} from '../src';
import { createRandom, generateSnapshot } from './generateSnapshot';
import { bestOf, median, time } from './timing';

const ROLES = 50_000;
const ROLE_TRUST_SHARE = 0.05;
const DEPTH = 5;

interface RawStatement {
  Effect?: string;
  Action?: string | string[];
  Condition?: Record<string, Record<string, string>>;
  Principal?: { AWS?: string | string[]; Service?: string };
}

interface RawRole {
  Arn: string;
  AssumeRolePolicyDocument: { Statement: RawStatement | RawStatement[] };
}

function statementsOf(
  doc: RawRole['AssumeRolePolicyDocument'],
): RawStatement[] {
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

function trustsRole(analysis: RoleAnalysis): boolean {
  return analysis.principals.some(
    p => p.kind === 'role' || p.kind === 'assumed-role',
  );
}

function analyze(raw: RawRole[]): RoleAnalysis[] {
  const { roles } = parseAuthorizationDetails({ RoleDetailList: raw });
  return roles.map(r =>
    analyzeRole({
      arn: r.arn,
      trustPolicy: r.assumeRolePolicyDocument,
      name: r.roleName,
      path: r.path,
    }),
  );
}

function main() {
  const generated = generateSnapshot({
    roles: ROLES,
    accounts: Math.round(ROLES / 400),
    repositories: Math.round(ROLES / 20),
  });
  const raw = generated.snapshot.RoleDetailList as RawRole[];
  const random = createRandom(7);

  // The generator's deploy roles trust tooling roles (about 10% of all roles, a star one hop deep).
  // 5% of all roles keep a role trust and gain a trust of two others of them, so chains run from
  // tooling roles through deploy roles up to the depth and loop back on themselves; a quarter of those
  // trusts hold on a principal tag (unknown to the engine, so the hop is possible). The other deploy
  // roles trust CodeBuild instead.
  const before = analyze(raw);
  const withRoleTrust = raw.map((_, i) => i).filter(i => trustsRole(before[i]));
  for (let i = withRoleTrust.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [withRoleTrust[i], withRoleTrust[j]] = [withRoleTrust[j], withRoleTrust[i]];
  }
  const wanted = Math.round(ROLES * ROLE_TRUST_SHARE);
  const chain = withRoleTrust.slice(0, wanted);
  for (const i of withRoleTrust.slice(wanted)) {
    for (const st of statementsOf(raw[i].AssumeRolePolicyDocument)) {
      if (st.Principal?.AWS !== undefined)
        st.Principal = { Service: 'codebuild.amazonaws.com' };
    }
  }
  for (const i of chain) {
    const doc = raw[i].AssumeRolePolicyDocument;
    const next = [0, 1].map(
      () => raw[chain[Math.floor(random() * chain.length)]].Arn,
    );
    doc.Statement = [
      ...statementsOf(doc),
      {
        Effect: 'Allow',
        Principal: { AWS: next },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        ...(random() < 0.25
          ? {
              Condition: {
                StringEquals: { 'aws:PrincipalTag/team': 'platform' },
              },
            }
          : {}),
      },
    ];
  }
  const analyses = analyze(raw);
  const roleTrusts = analyses.filter(trustsRole).length;
  const built = time(() =>
    TrustIndex.build(analyses.map(a => ({ key: a.arn, analysis: a }))),
  );
  const index = built.result;
  const scan = { lookup: index.scan.bind(index) };

  // Starting points of an incident: sessions of chain roles and of tooling roles, and CI tokens.
  const principals: PrincipalContext[] = [];
  for (let i = 0; i < 14; i++)
    principals.push({
      type: 'arn',
      arn: raw[chain[(i * 97) % chain.length]].Arn,
    });
  const tooling = analyses
    .filter(a => /tooling|deploy|ci/i.test(a.name))
    .map(a => a.arn);
  for (let i = 0; i < 3 && tooling.length > 0; i++)
    principals.push({ type: 'arn', arn: tooling[(i * 31) % tooling.length] });
  for (let i = 0; i < 3; i++) {
    const [owner, repo] =
      generated.repositories[(i * 37) % generated.repositories.length].split(
        '/',
      );
    principals.push({ type: 'github', owner, repo, ref: 'refs/heads/main' });
  }

  const ratios: number[] = [];
  let reachMs = 0;
  let scanMs = 0;
  let reached = 0;
  let expanded = 0;
  let deepest = 0;
  let possible = 0;
  // Warm both paths so that neither pays for the JIT in its timings.
  findReach(index, principals[0], { maxDepth: DEPTH });
  findReach(scan, principals[0], { maxDepth: DEPTH });
  for (const p of principals) {
    const fast = bestOf(3, () => findReach(index, p, { maxDepth: DEPTH }));
    const slow = bestOf(2, () => findReach(scan, p, { maxDepth: DEPTH }));
    if (JSON.stringify(fast.result) !== JSON.stringify(slow.result)) {
      throw new Error(`index and scan disagree for ${JSON.stringify(p)}`);
    }
    reachMs += fast.ms;
    scanMs += slow.ms;
    ratios.push(fast.ms / slow.ms);
    reached += fast.result.roles.length;
    expanded += fast.result.expanded;
    possible += fast.result.roles.filter(r => r.outcome === 'possible').length;
    for (const r of fast.result.roles) deepest = Math.max(deepest, r.depth);
  }
  const n = principals.length;
  const ratio = median(ratios);
  const figures = {
    roles: analyses.length,
    role_trust_pct: +((100 * roleTrusts) / analyses.length).toFixed(1),
    depth: DEPTH,
    queries: n,
    index_build_ms: Math.round(built.ms),
    reached_per_query: +(reached / n).toFixed(1),
    possible_per_query: +(possible / n).toFixed(1),
    expanded_per_query: +(expanded / n).toFixed(1),
    deepest,
    reach_ms: +(reachMs / n).toFixed(2),
    scan_ms: +(scanMs / n).toFixed(1),
    reach_vs_scan: +ratio.toFixed(4),
    speedup: Math.round(1 / ratio),
    target_met: ratio <= 1 / 20,
  };
  console.log(
    `${figures.roles} roles, ${figures.role_trust_pct}% trusting a role; ${n} reach queries to depth ${DEPTH}: ` +
      `${figures.reached_per_query} roles reached per query (${figures.expanded_per_query} expanded, deepest ${deepest}); ` +
      `index ${figures.reach_ms} ms vs per-hop scan ${figures.scan_ms} ms per query ` +
      `(median ratio ${figures.reach_vs_scan}, ${figures.speedup}× faster, target ≥ 20)`,
  );
  console.log(
    Object.entries(figures)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  );
  if (!figures.target_met) process.exitCode = 1;
}

main();
