export interface Config {
  iamRoles?: {
    /**
     * Account ids that count as internal when judging cross-account trust, besides the accounts the
     * catalog module reads. The one list of the family: the catalog module's findings and the
     * broker's internal/external marks both come from it.
     */
    internalAccounts?: string[];
  };
}
