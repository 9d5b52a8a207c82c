/** Kinds of principal a trust policy can name. */
export type PrincipalKind =
  | 'public'
  | 'account'
  | 'role'
  | 'user'
  | 'assumed-role'
  | 'federated-user'
  | 'service'
  | 'oidc'
  | 'saml'
  | 'canonical-user'
  | 'unique-id';

/** Severity of a finding. */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** Identifiers of the findings the engine reports. */
export type FindingId =
  | 'public-trust'
  | 'not-principal'
  | 'oidc-unrestricted-subject'
  | 'oidc-broad-subject'
  | 'oidc-missing-audience'
  | 'saml-missing-audience'
  | 'cross-account-no-external-id'
  | 'account-root-trust'
  | 'dangling-principal'
  | 'service-confused-deputy'
  | 'invalid-policy'
  | 'cognito-guest-access'
  | 'roles-anywhere-any-anchor';

/** One condition clause: operator (as written, e.g. `StringLike`, `ForAnyValue:StringEquals`, `StringEqualsIfExists`), key and values. */
export type ConditionClause = {
  operator: string;
  key: string;
  values: string[];
};

/** A statement of a trust policy after normalisation (arrays everywhere, decoded). */
export type NormalizedStatement = {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Principal block (`Principal`), keyed by type (`AWS`, `Service`, `Federated`, `CanonicalUser`, or `*`). */
  principal?: Record<string, string[]>;
  /** NotPrincipal block, when the statement uses it. */
  notPrincipal?: Record<string, string[]>;
  actions?: string[];
  notActions?: string[];
  conditions: ConditionClause[];
};

/** A trust policy after normalisation. */
export type NormalizedPolicy = {
  version?: string;
  statements: NormalizedStatement[];
};

/** A principal that an Allow statement lets in (before Deny and conditions are applied to a caller). */
export type TrustedPrincipal = {
  kind: PrincipalKind;
  /** See the CLI contract: account id, ARN as written, service name, built-in provider name, `*`, or the unique id. */
  id: string;
  /** Account the principal lives in, when known (account, role, user, assumed-role, federated-user, oidc, saml). */
  accountId?: string;
  /** Assume actions this principal is allowed, e.g. `sts:AssumeRoleWithWebIdentity`, `sts:TagSession`. */
  actions: string[];
  conditions: ConditionClause[];
  /** For `oidc`: the well-known provider, when recognised (`github`, `gitlab`, `eks`, `cognito`, …). */
  provider?: string;
  statementIndex: number;
  sid?: string;
  /** For a `public` principal that comes from `NotPrincipal`: the principals it excludes. */
  except?: string[];
};

/** A finding: what is risky, why, and how to fix it. */
export type Finding = {
  id: FindingId;
  severity: Severity;
  /** What, why it matters, and how to fix it. */
  message: string;
  statementIndex?: number;
  sid?: string;
  /** The principal id the finding is about, when it is about one. */
  principal?: string;
};

/** The engine's answer for one role. */
export type RoleAnalysis = {
  arn: string;
  accountId: string;
  name: string;
  path: string;
  principals: TrustedPrincipal[];
  findings: Finding[];
  /** The normalised policy; absent when the document could not be read (then an `invalid-policy` finding). */
  policy?: NormalizedPolicy;
};

/** What a caller presents when it tries to assume a role. */
export type PrincipalContext =
  | { type: 'arn'; arn: string } // IAM or STS ARN: role, user, assumed-role, federated-user, account root
  | { type: 'account'; accountId: string }
  | {
      type: 'service';
      service: string;
      /** `aws:SourceArn` of the request, e.g. a Roles Anywhere trust anchor; unknown when absent. */
      sourceArn?: string;
      /** `aws:SourceAccount`; taken from `sourceArn` when that names an account. */
      sourceAccount?: string;
      /** Principal tags the service passes, e.g. Roles Anywhere's `x509Subject/CN`; unknown when absent. */
      principalTags?: Record<string, string>;
      /** Session tags the service passes in the request (`aws:RequestTag/…`), e.g. EKS Pod Identity's `kubernetes-namespace`; a tag not given is unknown. */
      requestTags?: Record<string, string>;
      /** The request carries exactly `requestTags` (none when absent): a tag not given is absent, not unknown (Pod Identity with `disableSessionTags`). */
      requestTagsComplete?: boolean;
    }
  | {
      type: 'github';
      owner: string;
      repo: string;
      /** e.g. `refs/heads/main`, `refs/tags/v1`; absent for an environment-only context. */
      ref?: string;
      environment?: string;
      /** A `pull_request` workflow (sub `repo:OWNER/REPO:pull_request`). */
      pullRequest?: boolean;
      /** Defaults to `sts.amazonaws.com`. */
      audience?: string;
    }
  | {
      type: 'eks';
      /** OIDC provider ARN or issuer host of the cluster, when known. */
      provider?: string;
      namespace: string;
      serviceAccount: string;
    }
  | {
      type: 'oidc';
      provider: string;
      claims: Record<string, string | string[]>;
    }
  | {
      type: 'saml';
      provider: string;
      claims?: Record<string, string | string[]>;
    }
  | {
      /**
       * A user or group of an Identity Center identity store, by user name, email or id (users) or
       * display name or id (groups). It never calls STS itself: the access portal signs it in with
       * SAML to the roles of its account assignments, so trust policies alone give it nothing;
       * `identityCenterRoles` resolves it against the Identity Center data.
       */
      type: 'identity-center';
      principalType: 'USER' | 'GROUP';
      name: string;
    };

/** Outcome of evaluating whether a principal can assume a role. */
export type AssumeOutcome = 'allowed' | 'possible' | 'denied' | 'not-trusted';

/** Answer to "can this principal assume this role". */
export interface AssumeDecision {
  outcome: AssumeOutcome;
  /** The assume action that lets it in (`sts:AssumeRole`, `sts:AssumeRoleWithWebIdentity`, `sts:AssumeRoleWithSAML`). */
  via?: string;
  /** For `possible`: the conditions the context could not settle, e.g. `sts:ExternalId`. */
  conditions: ConditionClause[];
  /** Statement that decided (the Allow that admits, or the Deny that refuses). */
  statementIndex?: number;
}

/** A role as read from `get-account-authorization-details` (AWS CLI or raw API form). */
export interface RoleRecord {
  arn: string;
  accountId: string;
  roleName: string;
  roleId: string;
  path: string;
  createDate?: string;
  description?: string;
  maxSessionDuration?: number;
  /** The trust policy as given: object, JSON string, or URL-encoded JSON string. */
  assumeRolePolicyDocument: unknown;
  tags: Record<string, string>;
  lastUsed?: { date?: string; region?: string };
  attachedManagedPolicies: Array<{ name: string; arn: string }>;
  inlinePolicyNames: string[];
  permissionsBoundary?: string;
}
