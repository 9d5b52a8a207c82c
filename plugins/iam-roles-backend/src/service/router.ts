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
import { randomBytes } from 'node:crypto';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  NotImplementedError,
  NotModifiedError,
  ServiceUnavailableError,
} from '@backstage/errors';
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
  iamRolesTrustReadPermission,
  ListPage,
  RoleFinding,
  SEVERITIES,
  Severity,
  toCsv,
} from '@backstage-iam/plugin-iam-roles-common';
import { AccessBroker, Caller } from './AccessBroker';
import { RateLimitedError } from './RateLimitedError';
import { BrokerConfig } from './BrokerConfig';
import { TrustService } from './TrustService';
import {
  booleanFlag,
  entityRef,
  freeText,
  idParam,
  idempotencyKey,
  isoDate,
  paging,
  parse,
  statusList,
} from './requestSchemas';
import { forLog } from './safeText';

/** Status codes of the error types the broker throws on purpose; any other error is a 500 told in no detail. */
const KNOWN_ERRORS: Record<string, number> = {
  [NotModifiedError.name]: 304,
  [InputError.name]: 400,
  [AuthenticationError.name]: 401,
  [NotAllowedError.name]: 403,
  [NotFoundError.name]: 404,
  [ConflictError.name]: 409,
  [RateLimitedError.name]: 429,
  [NotImplementedError.name]: 501,
  [ServiceUnavailableError.name]: 503,
};

/** What a body parser error means, in words that do not quote the body. */
function parserError(error: { type?: string; status?: number }) {
  switch (error.type) {
    case 'entity.parse.failed':
      return new InputError('The request body is not valid JSON.');
    case 'entity.too.large':
      return Object.assign(
        new Error('The request body is larger than 64 kB.'),
        { name: 'PayloadTooLargeError', statusCode: 413 },
      );
    case 'stream.not.readable':
    case 'request.aborted':
      return new InputError(
        'The request body could not be read: the connection closed before it arrived.',
      );
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return Object.assign(new Error('The request body must be UTF-8 JSON.'), {
        name: 'UnsupportedMediaTypeError',
        statusCode: 415,
      });
    default:
      return undefined;
  }
}

/** An error as the auditor records it: the message escaped and cut (it may quote input), no stack. */
function auditedError(error: unknown): Error {
  const e = error as { name?: string; message?: string };
  const out = new Error(forLog(e?.message ?? String(error), 300));
  out.name = e?.name ?? 'Error';
  delete out.stack;
  return out;
}

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
/** -common's severity order, as the tuple zod's enum takes. */
const SEVERITY_VALUES = SEVERITIES as unknown as [Severity, ...Severity[]];

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

