import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /**
       * AWS IAM roles as catalog entities. Each key is a provider id; each provider reads either
       * snapshot files or live accounts.
       */
      awsIam?: {
        [providerId: string]: {
          /**
           * Snapshot files or folders of `aws iam get-account-authorization-details` output
           * (AWS CLI or raw API form). Relative paths resolve against the backend's working directory.
           */
          snapshots?: {
            paths: string[];
          };
          /**
           * Live accounts, read with GetAccountAuthorizationDetails. Credentials come from the
           * `aws` section (`aws.mainAccount`, `aws.accounts`, `aws.accountDefaults.roleName`).
           * Items are 12-digit account ids, or objects with an id, a display name and an owner.
           */
          accounts?: Array<
            | string
            | {
                accountId: string;
                name?: string;
                /** Owner of the aws-account entity (a group name or ref). */
                owner?: string;
              }
          >;
          /** Discover accounts with AWS Organizations ListAccounts (ACTIVE accounts only). */
          organizations?: {
            enabled?: boolean;
            /** Account whose credentials call Organizations (management or delegated administrator); defaults to the main account. */
            accountId?: string;
            /** Account ids never read. */
            exclude?: string[];
          };
          /** Display names of accounts, by id (used for snapshots and when Organizations is not used). */
          accountNames?: { [accountId: string]: string };
          /** Also request LocalManagedPolicy and AWSManagedPolicy details (more pages, more calls). */
          includeManagedPolicies?: boolean;
          /** How many accounts are read at once. Default 5. */
          maxConcurrentAccounts?: number;
          /** Emit one `aws-account` Resource per account; roles depend on it. Default true. */
          emitAccounts?: boolean;
          /** Maximum attempts per IAM request (the SDK's adaptive retry). Default 8. */
          maxAttempts?: number;
          /**
           * The AWS partition of the accounts: `aws` (default), `aws-us-gov` (GovCloud, read through
           * us-gov-west-1) or `aws-cn` (China, read through cn-north-1). One provider per partition.
           */
          partition?: 'aws' | 'aws-us-gov' | 'aws-cn';
          /** How to find a role's owner: tags first, then rules, then the default. */
          ownership?: {
            /** Tag keys read in order, case-insensitively. Default [owner, team]. */
            tagKeys?: string[];
            /** First matching rule wins. `namePattern` is a regular expression on the role name. */
            rules?: Array<{
              pathPrefix?: string;
              namePattern?: string;
              owner: string;
            }>;
            /** Owner when neither tags nor rules decide. */
            default?: string;
            /** Tag values mapped to group names or refs, e.g. `Payments Team: payments`. */
            aliases?: { [tagValue: string]: string };
          };
          /** Tag keys whose value names the role's system. Default [system]. */
          systemTagKeys?: string[];
          /** Tag keys whose value names the component the role belongs to (spec.dependencyOf). Default [component]. */
          componentTagKeys?: string[];
          /** IAM Identity Center: which catalog groups hold which permission set. */
          identityCenter?: {
            permissionSets?: { [permissionSetName: string]: string | string[] };
          };
          /** When to read. Default every 30 minutes, timeout 10 minutes. */
          schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        };
      };
    };
  };
}
