import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  parseAuthorizationDetails,
  RoleRecord,
} from '@backstage-iam/plugin-iam-roles-common';
import { effectiveKindOf } from '../effective/parseEffectiveDocument';
import {
  AccountRead,
  describeError,
  IamRoleSource,
  SourceRead,
  TooManyRolesError,
} from './types';

/** Every `*.json` file below a folder, in name order. */
export async function listJsonFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      files.push(...(await listJsonFiles(full)));
    } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) {
      files.push(full);
    }
  }
  return files;
}

/**
 * Reads `get-account-authorization-details` output from files or folders (every `*.json` below a
 * folder). A file that cannot be read fails the accounts it held last time; a path that is gone
 * makes the run incomplete so that nothing is removed.
 */
export class SnapshotSource implements IamRoleSource {
  /** Accounts each file held at its last good read, to fail exactly those when it breaks. */
  private readonly fileAccounts = new Map<string, string[]>();

  private constructor(
    private readonly paths: string[],
    private readonly maxRolesPerAccount?: number,
  ) {}

  /** `paths` relative to `baseDir` (the backend's working directory by default). */
  static create(options: {
    paths: string[];
    baseDir?: string;
    /** An account with more roles fails (its entities are kept); default no limit. */
    maxRolesPerAccount?: number;
  }): SnapshotSource {
    const base = options.baseDir ?? process.cwd();
    return new SnapshotSource(
      options.paths.map(p => path.resolve(base, p)),
      options.maxRolesPerAccount,
    );
  }

  describe(): string {
    return `snapshots ${this.paths.join(', ')}`;
  }

  async read(): Promise<SourceRead> {
    const result: SourceRead = {
      accounts: [],
      failures: [],
      complete: true,
      accountNames: {},
      errors: [],
    };
    const files: string[] = [];
    for (const p of this.paths) {
      try {
        const stat = await fs.stat(p);
        files.push(...(stat.isDirectory() ? await listJsonFiles(p) : [p]));
      } catch (error) {
        result.complete = false;
        result.errors.push(`cannot read ${p}: ${describeError(error)}`);
        for (const [file, accounts] of this.fileAccounts) {
          if (file === p || file.startsWith(`${p}${path.sep}`)) {
            for (const accountId of accounts) {
              result.failures.push({
                accountId,
                reason: `snapshot path ${p} cannot be read: ${describeError(
                  error,
                )}`,
              });
            }
          }
        }
      }
    }

    type AccountFiles = { roles: Map<string, RoleRecord>; files: string[] };
    const byAccount = new Map<string, AccountFiles>();
    const failed = new Set(result.failures.map(f => f.accountId));
    const readAt = new Date().toISOString();
    for (const file of [...new Set(files)]) {
      try {
        const text = await fs.readFile(file, 'utf8');
        let doc: unknown;
        try {
          doc = JSON.parse(text);
        } catch (e) {
          throw new Error(`Not JSON: ${(e as Error).message}`);
        }
        if (effectiveKindOf(doc) !== undefined) {
          // Read by the effective-access snapshot source from the same paths.
          continue;
        }
        // Parsed once: the engine takes the document as well as its text.
        const parsed = parseAuthorizationDetails(doc);
        const accountIds = [
          ...new Set([
            ...parsed.accountIds,
            ...parsed.roles.map(r => r.accountId),
          ]),
        ];
        if (accountIds.length === 0) {
          throw new Error('no account and no role in the file');
        }
        this.fileAccounts.set(file, accountIds);
        for (const accountId of accountIds) {
          const entry: AccountFiles = byAccount.get(accountId) ?? {
            roles: new Map(),
            files: [],
          };
          entry.files.push(file);
          byAccount.set(accountId, entry);
        }
        for (const role of parsed.roles) {
          byAccount
            .get(role.accountId)!
            .roles.set(role.arn.toLowerCase(), role);
        }
      } catch (error) {
        const known = this.fileAccounts.get(file);
        const reason = `snapshot ${file} cannot be parsed: ${describeError(
          error,
        )}`;
        if (known) {
          for (const accountId of known) {
            result.failures.push({ accountId, reason });
            failed.add(accountId);
          }
        } else {
          result.complete = false;
          result.errors.push(reason);
        }
      }
    }

    for (const [accountId, entry] of byAccount) {
      if (failed.has(accountId)) {
        // Another file of this account failed: a partial account is never applied.
        continue;
      }
      if (
        this.maxRolesPerAccount !== undefined &&
        entry.roles.size > this.maxRolesPerAccount
      ) {
        result.failures.push({
          accountId,
          errorName: 'TooManyRolesError',
          reason: `snapshot ${entry.files.join(', ')}: ${
            new TooManyRolesError(this.maxRolesPerAccount, entry.roles.size)
              .message
          }`,
        });
        continue;
      }
      if (entry.files.length > 1) {
        (result.warnings ??= []).push(
          `account ${accountId} is in ${
            entry.files.length
          } snapshot files (${entry.files.join(
            ', ',
          )}): each of its roles is emitted once, from the last file that holds it`,
        );
      }
      const read: AccountRead = {
        accountId,
        location: `aws-iam-snapshot:${entry.files[0]}`,
        roles: [...entry.roles.values()],
        readAt,
      };
      result.accounts.push(read);
    }
    return result;
  }
}
