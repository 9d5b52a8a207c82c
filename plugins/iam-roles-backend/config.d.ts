export interface Config {
  /** Configuration of the IAM roles plugin family. */
  iamRoles?: {
    /** How the trust index is kept fresh from the catalog. */
    trust?: {
      /** Seconds between two reads of the role entities from the catalog (default 60). */
      refreshIntervalSeconds?: number;
    };
    /** The access broker: requests, approvals, grants and credentials. */
    broker?: {
      /** Longest grant a request may ask for, in minutes (default 480). */
      maxDurationMinutes?: number;
      /** Duration the UI proposes, in minutes (default 60). */
      defaultDurationMinutes?: number;
      /** A pending request without a decision expires after this many hours (default 72). */
      requestTtlHours?: number;
      /** Group entity refs whose members may decide on any request, besides the role's owner. */
      approverGroups?: string[];
      /** Approvals a request needs when the role has no approval-quorum annotation (default 1). */
      defaultQuorum?: number;
      /** Requests matching a rule are approved by the broker itself. Off unless rules are listed. */
      autoApprove?: Array<{
        /** Role entity refs the rule covers; absent means every role. */
        roleRefs?: string[];
        /** Group or user entity refs; the requester's ownership refs must contain one. */
        requesterRefs: string[];
        /** Longest duration the rule approves, in minutes. */
        maxDurationMinutes: number;
      }>;
      /**
       * Per-user limit on creating requests, over a sliding window counted from the requests in the
       * database: it holds across replicas and restarts; beyond it the broker answers 429 with Retry-After.
       */
      rateLimit?: {
        /** Requests a user may create per window (default 10). */
        maxRequests?: number;
        /** Window length in seconds (default 3600). */
        windowSeconds?: number;
      };
      /** Largest request body the broker reads, in bytes (default 65536, from 1024 to 10485760); a larger one is a 413. */
      maxBodyBytes?: number;
      /** How often the expiry task runs, in seconds (default 60). */
      expiryIntervalSeconds?: number;
      /** STS settings for issuing credentials (only used when the `aws` section exists). */
      sts?: {
        /** Account whose credentials (from the `aws` section) the broker uses; the main account when absent. */
        accountId?: string;
        /** STS region (default us-east-1). */
        region?: string;
        /** Longest session STS is asked for, in minutes (default 60). */
        sessionDurationCapMinutes?: number;
        /** ARN of the broker's own IAM principal; roles must trust it. Shown in the trust statement. */
        brokerPrincipalArn?: string;
        /** Whether the broker's own credentials come from a role (STS then caps sessions at one hour). Detected from the ARN when absent. */
        roleChaining?: boolean;
      };
    };
  };
}
