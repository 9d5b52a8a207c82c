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
            /** Also read the resource control policies and where they are attached. Default true. */
            resourceControlPolicies?: boolean;
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
           * An account with more roles than this fails its read with an error naming the limit, and
           * keeps the entities of its last good read. Bounds the work and memory of one account. Default 10000.
           */
          maxRolesPerAccount?: number;
          /**
           * A trust policy document longer than this many characters (as read, URL-encoded or JSON) is
           * not analysed: the role is still emitted, with an `invalid-policy` finding. Default 65536.
           */
          maxPolicyDocumentBytes?: number;
          /**
           * An account whose read (credentials and every page) takes longer than this fails, keeping
           * its entities, so a hanging AWS endpoint stalls no other account. Default 300.
           */
          accountReadTimeoutSeconds?: number;
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
          /**
           * IAM Identity Center. `permissionSets` maps permission sets to catalog groups statically;
           * `region` (live providers) reads the instance's account assignments and identity store
           * instead. Off unless configured. Snapshot providers read `aws-identity-center` files.
           */
          identityCenter?: {
            permissionSets?: { [permissionSetName: string]: string | string[] };
            /** The Identity Center instance's home region; setting it turns the live reader on. */
            region?: string;
            /** Account whose credentials read Identity Center (management or delegated administrator); default the main account. */
            accountId?: string;
            /** The instance to read when the credentials see more than one. */
            instanceArn?: string;
            /**
             * How identity-store groups become catalog Groups. `displayName` (default): the display name
             * equals the Group's name or spec.profile.displayName; `externalId`: an external id equals the
             * Group's annotation `annotation`; `annotation`: the Group's annotation `annotation` (default
             * aws.amazon.com/identity-store-id) holds the group id or display name.
             */
            groupMatch?: {
              by?: 'displayName' | 'externalId' | 'annotation';
              annotation?: string;
            };
            /**
             * How identity-store users become catalog Users. `email` (default): an email equals
             * spec.profile.email; `userName`: the user name equals the User's name or email;
             * `displayName`; `externalId`; `annotation` (as for groups).
             */
            userMatch?: {
              by?:
                | 'email'
                | 'userName'
                | 'displayName'
                | 'externalId'
                | 'annotation';
              annotation?: string;
            };
          };
          /** EKS Pod Identity associations, read live. Off unless configured. */
          eks?: {
            /** Regions whose clusters are read. */
            regions: string[];
            /** Cluster names to read (skips ListClusters); default every cluster of each account and region. */
            clusters?: string[];
            /** Accounts whose clusters are read; default every account the provider reads. */
            accounts?: string[];
          };
          /** When to read. Default every 30 minutes, timeout 10 minutes. */
          schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        };
      };
    };
  };
}