/** The HTTP API of the broker (`/api/iam-roles`); `src/schema/openapi.yaml` describes it. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    broker,
    trust,
    config,
    httpAuth,
    userInfo,
    permissions,
    auditor,
    logger,
  } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

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
      await event.fail({ error: auditedError(error) });
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
    permission: BasicPermission = iamRoleAccessRequestReadPermission,
  ) {
    const who = await caller(req);
    const value = parse(schema, input, where);
    await authorize(who, permission);
    return { who, value };
  }

  /** The start of the trust routes: like {@link readerOf}, with the trust read permission. */
  const trustReaderOf = <T extends z.ZodTypeAny>(
    req: express.Request,
    schema: T,
  ) => readerOf(req, schema, req.query, 'query', iamRolesTrustReadPermission);

  router.get('/config', async (req, res) => {
    await caller(req);
    res.json(broker.info());
  });

  router.get('/roles/trust', async (req, res) => {
    const { value: q } = await trustReaderOf(
      req,
      z.object({
        entityRef: entityRef('entityRef', 'resource:default/payments-deploy'),
      }),
    );
    res.json(await trust.roleTrust(q.entityRef));
  });

  router.get('/assumable', async (req, res) => {
    const { value: q } = await trustReaderOf(
      req,
      z.object({
        entityRef: entityRef(
          'entityRef',
          'component:default/payments-api',
          'component',
        ),
      }),
    );
    res.json(await trust.assumable(q.entityRef));
  });

  router.get('/lookup', async (req, res) => {
    const { value: q } = await trustReaderOf(
      req,
      z.object({
        q: z
          .string({
            required_error:
              'q is required: an ARN, a 12-digit account id, github:OWNER/REPO[@REF], service:NAME or an OIDC provider host',
          })
          .trim()
          .min(1, 'q must not be empty')
          .max(2048, 'q is too long')
          .refine(v => !/[\p{Cc}\p{Cf}]/u.test(v), {
            message:
              'q must not contain control or invisible characters; paste the ARN, account id or repository as plain text',
          }),
      }),
    );
    res.json(await trust.lookup(q.q));
  });

  router.get('/findings', async (req, res) => {
    const { value: q } = await trustReaderOf(
      req,
      z.object({
        owner: entityRef(
          'owner',
          'group:default/team-payments',
          'group',
        ).optional(),
        severity: z
          .enum(SEVERITY_VALUES, {
            errorMap: () => ({
              message: `severity must be one of ${SEVERITIES.join(
                ', ',
              )} (the minimum level)`,
            }),
          })
          .optional(),
        limit: paging.limit.default(500),
        offset: paging.offset,
      }),
    );
    const all = await trust.findings(q);
    const page: ListPage<RoleFinding> = {
      items: all.slice(q.offset, q.offset + q.limit),
      totalItems: all.length,
      offset: q.offset,
      limit: q.limit,
    };
    res.json(page);
  });

  const createBody = z.object({
    roleRef: entityRef('roleRef', 'resource:default/payments-deploy'),
    justification: freeText('justification', {
      required:
        'justification is required: say why you need the access (10–1000 characters)',
      min: 10,
      max: 1000,
      why: 'say what you will do with the access',
    }),
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
    ticket: freeText('ticket', { max: 200 })
      .optional()
      .transform(v => v || undefined),
    idempotencyKey: idempotencyKey('idempotencyKey').optional(),
  });

  router.post('/requests', async (req, res) => {
    const who = await caller(req);
    const body = parse(createBody, req.body ?? {}, 'request body');
    const header = req.header('idempotency-key');
    const key =
      body.idempotencyKey ??
      (header
        ? parse(idempotencyKey('Idempotency-Key'), header, 'header')
        : undefined);
    const roleRef = body.roleRef;
    await authorize(who, iamRoleAccessRequestCreatePermission, roleRef);
    const result = await audited(
      req,
      'access-request',
      { actionType: 'create', roleRef },
      () =>
        broker.createRequest(who, {
          ...body,
          roleRef,
          idempotencyKey: key,
        }),
    );
    if (!result.created) {
      res.setHeader('Idempotent-Replayed', 'true');
    }
    res.status(result.created ? 201 : 200).json(result.request);
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
        ? freeText('reason', {
            required: 'reason is required: tell the requester why',
            min: 3,
            max: 1000,
            why: 'tell the requester why',
          })
        : freeText('reason', { max: 1000 }).optional(),
    });

  router.post('/requests/:id/approve', async (req, res) => {
    const {
      who,
      value: { id },
    } = await readerOf(req, idParam, req.params, 'path');
    const body = parse(reasonBody(false), req.body ?? {}, 'request body');
    const existing = await broker.requestFor(who, id);
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
    const {
      who,
      value: { id },
    } = await readerOf(req, idParam, req.params, 'path');
    const body = parse(reasonBody(true), req.body ?? {}, 'request body');
    const existing = await broker.requestFor(who, id);
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
    const {
      who,
      value: { id },
    } = await readerOf(req, idParam, req.params, 'path');
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
      z.object(paging),
      req.query,
      'query',
    );
    res.json(await broker.approvals(who, q));
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
    const {
      who,
      value: { id },
    } = await readerOf(req, idParam, req.params, 'path');
    const body = parse(reasonBody(true), req.body ?? {}, 'request body');
    const grant = await broker.grantFor(who, id);
    if (broker.revokeNeedsApprovePermission(who, grant)) {
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
    const {
      who,
      value: { id },
    } = await readerOf(req, idParam, req.params, 'path');
    const grant = await broker.grantFor(who, id);
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
        actor: entityRef('actor', 'user:default/jane', 'user').optional(),
        action: z
          .string()
          .trim()
          .regex(
            /^[a-z-]{1,64}$/,
            'action must be an audit action such as request-created or grant-revoked',
          )
          .optional(),
        from: isoDate('from'),
        to: isoDate('to'),
        format: z
          .enum(['json', 'csv', 'jsonl'], {
            errorMap: () => ({ message: 'format must be json, csv or jsonl' }),
          })
          .default('json'),
        limit: z.coerce
          .number({ invalid_type_error: 'limit must be a number' })
          .int('limit must be a whole number')
          .min(1, 'limit must be at least 1')
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
      res.send(toCsv(AUDIT_COLUMNS, entries));
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

  // The broker's own error bodies: never a stack, whatever NODE_ENV says; an error the broker did not
  // throw on purpose (a database error, a catalog failure) is a 500 that says nothing but where to
  // find it in the log.
  router.use(
    (
      raw: unknown,
      req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      const error = parserError(raw as { type?: string }) ?? (raw as Error);
      if (res.headersSent) {
        next(raw);
        return;
      }
      const name = (error as { name?: string })?.name ?? 'Error';
      const declared = (error as { statusCode?: number }).statusCode;
      let status = KNOWN_ERRORS[name] ?? 500;
      if (parserError(raw as { type?: string }) && declared) {
        status = declared;
      }
      let message = (error as Error)?.message ?? '';
      let outName = name;
      if (status === 500) {
        const logId = randomBytes(8).toString('hex');
        logger.error(
          `Request ${req.method} ${forLog(
            req.path,
            200,
          )} failed (logId=${logId}): ${forLog(message, 1000)}`,
          {
            logId,
            errorName: forLog(name, 100),
            stack: (error as Error)?.stack?.split('\n').slice(1).join('\n'),
          },
        );
        message = `An internal error occurred; the server log has the details under logId=${logId}.`;
        outName = 'Error';
      }
      if (error instanceof RateLimitedError) {
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
      }
      res.status(status).json({
        error: { name: outName, message },
        request: { method: req.method, url: forLog(req.originalUrl, 500) },
        response: { statusCode: status },
      });
    },
  );

  return router;
}
