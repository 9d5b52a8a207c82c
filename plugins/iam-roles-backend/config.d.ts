export interface Config {
  /** Configuration of the IAM roles plugin family. */
  iamRoles?: {
    /** How the trust index is kept fresh from the catalog. */
    trust?: {
      /** Seconds between two reads of the role entities from the catalog (default 60). */
      refreshIntervalSeconds?: number;
    };
    /** The broker's actions in the actions registry (exposed to AI agents by the MCP actions backend). */
    actions?: {
      /**
       * Service principal subjects (e.g. `incident-agent`, the subject of a static external access token, or `plugin:scaffolder`) that may
       * call request-access and cancel-request as themselves; other callers of those actions must be
       * users. The read-only actions need only the trust read permission.
       */
      allowedServicePrincipals?: string[];
    };
    /** Trust history: a version of a role each time its trust, findings, owner, policies, boundary or Identity Center assignments change. */
    history?: {
      /** Whether to record and serve the history (default true). */
      enabled?: boolean;
      /** Versions seen longer ago than this many days are deleted, except each role's current one (default 365). */
      retentionDays?: number;
      /**
       * Archived `get-account-authorization-details` snapshots to record before the catalog's roles,
       * oldest first, each once: a role gets a version from an archive when it has none seen since.
       */
      seed?: Array<{
        /** Path of the snapshot file (relative to the backend's working directory). */
        path: string;
        /** When the snapshot was taken (ISO 8601), recorded as the time its versions were seen. */
        at: string;
      }>;
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
       * Approver rules by role pattern; the first rule whose pattern matches the role's entity ref or
       * ARN applies (IAM wildcards `*` and `?`). A role's own annotations (approver-groups,
       * eligible-groups, approval-quorum, break-glass) take precedence field by field.
       */
      roleRules?: Array<{
        /** Entity refs or ARNs, with wildcards, e.g. `resource:default/prod-*` or `arn:aws:iam::111111111111:role/*`. */
        roles: string[];
        /** Groups whose members decide requests for these roles, instead of the role's owner. */
        approverGroups?: string[];
        /** Distinct approvals a request needs. */
        quorum?: number;
        /** Only members of these groups may request the roles (default: everyone). */
        eligibleGroups?: string[];
        /** Whether break-glass is allowed on these roles (default false). */
        breakGlass?: boolean;
      }>;
      /** Break-glass: immediate grants on roles that allow it (off for every role by default). */
      breakGlass?: {
        /** Longest break-glass grant, in minutes (default 60). */
        maxDurationMinutes?: number;
      };
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
