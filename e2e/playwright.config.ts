import { defineConfig } from '@playwright/test';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const backendDir = path.join(root, 'packages/backend');
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Point the tests at an app that already runs (e.g. http://localhost:7007) instead of starting one.
const externalBaseUrl = process.env.E2E_BASE_URL;

/**
 * e2e tests against the built app: the frontend bundle (yarn workspace app build) served by the
 * backend on :7007, in Debian's Chromium (no browser download).
 */
export default defineConfig({
  testDir: path.join(__dirname, 'tests'),
  outputDir: path.join(__dirname, 'test-results'),
  timeout: 180_000,
  expect: { timeout: 20_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [
    ['list'],
    ...(process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['json'] as ['json']] : []),
    [
      'html',
      {
        open: 'never',
        outputFolder: path.join(__dirname, 'playwright-report'),
      },
    ],
  ],
  use: {
    baseURL: externalBaseUrl ?? 'http://localhost:7007',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
    viewport: { width: 1440, height: 900 },
  },
  projects: [
    { name: 'demo data', testMatch: /.*\.setup\.ts/ },
    {
      name: 'journeys',
      testMatch: /.*\.spec\.ts/,
      dependencies: ['demo data'],
    },
  ],
  webServer: externalBaseUrl
    ? undefined
    : {
        command: [
          'node',
          '--enable-source-maps',
          '--require',
          require.resolve('@backstage/cli-node/config/nodeTransform.cjs', {
            paths: [root],
          }),
          'src/index.ts',
          '--config',
          path.join(root, 'app-config.yaml'),
          '--config',
          path.join(__dirname, 'app-config.e2e.yaml'),
          // The backend's log goes to a file, so the test output stays readable.
          `> ${path.join(__dirname, 'backend.log')} 2>&1`,
        ].join(' '),
        cwd: backendDir,
        url: 'http://localhost:7007/.backstage/health/v1/readiness',
        reuseExistingServer: !process.env.CI,
        timeout: 180_000,
        stdout: 'ignore',
        stderr: 'pipe',
      },
});
