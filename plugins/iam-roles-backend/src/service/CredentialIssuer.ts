import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { createHash } from 'node:crypto';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { IssuedCredentials } from '@backstage-iam/plugin-iam-roles-common';

/** STS refuses sessions shorter than this. */
export const STS_MIN_SESSION_SECONDS = 900;
/** STS caps sessions of a role assumed with role credentials (role chaining) at one hour. */
export const STS_CHAINING_MAX_SECONDS = 3600;

/** What a credential issue needs; secrets never pass through here, only into the response. */
export interface IssueOptions {
  roleArn: string;
  userRef: string;
  requestId: string;
  approvers: string[];
  grantSecondsLeft: number;
}

/** Issues short-lived credentials for a grant. */
export interface CredentialIssuer {
  issue(options: IssueOptions): Promise<IssuedCredentials>;
}

const SAFE_PART = /^[A-Za-z0-9_.-]+$/;
const STS_IDENTITY_MAX = 64;

/**
 * `SourceIdentity` and `RoleSessionName` from a user entity ref, one-to-one so that CloudTrail tells
 * every user apart. Within STS's `[\w+=,.@-]{2,64}`: a user of the default namespace is its name,
 * any other is `namespace=name` (entity names and namespaces hold no `=`), and a ref that does not
 * fit (too long, too short, other characters) is a readable prefix, `@`, and 16 hex digits of the
 * ref's SHA-256 — the plain forms never hold `@`, so the forms cannot meet.
 */
export function sessionIdentityOf(userRef: string): string {
  const { namespace, name } = parseEntityRef(
    userRef.toLocaleLowerCase('en-US'),
    {
      defaultKind: 'user',
      defaultNamespace: 'default',
    },
  );
  const plain = namespace === 'default' ? name : `${namespace}=${name}`;
  if (
    SAFE_PART.test(namespace) &&
    SAFE_PART.test(name) &&
    plain.length >= 2 &&
    plain.length <= STS_IDENTITY_MAX
  ) {
    return plain;
  }
  const digest = createHash('sha256')
    .update(stringifyEntityRef({ kind: 'user', namespace, name }))
    .digest('hex')
    .slice(0, 16);
  const prefix = plain
    .replace(/[^A-Za-z0-9_.=-]/g, '-')
    .slice(0, STS_IDENTITY_MAX - digest.length - 1);
  return `${prefix}@${digest}`;
}

/** STS session tag values allow letters, digits, spaces and `_.:/=+-@`, up to 256 chars. */
function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
}

/** The session length: the least of the grant's remaining time, the configured cap, and one hour when chaining. */
export function sessionDurationSeconds(options: {
  grantSecondsLeft: number;
  capMinutes: number;
  roleChaining: boolean;
}): number {
  let seconds = Math.min(
    Math.floor(options.grantSecondsLeft),
    Math.floor(options.capMinutes * 60),
  );
  if (options.roleChaining) {
    seconds = Math.min(seconds, STS_CHAINING_MAX_SECONDS);
  }
  return seconds;
}

/** Calls STS `AssumeRole` with the broker's credentials from `@backstage/integration-aws-node`. */
export class StsCredentialIssuer implements CredentialIssuer {
  private clientPromise?: Promise<{ client: STSClient; chaining: boolean }>;

  private constructor(
    private readonly manager: AwsCredentialsManager,
    private readonly options: {
      accountId?: string;
      region: string;
      capMinutes: number;
      roleChaining?: boolean;
      brokerPrincipalArn?: string;
      /** For tests: SDK client settings such as a fast retry strategy. */
      clientConfig?: Record<string, unknown>;
    },
  ) {}

  static create(
    manager: AwsCredentialsManager,
    options: {
      accountId?: string;
      region: string;
      capMinutes: number;
      roleChaining?: boolean;
      brokerPrincipalArn?: string;
      clientConfig?: Record<string, unknown>;
    },
  ): StsCredentialIssuer {
    return new StsCredentialIssuer(manager, options);
  }

  private async client() {
    if (!this.clientPromise) {
      this.clientPromise = (async () => {
        const provider = await this.manager.getCredentialProvider(
          this.options.accountId ? { accountId: this.options.accountId } : {},
        );
        const brokerArn = provider.roleArn ?? this.options.brokerPrincipalArn;
        const chaining =
          this.options.roleChaining ??
          (provider.roleArn !== undefined ||
            /:(role|assumed-role)\//.test(brokerArn ?? ''));
        const client = new STSClient({
          region: this.options.region,
          credentials: provider.sdkCredentialProvider,
          ...this.options.clientConfig,
        });
        return { client, chaining };
      })().catch(error => {
        this.clientPromise = undefined;
        throw error;
      });
    }
    return this.clientPromise;
  }

  async issue(options: IssueOptions): Promise<IssuedCredentials> {
    const { client, chaining } = await this.client();
    const durationSeconds = sessionDurationSeconds({
      grantSecondsLeft: options.grantSecondsLeft,
      capMinutes: this.options.capMinutes,
      roleChaining: chaining,
    });
    if (durationSeconds < STS_MIN_SESSION_SECONDS) {
      throw new RangeError(
        `The grant has ${Math.floor(
          options.grantSecondsLeft / 60,
        )} minutes left, and STS issues no session shorter than 15 minutes; request access again.`,
      );
    }
    const identity = sessionIdentityOf(options.userRef);
    const response = await client.send(
      new AssumeRoleCommand({
        RoleArn: options.roleArn,
        RoleSessionName: identity,
        SourceIdentity: identity,
        DurationSeconds: durationSeconds,
        Tags: [
          { Key: 'backstage:request-id', Value: tagValue(options.requestId) },
          {
            Key: 'backstage:approver',
            Value: tagValue(options.approvers.join(' ')),
          },
          { Key: 'backstage:user', Value: tagValue(options.userRef) },
        ],
      }),
    );
    const c = response.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      throw new Error('STS AssumeRole returned no credentials');
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: (
        c.Expiration ?? new Date(Date.now() + durationSeconds * 1000)
      ).toISOString(),
      roleArn: options.roleArn,
      region: this.options.region,
    };
  }
}
