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
      /** Per-user limit on creating requests. */
      rateLimit?: {
        /** Requests a user may create per window (default 10). */
        maxRequests?: number;
        /** Window length in seconds (default 3600). */
        windowSeconds?: number;
      };
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
