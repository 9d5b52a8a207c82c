/** The configuration key of the accounts that count as internal, for every package of the family. */
export const INTERNAL_ACCOUNTS_CONFIG_KEY = 'iamRoles.internalAccounts';

/** The part of Backstage's `Config` this reader needs (so -common does not depend on the config package). */
export interface InternalAccountsConfig {
  getOptionalStringArray(key: string): string[] | undefined;
}

/**
 * Reads `iamRoles.internalAccounts`: the accounts, besides those the catalog module reads, whose trust
 * is not cross-account (the organisation's other accounts). The one place this set is read: the catalog
 * module judges findings with it, the broker marks principals internal or external with it. Throws an
 * Error naming the bad entry when one is not a 12-digit account id.
 */
export function readInternalAccounts(config: InternalAccountsConfig): string[] {
  const values =
    config.getOptionalStringArray(INTERNAL_ACCOUNTS_CONFIG_KEY) ?? [];
  const out = new Set<string>();
  values.forEach((value, i) => {
    const id = String(value).trim();
    if (!/^\d{12}$/.test(id)) {
      throw new Error(
        `${INTERNAL_ACCOUNTS_CONFIG_KEY}[${i}] is ${JSON.stringify(
          value,
        )}: expected a 12-digit AWS account id (quote it in YAML so leading zeros stay)`,
      );
    }
    out.add(id);
  });
  return [...out];
}
