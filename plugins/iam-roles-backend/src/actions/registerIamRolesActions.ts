import type {
  ActionsRegistryActionOptions,
  ActionsRegistryService,
} from '@backstage/backend-plugin-api/alpha';
import { z } from 'zod';
import {
  iamRoleAccessRequestCreatePermission,
  iamRoleAccessRequestReadPermission,
  iamRolesTrustReadPermission,
  SEVERITIES,
} from '@backstage-iam/plugin-iam-roles-common';
import type { AccessBroker } from '../service/AccessBroker';
import type { BrokerConfig } from '../service/BrokerConfig';
import type { TrustService } from '../service/TrustService';
import {
  createRequestBody,
  entityRef,
  findingsQuery,
  lookupQuery,
  pageOf,
  parse,
} from '../service/requestSchemas';
import { forLog } from '../service/safeText';
import { ActionCallers, ALLOWED_SERVICE_PRINCIPALS_KEY } from './ActionCallers';

/** The zod the actions registry hands to an action's schema functions (its own copy of zod). */
type RegistryZod = Parameters<
  ActionsRegistryActionOptions<any, any>['schema']['input']
>[0];

/** The names of the broker's actions (ids `iam-roles:<name>`, MCP tools `iam-roles.<name>`). */
export const IAM_ROLES_ACTION_NAMES = [
  'who-can-assume',
  'what-can-assume',
  'lookup',
  'list-findings',
  'request-access',
  'cancel-request',
] as const;

const roleTrustInput = z.object({
  roleRef: entityRef('roleRef', 'resource:default/payments-deploy'),
});
const assumableInput = z.object({
  entityRef: entityRef(
    'entityRef',
    'component:default/payments-api',
    'component',
  ),
});
const cancelInput = z.object({
  requestId: z
    .string({ required_error: 'requestId is required' })
    .uuid(
      'requestId must be the id of an access request (a UUID), as request-access returned it',
    ),
});

/**
 * What the audit records of an action's input: the named (or all) string and number fields, made
 * safe for a log (the input is not validated yet when the event starts); free text such as a
 * justification is left to the broker's own audit trail.
 */
function inputMeta(
  input: Record<string, unknown>,
  keys: string[] = Object.keys(input),
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = input[key];
    if (typeof value === 'string' || typeof value === 'number') {
      out[key] = forLog(String(value), 300);
    }
  }
  return out;
}

/**
 * Registers the broker's actions in the actions registry (and so, with the MCP actions backend,
 * as MCP tools). Each action validates its input with the HTTP API's own schema (the registry's
 * schema only tells clients the shape), checks the API's permission and calls the service method
 * the route calls; every call is audited with its caller.
 */
