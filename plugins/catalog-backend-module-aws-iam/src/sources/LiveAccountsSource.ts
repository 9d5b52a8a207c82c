import { IAMClient, IAMClientConfig } from '@aws-sdk/client-iam';
import {
  ListAccountsCommand,
  ListAccountsCommandOutput,
  OrganizationsClient,
  OrganizationsClientConfig,
} from '@aws-sdk/client-organizations';
import { parseAuthorizationDetails } from '@backstage-iam/plugin-iam-roles-common';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { AccountConfig, AwsPartition } from '../config';
import { readAuthorizationDetails } from './readAuthorizationDetails';
import {
  AccountRead,
  AccountTimeoutError,
  describeError,
  errorNameOf,
  IamRoleSource,
  mapWithConcurrency,
  SourceRead,
} from './types';

/** Options of {@link LiveAccountsSource}. */
export interface LiveAccountsSourceOptions {
  credentialsManager: AwsCredentialsManager;
  accounts: AccountConfig[];
  organizations?: { enabled: boolean; accountId?: string; exclude: string[] };
  includeManagedPolicies: boolean;
  maxConcurrentAccounts: number;
  maxAttempts: number;
  /** An account that has not answered completely within this many milliseconds fails its read (default: no limit). */
  accountTimeoutMs?: number;
  /** More roles than this fail the account's read (default: no limit). */
  maxRolesPerAccount?: number;
  /** The accounts' partition; IAM and Organizations are global services called in its home region. Default `aws`. */
  partition?: AwsPartition;
  /** Extra SDK client settings (tests pass a retry strategy with short delays). */
  clientOverrides?: Partial<IAMClientConfig>;
}

/** Where a partition's global services (IAM, Organizations) are called. */
export const PARTITION_HOME_REGION: Record<AwsPartition, string> = {
  aws: 'us-east-1',
  'aws-us-gov': 'us-gov-west-1',
  'aws-cn': 'cn-north-1',
};

/**
 * Reads live accounts with GetAccountAuthorizationDetails, a bounded number at once, each with the
 * credentials @backstage/integration-aws-node gives for it, and the SDK's adaptive retry.
 */
export class LiveAccountsSource implements IamRoleSource {
  /** Accounts discovered at the last successful Organizations call, used when discovery fails. */
  private discovered: Array<{ accountId: string; name?: string }> = [];

  private constructor(private readonly options: LiveAccountsSourceOptions) {}

  static create(options: LiveAccountsSourceOptions): LiveAccountsSource {
    return new LiveAccountsSource(options);
  }

  describe(): string {
    const ids = this.options.accounts.map(a => a.accountId);
    return `live accounts ${ids.join(', ') || '(none configured)'}${
      this.options.organizations ? ' + AWS Organizations' : ''
    }`;
  }

  private clientConfig(credentials: IAMClientConfig['credentials']) {
    return {
      region: PARTITION_HOME_REGION[this.options.partition ?? 'aws'],
      credentials,
      retryMode: 'adaptive',
      maxAttempts: this.options.maxAttempts,
      ...this.options.clientOverrides,
    };
  }

  private async discoverAccounts(): Promise<
    Array<{ accountId: string; name?: string }>
  > {
    const org = this.options.organizations!;
    const { sdkCredentialProvider } =
      await this.options.credentialsManager.getCredentialProvider(
        org.accountId ? { accountId: org.accountId } : undefined,
      );
    const client = new OrganizationsClient(
      this.clientConfig(sdkCredentialProvider) as OrganizationsClientConfig,
    );
    const accounts: Array<{ accountId: string; name?: string }> = [];
    let nextToken: string | undefined;
    do {
      const page: ListAccountsCommandOutput = await client.send(
        new ListAccountsCommand({ NextToken: nextToken }),
      );
      for (const account of page.Accounts ?? []) {
        if (account.Id && (account.State ?? account.Status) === 'ACTIVE') {
          accounts.push({ accountId: account.Id, name: account.Name });
        }
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return accounts;
  }

  async readAccount(
    accountId: string,
    signal?: AbortSignal,
  ): Promise<AccountRead> {
    const { sdkCredentialProvider } =
      await this.options.credentialsManager.getCredentialProvider({
        accountId,
      });
    const client = new IAMClient(this.clientConfig(sdkCredentialProvider));
    try {
      const { document, calls } = await readAuthorizationDetails(client, {
        includeManagedPolicies: this.options.includeManagedPolicies,
        signal,
        maxRoles: this.options.maxRolesPerAccount,
      });
      const { roles } = parseAuthorizationDetails(document);
      const foreign = roles.find(r => r.accountId !== accountId);
      if (foreign) {
        throw new Error(
          `the credentials for account ${accountId} read roles of account ${foreign.accountId}; check aws.accounts`,
        );
      }
      return {
        accountId,
        location: `aws-iam-account:${accountId}`,
        roles,
        calls,
        readAt: new Date().toISOString(),
      };
    } finally {
      client.destroy();
    }
  }

  /**
   * {@link LiveAccountsSource.readAccount} within the account timeout: a call that hangs (an AWS
   * endpoint that accepts the connection and never answers, credentials that never come) fails this
   * account only, and the run goes on with the others.
   */
  private async readAccountInTime(
    accountId: string,
    outer?: AbortSignal,
  ): Promise<AccountRead> {
    const ms = this.options.accountTimeoutMs;
    if (!ms) {
      return this.readAccount(accountId, outer);
    }
    const controller = new AbortController();
    const abort = () => controller.abort();
    outer?.addEventListener('abort', abort);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new AccountTimeoutError(ms));
      }, ms);
    });
    try {
      return await Promise.race([
        this.readAccount(accountId, controller.signal),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', abort);
    }
  }

  async read(options: { signal?: AbortSignal } = {}): Promise<SourceRead> {
    const result: SourceRead = {
      accounts: [],
      failures: [],
      complete: true,
      accountNames: {},
      errors: [],
    };
    const targets = new Map<string, string | undefined>();
    for (const account of this.options.accounts) {
      targets.set(account.accountId, account.name);
    }
    if (this.options.organizations?.enabled) {
      try {
        this.discovered = await this.discoverAccounts();
      } catch (error) {
        result.complete = false;
        result.errors.push(
          `AWS Organizations ListAccounts failed, using the ${
            this.discovered.length
          } accounts found last time: ${describeError(error)}`,
        );
      }
      const exclude = new Set(this.options.organizations.exclude);
      for (const account of this.discovered) {
        if (!exclude.has(account.accountId)) {
          targets.set(
            account.accountId,
            targets.get(account.accountId) ?? account.name,
          );
        }
      }
    }
    for (const [accountId, name] of targets) {
      if (name) {
        result.accountNames[accountId] = name;
      }
    }

    const outcomes = await mapWithConcurrency(
      [...targets.keys()],
      this.options.maxConcurrentAccounts,
      async accountId => {
        try {
          return {
            ok: true as const,
            read: await this.readAccountInTime(accountId, options.signal),
          };
        } catch (error) {
          return {
            ok: false as const,
            accountId,
            reason: describeError(error),
            errorName: errorNameOf(error),
          };
        }
      },
    );
    for (const outcome of outcomes) {
      if (outcome.ok) {
        result.accounts.push(outcome.read);
      } else {
        result.failures.push({
          accountId: outcome.accountId,
          reason: outcome.reason,
          errorName: outcome.errorName,
        });
      }
    }
    return result;
  }
}
