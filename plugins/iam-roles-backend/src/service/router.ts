import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  AuditEntry,
  iamRoleAccessRequestApprovePermission,
  iamRoleAccessRequestCreatePermission,
  iamRoleAccessRequestReadPermission,
  iamRoleCredentialsIssuePermission,
  iamRolesAuditReadPermission,
} from '@backstage-iam/plugin-iam-roles-common';
import { AccessBroker, Caller, RateLimitedError } from './AccessBroker';
import { BrokerConfig } from './BrokerConfig';
import { TrustService, normalizeRef } from './TrustService';

/** Dependencies of {@link createRouter}. */
export interface RouterOptions {
  broker: AccessBroker;
  trust: TrustService;
  config: BrokerConfig;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
}

const REQUEST_STATUSES = [
  'pending',
  'approved',
  'denied',
  'cancelled',
  'expired',
] as const;
const GRANT_STATUSES = ['active', 'revoked', 'expired'] as const;
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

function parse<T extends z.ZodTypeAny>(
  schema: T,
  value: unknown,
  where: string,
): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map(issue => {
      const path = issue.path.join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    });
    throw new InputError(`Invalid ${where}: ${problems.join('; ')}`);
  }
  return result.data;
}

const entityRef = (field: string, example: string) =>
  z
    .string({
      required_error: `${field} is required, e.g. ${example}`,
      invalid_type_error: `${field} must be a string entity reference, e.g. ${example}`,
    })
    .trim()
    .min(1, `${field} must not be empty, e.g. ${example}`)
    .refine(
      v => {
        try {
          normalizeRef(v, 'resource');
          return true;
        } catch {
          return false;
        }
      },
      { message: `${field} must be an entity reference, e.g. ${example}` },
    );

const statusList = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .optional()
    .transform(v => (v ? v.split(',').map(s => s.trim()) : undefined))
    .pipe(
      z
        .array(
          z.enum(values, {
            errorMap: () => ({
              message: `status must be one or more of ${values.join(
                ', ',
              )} (comma separated)`,
            }),
          }),
        )
        .optional(),
    );

