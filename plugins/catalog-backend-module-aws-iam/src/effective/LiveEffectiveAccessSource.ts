import { EKSClient } from '@aws-sdk/client-eks';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { AwsPartition } from '../config';
import { PARTITION_HOME_REGION } from '../sources/LiveAccountsSource';
import { describeError, mapWithConcurrency } from '../sources/types';
import { parseEffectiveDocument } from './parseEffectiveDocument';
import { readIdentityCenter } from './readIdentityCenter';
import { readOrganizationPolicies } from './readOrganizationPolicies';
import {
  describeCluster,
  listClusters,
  readClusterAssociations,
} from './readPodIdentity';
import {
  DatasetRead,
  EffectiveAccessData,
  EffectiveAccessRead,
  EffectiveAccessSource,
} from './types';

/** Options of {@link LiveEffectiveAccessSource}. */
export interface LiveEffectiveAccessSourceOptions {
  credentialsManager: AwsCredentialsManager;
  partition?: AwsPartition;
  maxAttempts: number;
  /** How many accounts, clusters or permission sets are read at once. */
  concurrency: number;
  /** Identity Center: the instance's home region, and the account whose credentials read it (default the main account). */
  identityCenter?: { region: string; accountId?: string; instanceArn?: string };
  /** EKS Pod Identity: the regions to look in; `clusters` skips ListClusters; `accounts` default to the accounts read. */
  eks?: { regions: string[]; clusters?: string[]; accounts?: string[] };
  /** Organizations RCPs: the account whose credentials call Organizations (default the main account). */
  organizationPolicies?: { accountId?: string };
  /** Extra SDK client settings (tests pass a retry strategy with short delays). */
  clientOverrides?: Record<string, unknown>;
}

type Outcome = DatasetRead | { ok: false; error: string; keep: string[] };

/**
 * Reads Identity Center, EKS Pod Identity and Organizations RCPs from the live APIs. Every
 * instance, organisation and cluster is its own dataset: one failing keeps its last good data and
 * the others update.
 */
export class LiveEffectiveAccessSource implements EffectiveAccessSource {
  /** Clusters found at the last good ListClusters per account and region, kept when it fails. */
  private readonly knownClusters = new Map<string, string[]>();
  /** The last good DescribeCluster answer per `account:region:cluster`, kept when it fails. */
  private readonly knownDescriptions = new Map<
    string,
    Record<string, unknown>
  >();

  private constructor(
    private readonly options: LiveEffectiveAccessSourceOptions,
  ) {}

  static create(
    options: LiveEffectiveAccessSourceOptions,
  ): LiveEffectiveAccessSource {
    return new LiveEffectiveAccessSource(options);
  }

  /** Whether anything is configured to be read. */
  get enabled(): boolean {
    const { identityCenter, eks, organizationPolicies } = this.options;
    return Boolean(identityCenter || eks || organizationPolicies);
  }

  describe(): string {
    const { identityCenter, eks, organizationPolicies } = this.options;
    return [
      identityCenter && `Identity Center in ${identityCenter.region}`,
      eks && `EKS Pod Identity in ${eks.regions.join(', ')}`,
      organizationPolicies && 'Organizations RCPs',
    ]
      .filter(Boolean)
      .join(', ');
  }

  private async clientConfig(region: string, accountId?: string) {
    const { sdkCredentialProvider } =
      await this.options.credentialsManager.getCredentialProvider(
        accountId ? { accountId } : undefined,
      );
    return {
      region,
      credentials: sdkCredentialProvider,
      retryMode: 'adaptive',
      maxAttempts: this.options.maxAttempts,
      ...this.options.clientOverrides,
    };
  }

  private ok(
    key: string,
    document: unknown,
    calls: number,
  ): DatasetRead & { ok: true } {
    const data = parseEffectiveDocument(document) as EffectiveAccessData;
    return { ok: true, key, data, calls, readAt: new Date().toISOString() };
  }

  private async readIdentityCenter(signal?: AbortSignal): Promise<Outcome> {
    const ic = this.options.identityCenter!;
    const key = `identity-center:${ic.accountId ?? 'main'}:${ic.region}`;
    let ssoAdmin: SSOAdminClient | undefined;
    let identityStore: IdentitystoreClient | undefined;
    try {
      const config = await this.clientConfig(ic.region, ic.accountId);
      ssoAdmin = new SSOAdminClient(config as any);
      identityStore = new IdentitystoreClient(config as any);
      const { document, calls } = await readIdentityCenter(
        ssoAdmin,
        identityStore,
        {
          instanceArn: ic.instanceArn,
          concurrency: this.options.concurrency,
          signal,
        },
      );
      return this.ok(key, document, calls);
    } catch (error) {
      return {
        ok: false,
        key,
        reason: `Identity Center (${ic.region}): ${describeError(error)}`,
      };
    } finally {
      ssoAdmin?.destroy();
      identityStore?.destroy();
    }
  }

