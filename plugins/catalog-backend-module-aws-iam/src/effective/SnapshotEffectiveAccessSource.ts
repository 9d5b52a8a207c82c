import { promises as fs } from 'node:fs';
import path from 'node:path';
import { listJsonFiles } from '../sources/SnapshotSource';
import { describeError } from '../sources/types';
import {
  effectiveKindOf,
  parseEffectiveDocument,
} from './parseEffectiveDocument';
import { EffectiveAccessRead, EffectiveAccessSource } from './types';

/** A file's size and modification time, which change when it is rewritten. */
function versionOf(stat: { size: number; mtimeMs: number }): string {
  return `${stat.size}:${stat.mtimeMs}`;
}

/**
 * Reads effective-access snapshot files (Identity Center, Pod Identity, RCPs; one JSON document
 * each, told apart from `get-account-authorization-details` files by `kind` or shape) from the same
 * paths as the role snapshots. Each file is a dataset: a file that breaks keeps its last good data,
 * a file that is gone from a readable folder is dropped.
 */
export class SnapshotEffectiveAccessSource implements EffectiveAccessSource {
  /** Files that held an effective-access document at their last good read. */
  private readonly known = new Set<string>();
  /**
   * Files found to hold no effective-access document (role snapshots, mostly), by their size and
   * modification time then: unchanged, they are not read and parsed again at every refresh.
   */
  private readonly notOurs = new Map<string, string>();

  private constructor(private readonly paths: string[]) {}

  /** `paths` relative to `baseDir` (the backend's working directory by default). */
  static create(options: {
    paths: string[];
    baseDir?: string;
  }): SnapshotEffectiveAccessSource {
    const base = options.baseDir ?? process.cwd();
    return new SnapshotEffectiveAccessSource(
      options.paths.map(p => path.resolve(base, p)),
    );
  }

  describe(): string {
    return `effective-access snapshots in ${this.paths.join(', ')}`;
  }

  async read(): Promise<EffectiveAccessRead> {
    const result: EffectiveAccessRead = {
      datasets: [],
      complete: true,
      errors: [],
    };
    const files: string[] = [];
    for (const p of this.paths) {
      try {
        const stat = await fs.stat(p);
        files.push(...(stat.isDirectory() ? await listJsonFiles(p) : [p]));
      } catch (error) {
        const reason = `snapshot path ${p} cannot be read: ${describeError(
          error,
        )}`;
        for (const file of this.known) {
          if (file === p || file.startsWith(`${p}${path.sep}`)) {
            result.datasets.push({
              ok: false,
              key: `snapshot:${file}`,
              reason,
            });
          }
        }
      }
    }
    for (const file of [...new Set(files)]) {
      const key = `snapshot:${file}`;
      try {
        const stat = await fs.stat(file);
        const version = versionOf(stat);
        if (!this.known.has(file) && this.notOurs.get(file) === version) {
          continue;
        }
        const text = await fs.readFile(file, 'utf8');
        let doc: unknown;
        try {
          doc = JSON.parse(text);
        } catch (error) {
          if (this.known.has(file)) {
            throw error;
          }
          // Not JSON and never ours: the role snapshot source reports it.
          this.notOurs.set(file, version);
          continue;
        }
        if (effectiveKindOf(doc) === undefined) {
          if (this.known.has(file)) {
            throw new Error(
              'it no longer holds an effective-access document (no known kind)',
            );
          }
          this.notOurs.set(file, version);
          continue;
        }
        const data = parseEffectiveDocument(doc)!;
        this.known.add(file);
        this.notOurs.delete(file);
        result.datasets.push({
          ok: true,
          key,
          data,
          readAt: stat.mtime.toISOString(),
        });
      } catch (error) {
        const reason = `snapshot ${file} cannot be parsed: ${describeError(
          error,
        )}`;
        if (this.known.has(file)) {
          result.datasets.push({ ok: false, key, reason });
        } else {
          result.errors.push(reason);
        }
      }
    }
    return result;
  }
}
