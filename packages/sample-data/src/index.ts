import fs from 'node:fs';
import path from 'node:path';

/** Absolute path of the folder that holds the sample snapshots. */
export const sampleSnapshotsDir = path.join(
  // resolved through the package name, so it holds in source and in built form alike
  path.dirname(require.resolve('@backstage-iam/sample-data/package.json')),
  'aws',
);

/** Absolute paths of every sample snapshot file, sorted. */
export function listSampleSnapshots(): string[] {
  return fs
    .readdirSync(sampleSnapshotsDir)
    .filter(file => file.endsWith('.json'))
    .sort()
    .map(file => path.join(sampleSnapshotsDir, file));
}

/** Archived snapshots for the demo's trust history: each file and when it was taken, oldest first. */
export const sampleHistorySnapshots: ReadonlyArray<{
  path: string;
  at: string;
}> = [
  {
    path: path.join(
      path.dirname(sampleSnapshotsDir),
      'history',
      '333333333333-production.2026-11-14.json',
    ),
    at: '2026-11-14T09:00:00Z',
  },
];
