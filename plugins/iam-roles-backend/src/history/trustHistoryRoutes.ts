import type express from 'express';
import { z } from 'zod';
import { DateTime } from 'luxon';
import {
  InputError,
  NotFoundError,
  NotImplementedError,
} from '@backstage/errors';
import {
  AssumeOutcome,
  evaluateAssume,
  FirstTrustAccess,
  normalizeTrustPolicy,
  parsePrincipalSpec,
  PrincipalContext,
  SEVERITIES,
  Severity,
  severityRank,
  toCsv,
  toTrustHistoryCsvRow,
  TRUST_HISTORY_CSV_COLUMNS,
  TrustVersion,
} from '@backstage-iam/plugin-iam-roles-common';
import type { ApiRouter } from '@backstage/backend-openapi-utils';
import type { spec } from '../schema/openapi.generated';
import { entityRef, isoDate, paging, parse } from '../service/requestSchemas';
import type { TrustService } from '../service/TrustService';
import type { TrustHistory } from './TrustHistory';

type TypedRouter = ApiRouter<typeof spec>;
type AnyRequest = express.Request<any, any, any, any>;

/** What the history routes take from the broker's router: its checks, so every route starts the same way. */
export interface TrustHistoryRouteDeps {
  /** Absent when the history is turned off: every route then says so (501). */
  history?: TrustHistory;
  trust: TrustService;
  /** The start of every trust route: a signed-in caller, a valid query, the trust read permission. */
  trustReaderOf: <T extends z.ZodTypeAny>(
    req: AnyRequest,
    schema: T,
  ) => Promise<{ who: { userRef: string }; value: z.infer<T> }>;
}

const SEVERITY_VALUES = SEVERITIES as unknown as [Severity, ...Severity[]];

const format = z
  .enum(['json', 'csv', 'jsonl'], {
    errorMap: () => ({ message: 'format must be json, csv or jsonl' }),
  })
  .default('json');

