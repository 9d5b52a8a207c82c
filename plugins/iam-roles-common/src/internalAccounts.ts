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

/** The configuration key of the names of accounts the catalog module does not read (vendors, partners). */
export const ACCOUNT_NAMES_CONFIG_KEY = 'iamRoles.accountNames';

/** The part of Backstage's `Config` {@link readAccountNames} needs (the map is read whole: its keys are numbers). */
export interface AccountNamesConfig {
  getOptional(key: string): unknown;
}

/**
 * Reads `iamRoles.accountNames`: names by account id for accounts the catalog module does not read —
 * a vendor's (`464622532012: datadog`), a partner's — so a principal in one reads "account
 * 464622532012 "datadog"" rather than a bare number. The accounts the module reads are named by
 * their entities. Throws an Error naming the bad entry when a key is not a 12-digit account id or a
 * value is not text.
 */
export function readAccountNames(
  config: AccountNamesConfig,
): Record<string, string> {
  const raw = config.getOptional(ACCOUNT_NAMES_CONFIG_KEY);
  if (raw === undefined) return {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error(
      `${ACCOUNT_NAMES_CONFIG_KEY} must be a map of 12-digit account ids to names`,
    );
  }
  const names: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!/^\d{12}$/.test(key)) {
      throw new Error(
        `${ACCOUNT_NAMES_CONFIG_KEY}.${key}: expected a 12-digit AWS account id as the key (quote it in YAML so leading zeros stay)`,
      );
    }
    if (typeof value !== 'string') {
      throw new Error(`${ACCOUNT_NAMES_CONFIG_KEY}.${key} must be a name`);
    }
    if (value.trim()) names[key] = value.trim();
  }
  return names;
}