  private async readOrganization(signal?: AbortSignal): Promise<Outcome> {
    const org = this.options.organizationPolicies!;
    const key = `organization:${org.accountId ?? 'main'}`;
    let client: OrganizationsClient | undefined;
    try {
      client = new OrganizationsClient(
        (await this.clientConfig(
          PARTITION_HOME_REGION[this.options.partition ?? 'aws'],
          org.accountId,
        )) as any,
      );
      const { document, calls } = await readOrganizationPolicies(client, {
        concurrency: this.options.concurrency,
        signal,
      });
      return this.ok(key, document, calls);
    } catch (error) {
      return {
        ok: false,
        key,
        reason: `Organizations RCPs: ${describeError(error)}`,
      };
    } finally {
      client?.destroy();
    }
  }

  private async readEks(
    accountId: string,
    region: string,
    signal?: AbortSignal,
  ): Promise<Outcome[]> {
    const eks = this.options.eks!;
    const where = `${accountId}:${region}`;
    const keyOf = (cluster: string) => `pod-identity:${where}:${cluster}`;
    let client: EKSClient | undefined;
    try {
      client = new EKSClient(
        (await this.clientConfig(region, accountId)) as any,
      );
      let clusters = eks.clusters;
      let listCalls = 0;
      if (!clusters) {
        try {
          const listed = await listClusters(client, { signal });
          clusters = listed.clusters;
          listCalls = listed.calls;
          this.knownClusters.set(where, clusters);
        } catch (error) {
          const known = this.knownClusters.get(where) ?? [];
          return [
            {
              ok: false,
              error: `EKS ListClusters in account ${accountId}, ${region} failed, keeping the Pod Identity associations of the ${
                known.length
              } clusters found last time: ${describeError(error)}`,
              keep: known.map(keyOf),
            },
          ];
        }
      }
      const eksClient = client;
      const perCluster = await mapWithConcurrency(
        clusters,
        this.options.concurrency,
        async (clusterName, i): Promise<Outcome[]> => {
          // The cluster's name and OIDC issuer (what IRSA trust names) are read apart from its
          // associations: a denied DescribeCluster keeps the last answer and loses nothing else.
          const described = `${where}:${clusterName}`;
          const out: Outcome[] = [];
          let cluster: Record<string, unknown> | string = clusterName;
          try {
            cluster = await describeCluster(eksClient, clusterName, { signal });
            this.knownDescriptions.set(described, cluster);
          } catch (error) {
            const known = this.knownDescriptions.get(described);
            if (known) cluster = known;
            out.push({
              ok: false,
              error: `EKS DescribeCluster of ${clusterName} (account ${accountId}, ${region}) failed, ${
                known
                  ? 'keeping its name and OIDC issuer read last time'
                  : 'its IRSA roles name it by OIDC issuer id only'
              }: ${describeError(error)}`,
              keep: [],
            });
          }
          try {
            const { associations, calls } = await readClusterAssociations(
              eksClient,
              clusterName,
              { concurrency: this.options.concurrency, signal },
            );
            out.unshift(
              this.ok(
                keyOf(clusterName),
                {
                  kind: 'aws-eks-pod-identity',
                  accountId,
                  region,
                  clusters: [cluster],
                  associations,
                },
                // DescribeCluster once per cluster; ListClusters once, on the first cluster.
                calls + 1 + (i === 0 ? listCalls : 0),
              ),
            );
          } catch (error) {
            out.unshift({
              ok: false,
              key: keyOf(clusterName),
              reason: `EKS cluster ${clusterName} (account ${accountId}, ${region}): ${describeError(
                error,
              )}`,
            });
          }
          return out;
        },
      );
      return perCluster.flat();
    } catch (error) {
      // Credentials for the account could not be had: every cluster of it keeps its data.
      return [
        {
          ok: false,
          error: `EKS in account ${accountId}, ${region}: ${describeError(
            error,
          )}`,
          keep: (eks.clusters ?? this.knownClusters.get(where) ?? []).map(
            keyOf,
          ),
        },
      ];
    } finally {
      client?.destroy();
    }
  }

  async read(options: {
    accountIds: string[];
    signal?: AbortSignal;
  }): Promise<EffectiveAccessRead> {
    const { identityCenter, eks, organizationPolicies } = this.options;
    const jobs: Array<() => Promise<Outcome[]>> = [];
    if (identityCenter) {
      jobs.push(async () => [await this.readIdentityCenter(options.signal)]);
    }
    if (organizationPolicies) {
      jobs.push(async () => [await this.readOrganization(options.signal)]);
    }
    if (eks) {
      for (const accountId of eks.accounts ?? options.accountIds) {
        for (const region of eks.regions) {
          jobs.push(() => this.readEks(accountId, region, options.signal));
        }
      }
    }
    const outcomes = (
      await mapWithConcurrency(jobs, this.options.concurrency, job => job())
    ).flat();
    const result: EffectiveAccessRead = {
      datasets: [],
      complete: true,
      errors: [],
    };
    for (const outcome of outcomes) {
      if ('error' in outcome) {
        result.errors.push(outcome.error);
        for (const key of outcome.keep) {
          result.datasets.push({ ok: false, key, reason: outcome.error });
        }
      } else {
        result.datasets.push(outcome);
      }
    }
    return result;
  }
}
