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
