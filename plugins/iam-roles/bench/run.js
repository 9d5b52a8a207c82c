#!/usr/bin/env node
/* eslint-disable no-console */
/*
 * `yarn bench:ui`: renders the role tab for a 500-principal trust policy in jsdom (through the
 * package's jest setup) and measures the plugin's own code, minified and gzipped.
 * Last line: `principals=500 render_ms=.. bundle_kb_gz=..`.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');

const root = path.resolve(__dirname, '..');

// esbuild is not a dependency of this package: use the one the Backstage CLI builds with
// (@backstage/cli → @backstage/cli-module-build → esbuild-loader → esbuild).
function resolveFrom(name, base) {
  return path.dirname(
    require.resolve(`${name}/package.json`, { paths: [base] }),
  );
}
const cliDir = resolveFrom('@backstage/cli', root);
const buildDir = resolveFrom('@backstage/cli-module-build', cliDir);
const loaderDir = resolveFrom('esbuild-loader', buildDir);
const esbuild = require(require.resolve('esbuild', { paths: [loaderDir] }));

async function bundleSize() {
  // Every bare import (React, MUI, Backstage, the common package) is external: this measures
  // the code this package adds to an app, split into the chunks its lazy extensions load.
  const result = await esbuild.build({
    entryPoints: [
      path.join(root, 'src/index.ts'),
      path.join(root, 'src/alpha.ts'),
    ],
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    jsx: 'automatic',
    target: 'es2022',
    write: false,
    outdir: path.join(os.tmpdir(), 'iam-roles-bench'),
    logLevel: 'silent',
    plugins: [
      {
        name: 'externals',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, args => ({
            path: args.path,
            external: true,
          }));
        },
      },
    ],
  });
  let raw = 0;
  let gz = 0;
  for (const file of result.outputFiles) {
    raw += file.contents.length;
    gz += zlib.gzipSync(file.contents, { level: 9 }).length;
  }
  return { files: result.outputFiles.length, raw, gz };
}

const mode = process.env.IAM_BENCH_NODE_ENV || 'production';

function renderTime() {
  const out = path.join(os.tmpdir(), `iam-roles-bench-${process.pid}.json`);
  const cli = require.resolve('@backstage/cli/bin/backstage-cli', {
    paths: [root],
  });
  const run = spawnSync(
    process.execPath,
    [
      cli,
      'package',
      'test',
      '--roots',
      path.join(root, 'bench'),
      '--testMatch',
      '**/*.bench.tsx',
      '--runInBand',
    ],
    {
      cwd: root,
      // React's production build, as users run it (IAM_BENCH_NODE_ENV=test measures the development build).
      env: { ...process.env, CI: 'true', NODE_ENV: mode, IAM_BENCH_OUT: out },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (run.status !== 0 || !fs.existsSync(out)) {
    throw new Error(`the render benchmark failed (exit ${run.status})`);
  }
  const result = JSON.parse(fs.readFileSync(out, 'utf8'));
  fs.unlinkSync(out);
  return result;
}

async function main() {
  const size = await bundleSize();
  const render = renderTime();
  console.log(
    `bundle: ${size.files} chunks, ${(size.raw / 1024).toFixed(
      1,
    )} KB minified, ${(size.gz / 1024).toFixed(1)} KB gzipped`,
  );
  console.log(
    `render (jsdom, NODE_ENV=${mode}, load ${os.loadavg()[0].toFixed(1)} on ${
      os.cpus().length
    } cores): ` +
      `first ${render.coldMs.toFixed(0)} ms, then ${render.runsMs
        .map(ms => ms.toFixed(0))
        .join(' ')} ms ` +
      `to the tab with ${render.initialRows} of ${render.principals} principal rows ` +
      `(median CPU time ${render.cpuMedianMs.toFixed(0)} ms); ` +
      `"Show all" to every row: median ${render.showAllMedianMs.toFixed(0)} ms`,
  );
  console.log(
    `principals=${render.principals} render_ms=${Math.round(
      render.medianMs,
    )} bundle_kb_gz=${(size.gz / 1024).toFixed(1)}`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