const paging = {
  limit: z.coerce
    .number({ invalid_type_error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(500, 'limit must be at most 500')
    .default(100),
  offset: z.coerce
    .number({ invalid_type_error: 'offset must be a number' })
    .int('offset must be a whole number')
    .min(0, 'offset must not be negative')
    .default(0),
};

const booleanFlag = z
  .enum(['true', 'false'], {
    errorMap: () => ({ message: 'must be true or false' }),
  })
  .optional()
  .transform(v => v === 'true');

const isoDate = (field: string) =>
  z
    .string()
    .datetime({
      offset: true,
      message: `${field} must be an ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z`,
    })
    .optional()
    .transform(v => (v ? new Date(v).toISOString() : undefined));

const AUDIT_COLUMNS: Array<keyof AuditEntry> = [
  'id',
  'at',
  'actor',
  'action',
  'requestId',
  'grantId',
  'roleRef',
  'fromState',
  'toState',
  'reason',
];

function csvCell(value: unknown): string {
  let s = value === undefined || value === null ? '' : String(value);
  // Spreadsheets execute cells that start with these; prefix them so an export is never a payload.
  if (/^[=+\-@\t\r]/.test(s)) {
    s = `'${s}`;
  }
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The HTTP API of the broker (`/api/iam-roles`); `src/schema/openapi.yaml` describes it. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { broker, trust, config, httpAuth, userInfo, permissions, auditor } =
    options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));
  // A client that hangs up before its body arrives is not a server error: answer (to nobody) 400
  // instead of logging a 500 with a stack.
  router.use(
    (
      error: { type?: string },
      _req: express.Request,
      _res: express.Response,
      next: express.NextFunction,
    ) => {
      next(
        error?.type === 'stream.not.readable' ||
          error?.type === 'request.aborted'
          ? new InputError(
              'The request body could not be read: the connection closed before it arrived.',
            )
          : error,
      );
    },
  );

  const caller = async (
    req: express.Request,
  ): Promise<Caller & { credentials: any }> => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const info = await userInfo.getUserInfo(credentials);
    return {
      credentials,
      userRef: info.userEntityRef.toLocaleLowerCase('en-US'),
      ownershipRefs: info.ownershipEntityRefs.map(r =>
        r.toLocaleLowerCase('en-US'),
      ),
    };
  };

  async function authorize(
    who: { credentials: any },
    permission: BasicPermission | ResourcePermission,
    resourceRef?: string,
  ) {
    const [decision] = await permissions.authorize(
      [
        resourceRef
          ? { permission: permission as ResourcePermission, resourceRef }
          : { permission: permission as BasicPermission },
      ],
      { credentials: who.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `The permission policy does not allow ${permission.name}${
          resourceRef ? ` on ${resourceRef}` : ''
        }.`,
      );
    }
  }

  /** Runs a state change inside an auditor event, so success and failure both reach the audit sink. */
  async function audited<T>(
    req: express.Request,
    eventId: string,
    meta: Record<string, string | undefined>,
    fn: () => Promise<T>,
    severityLevel: 'low' | 'medium' | 'high' = 'medium',
  ): Promise<T> {
    const cleanMeta = Object.fromEntries(
      Object.entries(meta).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    const event = await auditor.createEvent({
      eventId,
      severityLevel,
      request: req,
      meta: cleanMeta,
    });
    try {
      const result = await fn();
      await event.success();
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  /**
   * The start of every read route: a signed-in caller, a valid input (400 otherwise), then the
   * read permission (403 otherwise), in that order.
   */
  async function readerOf<T extends z.ZodTypeAny>(
    req: express.Request,
    schema: T,
    input: unknown,
    where: string,
  ) {
    const who = await caller(req);
    const value = parse(schema, input, where);
    await authorize(who, iamRoleAccessRequestReadPermission);
    return { who, value };
  }

  router.get('/config', async (req, res) => {
    await caller(req);
    res.json(broker.info());
  });

  router.get('/roles/trust', async (req, res) => {
    const { value: q } = await readerOf(
      req,
      z.object({
        entityRef: entityRef('entityRef', 'resource:default/payments-deploy'),
      }),
      req.query,
      'query',
    );
    res.json(await trust.roleTrust(q.entityRef));
  });

  router.get('/assumable', async (req, res) => {
    const { value: q } = await readerOf(
      req,
      z.object({
        entityRef: entityRef('entityRef', 'component:default/payments-api'),
      }),
      req.query,
      'query',
    );
    res.json(await trust.assumable(q.entityRef));
  });

  router.get('/lookup', async (req, res) => {
    const { value: q } = await readerOf(
      req,
      z.object({
        q: z
          .string({
            required_error:
              'q is required: an ARN, a 12-digit account id, github:OWNER/REPO[@REF], service:NAME or an OIDC provider host',
          })
          .trim()
          .min(1, 'q must not be empty')
          .max(2048, 'q is too long'),
      }),
      req.query,
      'query',
    );
    res.json(await trust.lookup(q.q));
  });

  router.get('/findings', async (req, res) => {
    const { value: q } = await readerOf(
      req,
      z.object({
        owner: entityRef('owner', 'group:default/team-payments').optional(),
        severity: z
          .enum(SEVERITIES, {
            errorMap: () => ({
              message: `severity must be one of ${SEVERITIES.join(
                ', ',
              )} (the minimum level)`,
            }),
          })
          .optional(),
      }),
      req.query,
      'query',
    );
    res.json(await trust.findings(q));
  });

  const createBody = z.object({
    roleRef: entityRef('roleRef', 'resource:default/payments-deploy'),
    justification: z
      .string({
        required_error:
          'justification is required: say why you need the access (10–1000 characters)',
      })
      .trim()
      .min(
        10,
        'justification must be at least 10 characters: say what you will do with the access',
      )
      .max(1000, 'justification must be at most 1000 characters'),
    durationMinutes: z
      .number({
        required_error: `durationMinutes is required (${config.minDurationMinutes}–${config.maxDurationMinutes})`,
        invalid_type_error: 'durationMinutes must be a number of minutes',
      })
      .int('durationMinutes must be a whole number of minutes')
      .min(
        config.minDurationMinutes,
        `durationMinutes must be at least ${config.minDurationMinutes} (STS issues no shorter session)`,
      )
      .max(
        config.maxDurationMinutes,
        `durationMinutes must be at most ${config.maxDurationMinutes} (iamRoles.broker.maxDurationMinutes)`,
      ),
    ticket: z
      .string()
      .trim()
      .max(200, 'ticket must be at most 200 characters')
      .optional(),
    idempotencyKey: z
      .string()
      .trim()
      .min(1)
      .max(200, 'idempotencyKey must be at most 200 characters')
      .optional(),
  });

  router.post('/requests', async (req, res) => {
    const who = await caller(req);
    const body = parse(createBody, req.body ?? {}, 'request body');
    const header = req.header('idempotency-key');
    const idempotencyKey =
      body.idempotencyKey ??
      (header
        ? parse(
            z.string().trim().min(1).max(200),
            header,
            'Idempotency-Key header',
          )
        : undefined);
    const roleRef = normalizeRef(body.roleRef, 'resource');
    await authorize(who, iamRoleAccessRequestCreatePermission, roleRef);
    try {
      const result = await audited(
        req,
        'access-request',
        { actionType: 'create', roleRef },
        () => broker.createRequest(who, { ...body, roleRef, idempotencyKey }),
      );
      if (!result.created) {
        res.setHeader('Idempotent-Replayed', 'true');
      }
      res.status(result.created ? 201 : 200).json(result.request);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        res
          .status(429)
          .setHeader('Retry-After', String(error.retryAfterSeconds))
          .json({
            error: { name: error.name, message: error.message },
            request: { method: req.method, url: req.originalUrl },
            response: { statusCode: 429 },
          });
        return;
      }
      throw error;
    }
  });

  router.get('/requests', async (req, res) => {
    const { who, value: q } = await readerOf(
      req,
      z.object({
        mine: booleanFlag,
        roleRef: entityRef(
          'roleRef',
          'resource:default/payments-deploy',
        ).optional(),
        status: statusList(REQUEST_STATUSES),
        ...paging,
      }),
      req.query,
      'query',
    );
    res.json(await broker.listRequests(who, q));
  });

  const idParam = z.object({
    id: z.string().uuid('id must be a request or grant id (a UUID)'),
  });

  router.get('/requests/:id', async (req, res) => {
    const {
      who,
      value: { id },
    } = await readerOf(req, idParam, req.params, 'path');
    res.json(await broker.getRequest(who, id));
  });

  const reasonBody = (required: boolean) =>
    z.object({
      reason: required
        ? z
            .string({
              required_error: 'reason is required: tell the requester why',
            })
            .trim()
            .min(
              3,
              'reason must be at least 3 characters: tell the requester why',
            )
            .max(1000, 'reason must be at most 1000 characters')
        : z
            .string()
            .trim()
            .max(1000, 'reason must be at most 1000 characters')
            .optional(),
    });

  router.post('/requests/:id/approve', async (req, res) => {
    const {
      who,
      value: { id },
    } = await readerOf(req, idParam, req.params, 'path');
    const body = parse(reasonBody(false), req.body ?? {}, 'request body');
    const existing = await broker.getRequestForDecision(id);
    await authorize(
      who,
      iamRoleAccessRequestApprovePermission,
      existing.roleRef,
    );
    const result = await audited(
      req,
      'access-request',
      { actionType: 'approve', requestId: id, roleRef: existing.roleRef },
      () => broker.approve(who, id, body.reason || undefined),
    );
    res.json(result.request);
  });

  router.post('/requests/:id/deny', async (req, res) => {
    const who = await caller(req);
    const { id } = parse(idParam, req.params, 'path');
    const body = parse(reasonBody(true), req.body ?? {}, 'request body');
    const existing = await broker.getRequestForDecision(id);
    await authorize(
      who,
      iamRoleAccessRequestApprovePermission,
      existing.roleRef,
    );
    res.json(
      await audited(
        req,
        'access-request',
        { actionType: 'deny', requestId: id, roleRef: existing.roleRef },
        () => broker.deny(who, id, body.reason!),
      ),
    );
  });

  router.post('/requests/:id/cancel', async (req, res) => {
    const who = await caller(req);
    const { id } = parse(idParam, req.params, 'path');
    res.json(
      await audited(
        req,
        'access-request',
        { actionType: 'cancel', requestId: id },
        () => broker.cancel(who, id),
      ),
    );
  });

  router.get('/approvals', async (req, res) => {
    const { who, value: q } = await readerOf(
      req,
      z.object({ limit: paging.limit }),
      req.query,
      'query',
    );
    res.json(await broker.approvals(who, q.limit));
  });

  router.get('/grants', async (req, res) => {
    const { who, value: q } = await readerOf(
      req,
      z.object({
        mine: booleanFlag,
        roleRef: entityRef(
          'roleRef',
          'resource:default/payments-deploy',
        ).optional(),
        status: statusList(GRANT_STATUSES),
        ...paging,
      }),
      req.query,
      'query',
    );
    res.json(await broker.listGrants(who, q));
  });

  router.post('/grants/:id/revoke', async (req, res) => {
    const who = await caller(req);
    const { id } = parse(idParam, req.params, 'path');
    const body = parse(reasonBody(true), req.body ?? {}, 'request body');
    const grant = await broker.getGrantForDecision(id);
    if (grant.user !== who.userRef) {
      await authorize(
        who,
        iamRoleAccessRequestApprovePermission,
        grant.roleRef,
      );
    }
    res.json(
      await audited(
        req,
        'grant',
        { actionType: 'revoke', grantId: id, roleRef: grant.roleRef },
        () => broker.revoke(who, id, body.reason!),
      ),
    );
  });

  router.post('/grants/:id/credentials', async (req, res) => {
    const who = await caller(req);
    const { id } = parse(idParam, req.params, 'path');
    const grant = await broker.getGrantForDecision(id);
    await authorize(who, iamRoleCredentialsIssuePermission, grant.roleRef);
    const credentials = await audited(
      req,
      'credentials',
      { actionType: 'issue', grantId: id, roleRef: grant.roleRef },
      () => broker.issueCredentials(who, id),
      'high',
    );
    res.setHeader('Cache-Control', 'no-store');
    res.json(credentials);
  });

  router.get('/audit', async (req, res) => {
    const who = await caller(req);
    const q = parse(
      z.object({
        roleRef: entityRef(
          'roleRef',
          'resource:default/payments-deploy',
        ).optional(),
        requestId: z.string().uuid('requestId must be a UUID').optional(),
        actor: entityRef('actor', 'user:default/jane')
          .optional()
          .transform(v => (v ? normalizeRef(v, 'user') : undefined)),
        action: z.string().trim().max(64).optional(),
        from: isoDate('from'),
        to: isoDate('to'),
        format: z
          .enum(['json', 'csv', 'jsonl'], {
            errorMap: () => ({ message: 'format must be json, csv or jsonl' }),
          })
          .default('json'),
        limit: z.coerce
          .number()
          .int()
          .min(1)
          .max(10000, 'limit must be at most 10000')
          .default(1000),
      }),
      req.query,
      'query',
    );
    await authorize(who, iamRolesAuditReadPermission);
    const entries = await audited(
      req,
      'audit-read',
      { actionType: q.format, roleRef: q.roleRef },
      () => broker.audit(who, q),
      'low',
    );
    if (q.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader(
        'Content-Disposition',
        'attachment; filename="iam-roles-audit.csv"',
      );
      const lines = [AUDIT_COLUMNS.join(',')];
      for (const e of entries) {
        lines.push(AUDIT_COLUMNS.map(c => csvCell(e[c])).join(','));
      }
      res.send(`${lines.join('\r\n')}\r\n`);
      return;
    }
    if (q.format === 'jsonl') {
      res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
      res.setHeader(
        'Content-Disposition',
        'attachment; filename="iam-roles-audit.jsonl"',
      );
      res.send(entries.map(e => `${JSON.stringify(e)}\n`).join(''));
      return;
    }
    res.json(entries);
  });

  return router;
}
