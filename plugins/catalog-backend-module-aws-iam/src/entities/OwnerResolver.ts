import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { LoggerService } from '@backstage/backend-plugin-api';
import type { RoleRecord } from '@backstage-iam/plugin-iam-roles-common';
import { OwnershipConfig } from '../config';

/** Where an owner came from, stored as an annotation for reviewers. */
export type OwnerSource = `tag:${string}` | 'rule' | 'default' | 'none';

/** The owner of a role and why. */
export interface OwnerDecision {
  owner: string;
  source: OwnerSource;
}

/** Used when nothing decides and no default is configured; an adopter sees it and adds a rule. */
export const UNKNOWN_OWNER = 'group:default/unknown';

function slug(value: string): string {
  return value
    .trim()
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Normalises a group name, tag value or ref to candidate group refs, most literal first:
 * `Payments Team` gives `group:default/payments-team`, then `group:default/payments`.
 */
export function groupRefCandidates(value: string): string[] {
  const trimmed = value.trim();
  if (!trimmed) {
    return [];
  }
  if (trimmed.includes(':') || trimmed.includes('/')) {
    try {
      const ref = parseEntityRef(trimmed, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      });
      return [stringifyEntityRef(ref).toLocaleLowerCase('en-US')];
    } catch {
      return [];
    }
  }
  const base = slug(trimmed);
  if (!base) {
    return [];
  }
  const stripped = base
    .replace(/^(team|squad|group)-/, '')
    .replace(/-(team|squad|group|engineering|eng)$/, '');
  return [...new Set([base, stripped].filter(Boolean))].map(
    name => `group:default/${name}`,
  );
}

/**
 * Decides a role's owner: the first configured tag key that names a group, then the first rule
 * that matches, then the default. Tag values are normalised (aliases, case, spaces, "team"
 * affixes); when the catalog's groups are known, a value naming no group is warned about once per
 * value for the life of the process and the next source is tried.
 */
export class OwnerResolver {
  private readonly warned = new Set<string>();
  private readonly aliases: Map<string, string>;
  private knownGroups?: Set<string>;

  private constructor(
    private readonly config: OwnershipConfig,
    private readonly logger: LoggerService,
  ) {
    this.aliases = new Map(
      Object.entries(config.aliases).map(([k, v]) => [
        k.trim().toLocaleLowerCase('en-US'),
        v,
      ]),
    );
  }

  static create(config: OwnershipConfig, logger: LoggerService): OwnerResolver {
    return new OwnerResolver(config, logger);
  }

  /** Group refs present in the catalog; undefined when unknown (then values are trusted). */
  setKnownGroups(groups: Iterable<string> | undefined) {
    this.knownGroups = groups
      ? new Set([...groups].map(g => g.toLocaleLowerCase('en-US')))
      : undefined;
  }

  /** Normalises a configured group (rule owner, default, permission set) without warnings. */
  normalizeConfigured(value: string): string {
    const candidates = groupRefCandidates(this.alias(value));
    return (
      candidates.find(c => this.knownGroups?.has(c)) ??
      candidates[0] ??
      UNKNOWN_OWNER
    );
  }

  private alias(value: string): string {
    return this.aliases.get(value.trim().toLocaleLowerCase('en-US')) ?? value;
  }

  private pick(candidates: string[]): string | undefined {
    if (candidates.length === 0) {
      return undefined;
    }
    if (!this.knownGroups) {
      // Without the catalog's groups, the affix-stripped form is the likelier group name.
      return candidates[candidates.length - 1];
    }
    return candidates.find(c => this.knownGroups!.has(c));
  }

  resolve(
    role: Pick<RoleRecord, 'roleName' | 'path' | 'tags' | 'arn'>,
  ): OwnerDecision {
    const tags = new Map(
      Object.entries(role.tags).map(([k, v]) => [
        k.toLocaleLowerCase('en-US'),
        v,
      ]),
    );
    for (const key of this.config.tagKeys) {
      const value = tags.get(key.toLocaleLowerCase('en-US'));
      if (value === undefined || !value.trim()) {
        continue;
      }
      const candidates = groupRefCandidates(this.alias(value));
      const owner = this.pick(candidates);
      if (owner) {
        return { owner, source: `tag:${key}` };
      }
      const warnKey = `${key}=${value}`;
      if (!this.warned.has(warnKey)) {
        this.warned.add(warnKey);
        this.logger.warn(
          `IAM role tag ${key}="${value}" names no catalog group (tried ${
            candidates.join(', ') || 'nothing usable'
          }); roles with it fall back to ownership rules or the default. Add an alias under ownership.aliases to map it. First seen on ${
            role.arn
          }`,
        );
      }
    }
    for (const rule of this.config.rules) {
      if (rule.pathPrefix && !role.path.startsWith(rule.pathPrefix)) {
        continue;
      }
      if (rule.namePattern && !rule.namePattern.test(role.roleName)) {
        continue;
      }
      return { owner: this.normalizeConfigured(rule.owner), source: 'rule' };
    }
    if (this.config.default) {
      return {
        owner: this.normalizeConfigured(this.config.default),
        source: 'default',
      };
    }
    return { owner: UNKNOWN_OWNER, source: 'none' };
  }
}
