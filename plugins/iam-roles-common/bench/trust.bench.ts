/* eslint-disable no-console */
/**
 * `yarn bench:trust`: analysis time against JSON.parse time of the same snapshot, indexed reverse
 * lookup against a linear scan, and peak memory, for snapshots of 10,000 and 50,000 roles.
 * The last line holds the figures of the 50,000-role snapshot as key=value pairs (rss_mb: the peak of
 * the whole run).
 */
import {
  analyzeRole,
  parseAuthorizationDetails,
  PrincipalContext,
  RoleAnalysis,
  TrustIndex,
} from '../src';
import { generateSnapshot } from './generateSnapshot';
import { bestOf, median, time } from './timing';

let peakRss = 0;
function sampleMemory() {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}

function analyzeSnapshot(
  parsed: unknown,
  internalAccounts: string[],
): RoleAnalysis[] {
  const { roles } = parseAuthorizationDetails(parsed);
  const out = new Array<RoleAnalysis>(roles.length);
  for (let i = 0; i < roles.length; i++) {
    const r = roles[i];
    out[i] = analyzeRole(
      {
        arn: r.arn,
        trustPolicy: r.assumeRolePolicyDocument,
        name: r.roleName,
        path: r.path,
      },
      { internalAccounts },
    );
  }
  return out;
}