export function registerIamRolesActions(options: {
  actionsRegistry: ActionsRegistryService;
  broker: AccessBroker;
  trust: TrustService;
  config: BrokerConfig;
  callers: ActionCallers;
}): void {
  const { actionsRegistry, broker, trust, config, callers } = options;
  const requestBody = createRequestBody(config);

  /**
   * A read-only trust question, audited whatever its outcome: any authenticated caller (users, and
   * service principals, which the permission framework allows unless their token restricts them)
   * that the trust read permission allows.
   */
  const trustRead = <S extends z.ZodTypeAny, T>(
    action: string,
    credentials: Parameters<ActionCallers['actorOf']>[0],
    input: Record<string, unknown>,
    schema: S,
    fn: (value: z.infer<S>) => Promise<T>,
  ) =>
    callers.audited(
      {
        credentials,
        eventId: 'trust-read',
        action,
        severityLevel: 'low',
        meta: inputMeta(input),
      },
      async () => {
        const value = parse(schema, input, 'input');
        await callers.authorize(credentials, iamRolesTrustReadPermission);
        return fn(value);
      },
    );

  actionsRegistry.register({
    name: 'who-can-assume',
    title: 'Who can assume an IAM role',
    description:
      "Answers who can assume an AWS IAM role from its trust policy: each trusted principal in plain words, the catalog entity it maps to, whether it is outside the organisation's accounts, the roles that reach this one through role chaining, the trust policy's findings, and whether the access broker can grant access to it. Give the role's catalog entity ref (resource:default/NAME); use lookup to go from a principal to roles instead.",
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: zod =>
        zod.object({
          roleRef: zod
            .string()
            .describe(
              'The role\'s catalog entity ref, e.g. "resource:default/payments-deploy" (kind and namespace may be left out)',
            ),
        }),
      output: zod =>
        zod
          .object({
            entityRef: zod.string(),
            analysis: zod
              .object({ arn: zod.string() })
              .passthrough()
              .describe(
                "The trust policy's analysis: principals, conditions and findings",
              ),
            principals: zod.array(
              zod
                .object({
                  description: zod.string(),
                  entityRef: zod.string().optional(),
                  external: zod.boolean().optional(),
                })
                .passthrough(),
            ),
            reachableFrom: zod.array(zod.object({}).passthrough()).optional(),
            broker: zod
              .object({
                trusted: zod.boolean(),
                requiredStatement: zod.record(zod.unknown()).optional(),
              })
              .passthrough(),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) => {
      return {
        output: await trustRead(
          'who-can-assume',
          credentials,
          input,
          roleTrustInput,
          ({ roleRef }) => trust.roleTrust(roleRef),
        ),
      };
    },
  });

  const assumableOutput = (zod: RegistryZod) =>
    zod
      .object({
        query: zod.string(),
        principals: zod.array(zod.object({}).passthrough()),
        roles: zod.array(
          zod
            .object({
              entityRef: zod.string(),
              arn: zod.string(),
              title: zod.string(),
              owner: zod.string().optional(),
              outcome: zod.string(),
              via: zod.string().optional(),
              conditions: zod.array(zod.object({}).passthrough()),
              findings: zod.array(zod.object({}).passthrough()),
              matchedBy: zod.string().optional(),
              through: zod.string().optional(),
            })
            .passthrough(),
        ),
        index: zod.object({}).passthrough().optional(),
        chains: zod.array(zod.object({}).passthrough()).optional(),
        chainsTruncated: zod.boolean().optional(),
      })
      .passthrough();

  actionsRegistry.register({
    name: 'what-can-assume',
    title: 'What a catalog entity can assume',
    description:
      'Lists the AWS IAM roles a catalog entity can assume, as the catalog relations record it: a component (its GitHub repository, Kubernetes service accounts, Pod Identity associations), a user or group (Identity Center; for a group also what the entities it owns can assume, marked "through"), or a role (role chaining). Each role comes with the outcome (allowed or possible), the conditions that decide it and the findings of its trust policy.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: zod =>
        zod.object({
          entityRef: zod
            .string()
            .describe(
              'A catalog entity ref, e.g. "component:default/payments-api", "group:default/payments" or "user:default/jane.doe" (kind defaults to component)',
            ),
        }),
      output: zod => assumableOutput(zod),
    },
    action: async ({ input, credentials }) => {
      return {
        output: await trustRead(
          'what-can-assume',
          credentials,
          input,
          assumableInput,
          ({ entityRef: ref }) => trust.assumable(ref),
        ),
      };
    },
  });

  actionsRegistry.register({
    name: 'lookup',
    title: 'Incident lookup: what a principal can reach',
    description:
      'The incident question: given a principal seen in a log or a leak — an IAM or STS ARN, a 12-digit account id, github:OWNER/REPO[@REF], service:NAME, an OIDC provider host, or a catalog user or group — which AWS IAM roles can it assume directly, under which conditions, and which further roles it reaches through role chaining (shortest paths first).',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: zod =>
        zod.object({
          q: zod
            .string()
            .describe(
              'The principal, e.g. "arn:aws:sts::222222222222:assumed-role/ci/run-42", "333333333333", "github:acme/payments-api@refs/heads/main" or "token.actions.githubusercontent.com"',
            ),
        }),
      output: zod => assumableOutput(zod),
    },
    action: async ({ input, credentials }) => {
      return {
        output: await trustRead(
          'lookup',
          credentials,
          input,
          lookupQuery,
          ({ q }) => trust.lookup(q),
        ),
      };
    },
  });

  actionsRegistry.register({
    name: 'list-findings',
    title: 'List IAM role trust findings',
    description:
      'Lists the findings of the trust policies of all AWS IAM roles in the catalog (e.g. a role any AWS account can assume, a GitHub trust without a subject condition), most severe first, optionally only for one owning group and at or above a severity. One page at a time: totalItems says how many match.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: zod =>
        zod.object({
          owner: zod
            .string()
            .optional()
            .describe(
              'Only roles this group owns, e.g. "group:default/payments"',
            ),
          severity: zod
            .enum(SEVERITIES as unknown as [string, ...string[]])
            .optional()
            .describe('The minimum severity'),
          limit: zod
            .number()
            .int()
            .optional()
            .describe('Rows per page, 1–500 (default 500)'),
          offset: zod
            .number()
            .int()
            .optional()
            .describe('Rows to skip (default 0)'),
        }),
      output: zod =>
        zod.object({
          items: zod.array(
            zod
              .object({
                entityRef: zod.string(),
                arn: zod.string(),
                title: zod.string(),
                owner: zod.string().optional(),
                finding: zod.object({ severity: zod.string() }).passthrough(),
              })
              .passthrough(),
          ),
          totalItems: zod.number(),
          offset: zod.number(),
          limit: zod.number(),
        }),
    },
    action: async ({ input, credentials }) => {
      return {
        output: await trustRead(
          'list-findings',
          credentials,
          input,
          findingsQuery,
          async query => pageOf(await trust.findings(query), query),
        ),
      };
    },
  });

  const requestOutput = (zod: RegistryZod) =>
    zod
      .object({
        id: zod.string(),
        roleRef: zod.string(),
        roleArn: zod.string(),
        requester: zod.string(),
        status: zod.string(),
        durationMinutes: zod.number(),
        justification: zod.string(),
        requiredApprovals: zod.number(),
        approvals: zod.array(zod.object({}).passthrough()),
        createdAt: zod.string(),
        expiresAt: zod.string(),
        grant: zod.object({}).passthrough().optional(),
      })
      .passthrough();

  actionsRegistry.register({
    name: 'request-access',
    title: 'Request time-boxed access to an IAM role',
    description: `Asks for time-boxed access to an AWS IAM role, exactly as a person does in Backstage: the request waits for a member of the role's owning group to approve it (the requester can never approve their own request), unless an auto-approval rule of the broker matches. It returns the request with its status (pending, or approved with the grant). Needs the iam-roles.request.create permission on the role; callers that are not users are refused unless ${ALLOWED_SERVICE_PRINCIPALS_KEY} names them. Repeat a call with the same idempotencyKey to get the same request instead of a second one.`,
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: zod =>
        zod.object({
          roleRef: zod
            .string()
            .describe(
              'The role\'s catalog entity ref, e.g. "resource:default/payments-deploy"',
            ),
          justification: zod
            .string()
            .describe(
              'Why the access is needed and what will be done with it, 10–1000 characters; the approvers read it',
            ),
          durationMinutes: zod
            .number()
            .int()
            .describe(
              `How long the grant lasts once approved, ${config.minDurationMinutes}–${config.maxDurationMinutes} minutes`,
            ),
          ticket: zod
            .string()
            .optional()
            .describe('An incident or change ticket, up to 200 characters'),
          idempotencyKey: zod
            .string()
            .optional()
            .describe(
              'A unique key (e.g. a UUID) that makes a retried call return the first request',
            ),
        }),
      output: zod =>
        zod.object({
          created: zod
            .boolean()
            .describe(
              'false when the idempotency key replayed an earlier request, or the same request was already pending',
            ),
          request: requestOutput(zod),
        }),
    },
    action: async ({ input, credentials }) => {
      const result = await callers.audited(
        {
          credentials,
          eventId: 'access-request',
          action: 'request-access',
          severityLevel: 'medium',
          meta: { actionType: 'create', ...inputMeta(input, ['roleRef']) },
        },
        async () => {
          const who = await callers.actingCaller(credentials, 'request-access');
          const body = parse(requestBody, input, 'input');
          await callers.authorize(
            credentials,
            iamRoleAccessRequestCreatePermission,
            body.roleRef,
          );
          return broker.createRequest(who, body);
        },
      );
      return { output: { created: result.created, request: result.request } };
    },
  });

  actionsRegistry.register({
    name: 'cancel-request',
    title: 'Cancel an access request',
    description: `Withdraws a pending access request; only its requester can. Needs the iam-roles.request.read permission; callers that are not users are refused unless ${ALLOWED_SERVICE_PRINCIPALS_KEY} names them. A request that was already decided cannot be cancelled (a grant ends when it expires or is revoked).`,
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: zod =>
        zod.object({
          requestId: zod
            .string()
            .describe('The id of the request, as request-access returned it'),
        }),
      output: zod => zod.object({ request: requestOutput(zod) }),
    },
    action: async ({ input, credentials }) => {
      const request = await callers.audited(
        {
          credentials,
          eventId: 'access-request',
          action: 'cancel-request',
          severityLevel: 'medium',
          meta: { actionType: 'cancel', ...inputMeta(input, ['requestId']) },
        },
        async () => {
          const who = await callers.actingCaller(credentials, 'cancel-request');
          const { requestId } = parse(cancelInput, input, 'input');
          await callers.authorize(
            credentials,
            iamRoleAccessRequestReadPermission,
          );
          return broker.cancel(who, requestId);
        },
      );
      return { output: { request } };
    },
  });
}
