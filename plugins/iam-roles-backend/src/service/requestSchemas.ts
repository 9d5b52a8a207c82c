import { z } from 'zod';
import { InputError } from '@backstage/errors';
import {
  makeValidator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  JUSTIFICATION_MAX,
  JUSTIFICATION_MIN,
  ListPage,
  SEVERITIES,
  Severity,
} from '@backstage-iam/plugin-iam-roles-common';
import type { BrokerConfig } from './BrokerConfig';
import { forLog, unsafeCharacterOf, visibleLength } from './safeText';
import { lookupFormsText } from './lookupQuery';

/** Deepest page a list serves; past it, a filter narrows better than paging (and the database is never asked for absurd offsets). */
export const MAX_OFFSET = 100_000;
/** Longest entity ref accepted: kind, namespace and name of at most 63 characters each, and separators. */
export const MAX_REF_LENGTH = 255;

/** Parses `value` with `schema`; a failure is an InputError that names each field and what to fix. */
export function parse<T extends z.ZodTypeAny>(
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

const validator = makeValidator();

/**
 * Why `value` is not an entity ref by the catalog's naming rules, part by part, or undefined when it
 * is one. Checked before any ref reaches the catalog, so that a bad ref never comes back as the
 * catalog's own error.
 */
export function entityRefProblem(
  value: string,
  defaultKind: string,
): string | undefined {
  if (value.length > MAX_REF_LENGTH) {
    return `is ${value.length} characters long; an entity ref has at most ${MAX_REF_LENGTH}`;
  }
  const bad =
    unsafeCharacterOf(value) ?? (/\s/.test(value) ? 'a blank' : undefined);
  if (bad) {
    return `contains ${bad}; an entity ref has no blanks, control or text-direction characters`;
  }
  let ref;
  try {
    ref = parseEntityRef(value, { defaultKind, defaultNamespace: 'default' });
  } catch {
    return 'is not of the form kind:namespace/name';
  }
  if (!validator.isValidKind(ref.kind)) {
    return `has the kind "${forLog(
      ref.kind,
      63,
    )}", which is not a kind: letters and digits, starting with a letter, at most 63`;
  }
  if (!validator.isValidNamespace(ref.namespace.toLocaleLowerCase('en-US'))) {
    return `has the namespace "${forLog(
      ref.namespace,
      63,
    )}", which is not a namespace: 1–63 letters, digits and "-", starting and ending with a letter or digit`;
  }
  if (!validator.isValidEntityName(ref.name)) {
    return `has the name "${forLog(
      ref.name,
      63,
    )}", which is not an entity name: 1–63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

/** An entity ref field, checked against the catalog's naming rules; the value is the full ref, lower case. */
export const entityRef = (
  field: string,
  example: string,
  defaultKind = 'resource',
) =>
  z
    .string({
      required_error: `${field} is required, e.g. ${example}`,
      invalid_type_error: `${field} must be a string entity reference, e.g. ${example}`,
    })
    .trim()
    .min(1, `${field} must not be empty, e.g. ${example}`)
    .superRefine((v, ctx) => {
      const problem = entityRefProblem(v, defaultKind);
      if (problem) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `${field} ${problem}, e.g. ${example}`,
        });
      }
    })
    .transform(v =>
      stringifyEntityRef(
        parseEntityRef(v, { defaultKind, defaultNamespace: 'default' }),
      ).toLocaleLowerCase('en-US'),
    );

/**
 * A free-text field a person reads (justification, reason, ticket): no control characters but tab
 * and newline, no text-direction controls, and `min` counts only the characters one can see.
 */
export const freeText = (
  field: string,
  options: { min?: number; max: number; why?: string; required?: string },
) =>
  z
    .string({
      required_error: options.required ?? `${field} is required`,
      invalid_type_error: `${field} must be a string`,
    })
    .transform(v => v.replace(/\r\n/g, '\n').trim())
    .superRefine((v, ctx) => {
      const issue = (message: string) =>
        ctx.addIssue({ code: z.ZodIssueCode.custom, message });
      if (Array.from(v).length > options.max) {
        issue(`${field} must be at most ${options.max} characters`);
        return;
      }
      const bad = unsafeCharacterOf(v);
      if (bad) {
        issue(
          `${field} contains ${bad}, a control or text-direction character that would change what the reader sees; remove it (paste the text as plain text)`,
        );
        return;
      }
      if (options.min && visibleLength(v) < options.min) {
        issue(
          `${field} must be at least ${
            options.min
          } characters, not counting blanks and invisible ones${
            options.why ? `: ${options.why}` : ''
          }`,
        );
      }
    });

/** An idempotency key: 1–200 visible ASCII characters (a UUID, typically). */
export const idempotencyKey = (where: string) =>
  z
    .string({ invalid_type_error: `${where} must be a string` })
    .trim()
    .min(1, `${where} must not be empty`)
    .max(200, `${where} must be at most 200 characters`)
    .regex(
      /^[\x21-\x7E]+$/,
      `${where} must be visible ASCII characters only, e.g. a UUID`,
    );

/** A comma-separated list of states, each one of `values`. */
export const statusList = <T extends readonly [string, ...string[]]>(
  values: T,
) =>
  z
    .string({ invalid_type_error: 'status must be given once' })
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

/** `limit` and `offset` of a list, bounded. */
export const paging = {
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
    .max(
      MAX_OFFSET,
      `offset must be at most ${MAX_OFFSET}; narrow the list with status or roleRef instead`,
    )
    .default(0),
};

/** One page of a list the service answered whole (`GET /findings`, the `list-findings` action). */
export function pageOf<T>(
  all: T[],
  page: { offset: number; limit: number },
): ListPage<T> {
  return {
    items: all.slice(page.offset, page.offset + page.limit),
    totalItems: all.length,
    offset: page.offset,
    limit: page.limit,
  };
}

/** `true`/`false` query flags. */
export const booleanFlag = z
  .enum(['true', 'false'], {
    errorMap: () => ({ message: 'must be true or false' }),
  })
  .optional()
  .transform(v => v === 'true');

/** An optional ISO 8601 date-time query value, normalised to UTC. */
export const isoDate = (field: string) =>
  z
    .string()
    .datetime({
      offset: true,
      message: `${field} must be an ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z`,
    })
    .optional()
    .transform(v => (v ? new Date(v).toISOString() : undefined));

/** Path parameter of the id routes. */
export const idParam = z.object({
  id: z.string().uuid('id must be a request or grant id (a UUID)'),
});

/** -common's severity order, as the tuple zod's enum takes. */
const SEVERITY_VALUES = SEVERITIES as unknown as [Severity, ...Severity[]];

/** Query of `GET /lookup` and input of the `lookup` action: the incident question. */
export const lookupQuery = z.object({
  q: z
    .string({ required_error: `q is required. ${lookupFormsText()}` })
    .trim()
    .min(1, `q must not be empty. ${lookupFormsText()}`)
    .max(2048, 'q is too long')
    .refine(v => !/[\p{Cc}\p{Cf}]/u.test(v), {
      message:
        'q must not contain control or invisible characters; paste the ARN, account id or repository as plain text',
    }),
});

/** Query of `GET /findings` and input of the `list-findings` action. */
export const findingsQuery = z.object({
  owner: entityRef('owner', 'group:default/team-payments', 'group').optional(),
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
});

/** Query of `GET /roles`: the IAM roles home's inventory. */
export const inventoryQuery = z.object({
  q: z
    .string()
    .trim()
    .max(
      200,
      'q must be at most 200 characters: a word of the role name, title or ARN',
    )
    .refine(v => !/[\p{Cc}\p{Cf}]/u.test(v), {
      message: 'q must not contain control or invisible characters',
    })
    .optional(),
  owner: entityRef('owner', 'group:default/team-payments', 'group').optional(),
  account: z
    .string()
    .regex(
      /^\d{12}$/,
      'account must be a 12-digit AWS account id, e.g. 111111111111',
    )
    .optional(),
  severity: z
    .enum(SEVERITY_VALUES, {
      errorMap: () => ({
        message: `severity must be one of ${SEVERITIES.join(
          ', ',
        )} (the minimum level)`,
      }),
    })
    .optional(),
  preset: z
    .enum(['exposed', 'unused', 'critical'], {
      errorMap: () => ({
        message:
          'preset must be exposed (publicly assumable or unpinned), unused (not used in 90 days) or critical',
      }),
    })
    .optional(),
  format: z
    .enum(['json', 'csv'], {
      errorMap: () => ({ message: 'format must be json or csv' }),
    })
    .default('json'),
  ...paging,
});

/** A justification of a request, an extension or a break-glass. */
const justificationText = () =>
  freeText('justification', {
    required: `justification is required: say why you need the access (${JUSTIFICATION_MIN}–${JUSTIFICATION_MAX} characters)`,
    min: JUSTIFICATION_MIN,
    max: JUSTIFICATION_MAX,
    why: 'say what you will do with the access',
  });

/** Minutes of access, from the shortest session STS issues to `max` (named by its setting, `where`). */
const durationMinutes = (
  config: Pick<BrokerConfig, 'minDurationMinutes'>,
  max: number,
  where: string,
) =>
  z
    .number({
      required_error: `durationMinutes is required (${config.minDurationMinutes}–${max})`,
      invalid_type_error: 'durationMinutes must be a number of minutes',
    })
    .int('durationMinutes must be a whole number of minutes')
    .min(
      config.minDurationMinutes,
      `durationMinutes must be at least ${config.minDurationMinutes} (STS issues no shorter session)`,
    )
    .max(max, `durationMinutes must be at most ${max} (${where})`);

/** Body of `POST /requests` and input of the `request-access` action. */
export const createRequestBody = (
  config: Pick<BrokerConfig, 'minDurationMinutes' | 'maxDurationMinutes'>,
) =>
  z.object({
    roleRef: entityRef('roleRef', 'resource:default/payments-deploy'),
    justification: justificationText(),
    durationMinutes: durationMinutes(
      config,
      config.maxDurationMinutes,
      'iamRoles.broker.maxDurationMinutes',
    ),
    ticket: freeText('ticket', { max: 200 })
      .optional()
      .transform(v => v || undefined),
    idempotencyKey: idempotencyKey('idempotencyKey').optional(),
  });

/** Body of `POST /grants/:id/extend`. */
export const extendGrantBody = (
  config: Pick<BrokerConfig, 'minDurationMinutes' | 'maxDurationMinutes'>,
) =>
  z.object({
    durationMinutes: durationMinutes(
      config,
      config.maxDurationMinutes,
      'iamRoles.broker.maxDurationMinutes',
    ),
    justification: justificationText(),
  });

/** Body of `POST /break-glass`. */
export const breakGlassBody = (
  config: Pick<BrokerConfig, 'minDurationMinutes' | 'breakGlass'>,
) =>
  z.object({
    roleRef: entityRef('roleRef', 'resource:default/payments-deploy'),
    justification: justificationText(),
    incident: freeText('incident', {
      required:
        'incident is required: the reference of the incident you respond to (e.g. INC-1234)',
      min: 3,
      max: 200,
      why: 'give the incident reference, e.g. INC-1234',
    }),
    durationMinutes: durationMinutes(
      config,
      config.breakGlass.maxDurationMinutes,
      'iamRoles.broker.breakGlass.maxDurationMinutes',
    ).optional(),
  });