function runOne(roleCount: number) {
  const generated = generateSnapshot({
    roles: roleCount,
    accounts: Math.max(3, Math.round(roleCount / 400)),
    repositories: Math.round(roleCount / 20),
  });
  const text = JSON.stringify(generated.snapshot, null, 4);
  generated.snapshot.RoleDetailList.length = 0;
  sampleMemory();

  // Each round parses, then analyses what it parsed. On a shared machine single timings swing by 2-5×,
  // so the ratio is taken per round (both halves see the same load) and the median ratio reported.
  const rounds = roleCount > 20_000 ? 5 : 7;
  const parseTimes: number[] = [];
  const analyzeTimes: number[] = [];
  let analyses: RoleAnalysis[] = [];
  // Untimed rounds so that both paths are compiled by the JIT before timing.
  for (let warm = 0; warm < 3; warm++)
    analyzeSnapshot(JSON.parse(text), generated.accounts);
  sampleMemory();
  for (let round = 0; round < rounds; round++) {
    analyses = [];
    const parsed = time(() => JSON.parse(text));
    parseTimes.push(parsed.ms);
    const analyzed = time(() =>
      analyzeSnapshot(parsed.result, generated.accounts),
    );
    analyzeTimes.push(analyzed.ms);
    analyses = analyzed.result;
    sampleMemory();
  }
  const parseMs = median(parseTimes);
  const analyzeMs = median(analyzeTimes);
  const ratio = median(parseTimes.map((p, i) => analyzeTimes[i] / p));

  const built = time(() =>
    TrustIndex.build(analyses.map(a => ({ key: a.arn, analysis: a }))),
  );
  const index = built.result;
  sampleMemory();

  // A mix of the questions people ask in an incident: repositories, roles, accounts, pods, services.
  const principals: PrincipalContext[] = [];
  for (let i = 0; i < 40; i++) {
    const [owner, repo] =
      generated.repositories[(i * 37) % generated.repositories.length].split(
        '/',
      );
    principals.push({ type: 'github', owner, repo, ref: 'refs/heads/main' });
  }
  for (let i = 0; i < 40; i++) {
    principals.push({
      type: 'arn',
      arn: generated.roleArns[(i * 101) % generated.roleArns.length],
    });
  }
  for (let i = 0; i < 10; i++) {
    principals.push({
      type: 'account',
      accountId: generated.accounts[i % generated.accounts.length],
    });
  }
  for (let i = 0; i < 5; i++) {
    const sa =
      generated.serviceAccounts[(i * 13) % generated.serviceAccounts.length];
    principals.push({
      type: 'eks',
      provider: sa.provider,
      namespace: sa.namespace,
      serviceAccount: sa.name,
    });
  }
  for (const service of [
    'lambda.amazonaws.com',
    'ecs-tasks.amazonaws.com',
    'backup.amazonaws.com',
    'sns.amazonaws.com',
    'states.amazonaws.com',
  ]) {
    principals.push({ type: 'service', service });
  }

  let lookupMs = 0;
  let scanMs = 0;
  let answers = 0;
  const byType = new Map<
    string,
    { lookup: number; scan: number; n: number; answers: number }
  >();
  for (const p of principals) {
    // Warm both paths once, then keep the fastest of a few runs: on a shared machine a single
    // millisecond-long measurement often includes a preemption.
    index.lookup(p);
    index.scan(p);
    const l = bestOf(5, () => index.lookup(p));
    const s = bestOf(2, () => index.scan(p));
    lookupMs += l.ms;
    scanMs += s.ms;
    const t = byType.get(p.type) ?? { lookup: 0, scan: 0, n: 0, answers: 0 };
    t.lookup += l.ms;
    t.scan += s.ms;
    t.n += 1;
    t.answers += l.result.length;
    byType.set(p.type, t);
    answers += l.result.length;
    if (l.result.length !== s.result.length) {
      throw new Error(
        `index and scan disagree for ${JSON.stringify(p)}: ${
          l.result.length
        } vs ${s.result.length}`,
      );
    }
  }
  sampleMemory();
  for (const [type, t] of byType) {
    console.log(
      `  ${type}: ${t.n} lookups, ${Math.round(
        t.answers / t.n,
      )} answers each, index ${(t.lookup / t.n).toFixed(2)} ms vs scan ${(
        t.scan / t.n
      ).toFixed(2)} ms (${Math.round(t.scan / t.lookup)}×)`,
    );
  }
  const findings = analyses.reduce((n, a) => n + a.findings.length, 0);
  const figures = {
    roles: roleCount,
    snapshot_mb: +(text.length / 1048576).toFixed(1),
    parse_ms: +parseMs.toFixed(0),
    analyze_ms: +analyzeMs.toFixed(0),
    analyze_vs_parse: +ratio.toFixed(2),
    index_build_ms: +built.ms.toFixed(0),
    lookups: principals.length,
    lookup_ms: +lookupMs.toFixed(1),
    scan_ms: +scanMs.toFixed(1),
    index_speedup: Math.round(scanMs / lookupMs),
    rss_mb: Math.round(peakRss / 1048576),
  };
  console.log(
    `${roleCount} roles (${figures.snapshot_mb} MB): JSON.parse ${figures.parse_ms} ms, analysis ${figures.analyze_ms} ms ` +
      `(medians of ${rounds} rounds; ratio per round ${parseTimes
        .map((p, i) => (analyzeTimes[i] / p).toFixed(1))
        .join(' ')}; ` +
      `median ${figures.analyze_vs_parse}× parse, target ≤ 3), ${findings} findings; index built in ${figures.index_build_ms} ms; ` +
      `${principals.length} lookups (${answers} answers): index ${figures.lookup_ms} ms vs scan ${figures.scan_ms} ms ` +
      `(${figures.index_speedup}× faster, target ≥ 20); peak RSS ${figures.rss_mb} MB`,
  );
  return figures;
}

function main() {
  // The large snapshot first: V8 sizes its heap from what the process has used so far, and a process
  // that starts with the small snapshot spends the small run collecting garbage in a heap sized for
  // almost nothing — a start-up effect, not the engine's cost (a backend's heap is warm).
  const f = runOne(50_000);
  runOne(10_000);
  f.rss_mb = Math.round(peakRss / 1048576);
  console.log(
    `roles=${f.roles} analyze_vs_parse=${f.analyze_vs_parse} index_speedup=${f.index_speedup} rss_mb=${f.rss_mb} ` +
      `parse_ms=${f.parse_ms} analyze_ms=${f.analyze_ms} lookup_ms=${f.lookup_ms} scan_ms=${f.scan_ms}`,
  );
}

main();
