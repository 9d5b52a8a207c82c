export interface Config {
  iamRoles?: {
    /**
     * Account ids that count as internal when judging cross-account trust, besides the accounts the
     * catalog module reads. The one list of the family: the catalog module's findings and the
     * broker's internal/external marks both come from it.
     */
    internalAccounts?: string[];
    /**
     * Names of accounts the catalog module does not read (vendors, partners), by 12-digit account
     * id, e.g. `'464622532012': datadog`: principals in them are described by name.
     */
    accountNames?: { [accountId: string]: string };
  };
}
