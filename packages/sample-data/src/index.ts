import fs from 'node:fs';
import path from 'node:path';

/** Absolute path of the folder that holds the sample snapshots. */
export const sampleSnapshotsDir = path.resolve(__dirname, '..', 'aws');

/** Absolute paths of every sample snapshot file, sorted. */
export function listSampleSnapshots(): string[] {
  return fs
    .readdirSync(sampleSnapshotsDir)
    .filter(file => file.endsWith('.json'))
    .sort()
    .map(file => path.join(sampleSnapshotsDir, file));
}