/** Sends versions as CSV or JSON lines (the audit export's conventions); false for JSON. */
function sendExport(
  res: express.Response,
  kind: 'csv' | 'jsonl' | 'json',
  name: string,
  versions: TrustVersion[],
): boolean {
  if (kind === 'csv') {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
    // The one CSV writer of the family: every cell neutralised against formula injection.
    res.end(
      toCsv([...TRUST_HISTORY_CSV_COLUMNS], versions.map(toTrustHistoryCsvRow)),
    );
    return true;
  }
  if (kind === 'jsonl') {
    res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="${name}.jsonl"`,
    );
    res.end(versions.map(v => `${JSON.stringify(v)}\n`).join(''));
    return true;
  }
  return false;
}

function outcomeOf(
  version: TrustVersion,
  context: PrincipalContext,
): AssumeOutcome {
  if (version.kind === 'removed') {
    // Its facts are the last seen, but a role that is gone lets nobody in.
    return 'not-trusted';
  }
  let document: unknown;
  try {
    document = JSON.parse(version.facts.policy);
  } catch {
    return 'not-trusted';
  }
  const { policy } = normalizeTrustPolicy(document);
  return policy ? evaluateAssume(policy, context).outcome : 'not-trusted';
}

const admits = (o: AssumeOutcome) => o === 'allowed' || o === 'possible';

/** "Since when can P assume R": the first version that let P in, and the start of the current stretch. */
export function firstAccess(
  roleRef: string,
  principal: string,
  context: PrincipalContext,
  ascending: TrustVersion[],
): FirstTrustAccess {
  const versions = ascending.map(v => ({
    version: v.version,
    seenAt: v.seenAt,
    outcome: outcomeOf(v, context),
  }));
  const first = versions.find(v => admits(v.outcome));
  let since: string | undefined;
  for (
    let i = versions.length - 1;
    i >= 0 && admits(versions[i].outcome);
    i--
  ) {
    since = versions[i].seenAt;
  }
  return {
    roleRef,
    principal,
    recordedSince: versions[0].seenAt,
    firstAt: first?.seenAt,
    firstVersion: first?.version,
    since,
    now: versions.at(-1)?.outcome,
    versions: versions.reverse(),
  };
}

/** The trust history routes (`/trust-history/...`), authenticated and authorised as the other trust routes. */
export function addTrustHistoryRoutes(
  router: TypedRouter,
  deps: TrustHistoryRouteDeps,
): void {
  const { trust } = deps;
  // Signed in and allowed first, as on every route; then whether the history is on here.
  const trustReaderOf: TrustHistoryRouteDeps['trustReaderOf'] = async (
    req,
    schema,
  ) => {
    const read = await deps.trustReaderOf(req, schema);
    if (!deps.history) {
      throw new NotImplementedError(
        'The trust history is turned off in this installation (iamRoles.history.enabled: false).',
      );
    }
    return read;
  };
  const store = () => deps.history!.store;
  const roleRef = () =>
    entityRef('entityRef', 'resource:default/payments-deploy');

  router.get('/trust-history/roles', async (req, res) => {
    const { value: q } = await trustReaderOf(
      req,
      z.object({
        entityRef: roleRef(),
        format,
        limit: z.coerce
          .number({ invalid_type_error: 'limit must be a number' })
          .int('limit must be a whole number')
          .min(1, 'limit must be at least 1')
          .max(1000, 'limit must be at most 1000')
          .default(200),
      }),
    );
    const versions = await store().roleHistory(q.entityRef, q.limit);
    if (!sendExport(res, q.format, 'iam-roles-trust-history', versions)) {
      res.json({ roleRef: q.entityRef, versions });
    }
  });

  router.get('/trust-history/changes', async (req, res) => {
    const { value: q } = await trustReaderOf(
      req,
      z.object({
        since: isoDate('since'),
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
              )} (the minimum level of a finding the change brought)`,
            }),
          })
          .optional(),
        format,
        limit: z.coerce
          .number({ invalid_type_error: 'limit must be a number' })
          .int('limit must be a whole number')
          .min(1, 'limit must be at least 1')
          .max(1000, 'limit must be at most 1000')
          .default(100),
        offset: paging.offset,
      }),
    );
    const page = await store().listChanges({
      since: q.since,
      ownerRef: q.owner,
      maxRank: q.severity ? severityRank(q.severity) : undefined,
      limit: q.limit,
      offset: q.offset,
    });
    if (!sendExport(res, q.format, 'iam-roles-trust-changes', page.items)) {
      res.json({ ...page, offset: q.offset, limit: q.limit });
    }
  });

  router.get('/trust-history/first-access', async (req, res) => {
    const { value: q } = await trustReaderOf(
      req,
      z.object({
        entityRef: roleRef(),
        principal: z
          .string({
            required_error:
              'principal is required: an ARN, a 12-digit account id, github:OWNER/REPO[@REF] or service:NAME',
          })
          .trim()
          .min(1, 'principal must not be empty')
          .max(2048, 'principal is too long'),
      }),
    );
    let context: PrincipalContext;
    try {
      context = parsePrincipalSpec(q.principal);
    } catch (error) {
      throw new InputError(
        `Cannot read "${q.principal}" as a principal: ${
          (error as Error).message
        }. Use an IAM or STS ARN, a 12-digit account id, github:OWNER/REPO[@REF] or service:NAME.`,
      );
    }
    const versions = await store().roleHistoryAscending(q.entityRef);
    if (versions.length === 0) {
      throw new NotFoundError(
        `No trust history of ${q.entityRef}: it is not an IAM role of the catalog, or it has not been recorded yet.`,
      );
    }
    res.json(firstAccess(q.entityRef, q.principal, context, versions));
  });

  router.get('/trust-history/subscriptions', async (req, res) => {
    const { who } = await trustReaderOf(req, z.object({}));
    res.json({ items: await store().subscriptionsOf(who.userRef) });
  });

  router.post('/trust-history/subscriptions', async (req, res) => {
    const { who } = await trustReaderOf(req, z.object({}));
    const body = parse(
      z.object({
        roleRef: entityRef('roleRef', 'resource:default/payments-deploy'),
      }),
      req.body ?? {},
      'request body',
    );
    if (!(await trust.getRole(body.roleRef))) {
      throw new NotFoundError(
        `${body.roleRef} is not an IAM role of the catalog.`,
      );
    }
    const now = DateTime.utc().toISO()!;
    await store().subscribe(body.roleRef, who.userRef, now);
    const mine = await store().subscriptionsOf(who.userRef);
    res.json(
      mine.find(s => s.roleRef === body.roleRef) ?? {
        roleRef: body.roleRef,
        createdAt: now,
      },
    );
  });

  router.delete('/trust-history/subscriptions', async (req, res) => {
    const { who, value: q } = await trustReaderOf(
      req,
      z.object({
        roleRef: entityRef('roleRef', 'resource:default/payments-deploy'),
      }),
    );
    await store().unsubscribe(q.roleRef, who.userRef);
    res.json({ items: await store().subscriptionsOf(who.userRef) });
  });
}
