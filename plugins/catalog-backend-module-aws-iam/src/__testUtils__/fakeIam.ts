import { http, HttpResponse } from 'msw';

/** A role as the fake IAM service holds it. */
export interface FakeRole {
  path: string;
  roleName: string;
  roleId: string;
  arn: string;
  createDate: string;
  trustPolicy: unknown;
  description?: string;
  tags?: Record<string, string>;
  lastUsed?: { date?: string; region?: string };
  inlinePolicyNames?: string[];
  attached?: Array<{ name: string; arn: string }>;
  boundary?: string;
}

/** An error the fake serves instead of a page. */
export type FakeFault = 'Throttling' | 'ServiceFailure' | 'AccessDenied';

interface FaultRule {
  action: string;
  /** Page index (0-based, by Marker) for paginated calls; any page when absent. */
  page?: number;
  fault: FakeFault;
  /** How many times to serve it; Infinity for always. */
  times: number;
}

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

function esc(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function el(
  name: string,
  value: string | number | boolean | undefined,
): string {
  return value === undefined ? '' : `<${name}>${esc(String(value))}</${name}>`;
}

function members(items: string[]): string {
  return items.map(i => `<member>${i}</member>`).join('');
}

function encodeDoc(doc: unknown): string {
  return encodeURIComponent(
    typeof doc === 'string' ? doc : JSON.stringify(doc),
  );
}

function roleCore(role: FakeRole): string {
  return (
    el('Path', role.path) +
    el('RoleName', role.roleName) +
    el('RoleId', role.roleId) +
    el('Arn', role.arn) +
    el('CreateDate', role.createDate) +
    el('AssumeRolePolicyDocument', encodeDoc(role.trustPolicy)) +
    el('Description', role.description) +
    el('MaxSessionDuration', 3600)
  );
}

function roleExtras(role: FakeRole): string {
  const tags = Object.entries(role.tags ?? {}).map(
    ([k, v]) => el('Key', k) + el('Value', v),
  );
  const lastUsed = role.lastUsed
    ? `<RoleLastUsed>${el('LastUsedDate', role.lastUsed.date)}${el(
        'Region',
        role.lastUsed.region,
      )}</RoleLastUsed>`
    : '<RoleLastUsed/>';
  const boundary = role.boundary
    ? `<PermissionsBoundary>${el(
        'PermissionsBoundaryType',
        'PermissionsBoundaryPolicy',
      )}${el('PermissionsBoundaryArn', role.boundary)}</PermissionsBoundary>`
    : '';
  return `<Tags>${members(tags)}</Tags>${lastUsed}${boundary}`;
}

function detailXml(role: FakeRole): string {
  const inline = (role.inlinePolicyNames ?? []).map(
    name =>
      el('PolicyName', name) +
      el('PolicyDocument', encodeDoc({ Version: '2012-10-17', Statement: [] })),
  );
  const attached = (role.attached ?? []).map(
    a => el('PolicyName', a.name) + el('PolicyArn', a.arn),
  );
  return [
    roleCore(role),
    '<InstanceProfileList/>',
    `<RolePolicyList>${members(inline)}</RolePolicyList>`,
    `<AttachedManagedPolicies>${members(attached)}</AttachedManagedPolicies>`,
    roleExtras(role),
  ].join('');
}

function respond(action: string, result: string): Response {
  return new HttpResponse(
    `<${action}Response xmlns="${IAM_NS}"><${action}Result>${result}</${action}Result>` +
      `<ResponseMetadata><RequestId>req-${Math.random()
        .toString(16)
        .slice(2)}</RequestId></ResponseMetadata></${action}Response>`,
    { status: 200, headers: { 'content-type': 'text/xml' } },
  );
}

function faultResponse(fault: FakeFault): Response {
  const status = { Throttling: 400, ServiceFailure: 500, AccessDenied: 403 }[
    fault
  ];
  const type = fault === 'ServiceFailure' ? 'Receiver' : 'Sender';
  const message = {
    Throttling: 'Rate exceeded',
    ServiceFailure: 'Service encountered an internal error',
    AccessDenied:
      'User is not authorized to perform: iam:GetAccountAuthorizationDetails',
  }[fault];
  return new HttpResponse(
    `<ErrorResponse xmlns="${IAM_NS}"><Error><Type>${type}</Type><Code>${fault}</Code><Message>${message}</Message></Error><RequestId>err</RequestId></ErrorResponse>`,
    { status, headers: { 'content-type': 'text/xml' } },
  );
}

function page<T>(items: T[], params: URLSearchParams, defaultMax: number) {
  const max = Number(params.get('MaxItems') ?? defaultMax);
  const marker = params.get('Marker');
  const offset = marker ? Number(marker.replace(/^m-/, '')) : 0;
  const slice = items.slice(offset, offset + max);
  const next = offset + max < items.length ? `m-${offset + max}` : undefined;
  return { slice, next, index: Math.floor(offset / Math.max(1, max)) };
}

/** The access key id the fake maps to an account (see {@link fakeCredentialsManager}). */
export function accessKeyFor(accountId: string): string {
  return `AKIDTEST${accountId}`;
}

/** A credentials manager giving each account its own static key, so the fake can tell them apart. */
export function fakeCredentialsManager() {
  return {
    async getCredentialProvider(opts?: { accountId?: string }) {
      const accountId = opts?.accountId ?? '000000000000';
      return {
        accountId,
        sdkCredentialProvider: async () => ({
          accessKeyId: accessKeyFor(accountId),
          secretAccessKey: 'test-secret',
        }),
      };
    },
  };
}

/** A retry strategy with the SDK's retry decisions but millisecond delays, so tests stay fast. */
export function fastRetryStrategy(maxAttempts: number) {
  const token = (count: number) => ({
    getRetryCount: () => count,
    getRetryDelay: () => 1,
  });
  return {
    mode: 'standard',
    async acquireInitialRetryToken() {
      return token(0);
    },
    async refreshRetryTokenForRetry(
      previous: { getRetryCount(): number },
      errorInfo: { errorType: string },
    ) {
      const next = previous.getRetryCount() + 1;
      if (errorInfo.errorType === 'CLIENT_ERROR' || next >= maxAttempts) {
        throw new Error('no retry');
      }
      return token(next);
    },
    recordSuccess() {},
  };
}

/**
 * A fake of the IAM Query API (and Organizations ListAccounts) for msw: form-encoded POSTs in, XML
 * out, Marker pagination, URL-encoded policy documents, and injectable Throttling / 5xx / denied
 * errors. Counts calls per account and action.
 */
export class FakeIam {
  readonly accounts = new Map<string, FakeRole[]>();
  readonly calls = new Map<string, Map<string, number>>();
  readonly organizationAccounts: Array<{
    Id: string;
    Name: string;
    State: string;
  }> = [];
  private readonly faults = new Map<string, FaultRule[]>();
  /** Body of every GetAccountAuthorizationDetails request, for assertions on parameters. */
  readonly requests: URLSearchParams[] = [];
  /** Host of every IAM request (the partition's endpoint). */
  readonly iamHosts = new Set<string>();

  setRoles(accountId: string, roles: FakeRole[]) {
    this.accounts.set(accountId, roles);
  }

  fail(accountId: string, rule: Omit<FaultRule, 'times'> & { times?: number }) {
    const rules = this.faults.get(accountId) ?? [];
    rules.push({ ...rule, times: rule.times ?? Infinity });
    this.faults.set(accountId, rules);
  }

  clearFaults() {
    this.faults.clear();
  }

  callCount(accountId: string, action?: string): number {
    const byAction = this.calls.get(accountId);
    if (!byAction) {
      return 0;
    }
    return action
      ? byAction.get(action) ?? 0
      : [...byAction.values()].reduce((a, b) => a + b, 0);
  }

  resetCalls() {
    this.calls.clear();
  }

  private count(accountId: string, action: string) {
    const byAction = this.calls.get(accountId) ?? new Map<string, number>();
    byAction.set(action, (byAction.get(action) ?? 0) + 1);
    this.calls.set(accountId, byAction);
  }

  private takeFault(accountId: string, action: string, pageIndex?: number) {
    for (const rule of this.faults.get(accountId) ?? []) {
      if (
        rule.action === action &&
        rule.times > 0 &&
        (rule.page === undefined || rule.page === pageIndex)
      ) {
        rule.times -= 1;
        return rule.fault;
      }
    }
    return undefined;
  }

  private handleIam(accountId: string, params: URLSearchParams): Response {
    const action = params.get('Action') ?? '';
    this.count(accountId, action);
    const roles = this.accounts.get(accountId);
    if (!roles) {
      return faultResponse('AccessDenied');
    }
    const byName = (name: string | null) =>
      roles.find(r => r.roleName.toLowerCase() === (name ?? '').toLowerCase());

    switch (action) {
      case 'GetAccountAuthorizationDetails': {
        this.requests.push(params);
        const p = page(roles, params, 100);
        const fault = this.takeFault(accountId, action, p.index);
        if (fault) {
          return faultResponse(fault);
        }
        const filters = [...params.entries()]
          .filter(([k]) => k.startsWith('Filter.member.'))
          .map(([, v]) => v);
        const list =
          filters.length === 0 || filters.includes('Role') ? p.slice : [];
        return respond(
          action,
          [
            `<RoleDetailList>${members(list.map(detailXml))}</RoleDetailList>`,
            '<UserDetailList/><GroupDetailList/><Policies/>',
            el('IsTruncated', Boolean(p.next)),
            el('Marker', p.next),
          ].join(''),
        );
      }
      case 'ListRoles': {
        const p = page(roles, params, 100);
        const fault = this.takeFault(accountId, action, p.index);
        if (fault) {
          return faultResponse(fault);
        }
        return respond(
          action,
          [
            `<Roles>${members(p.slice.map(roleCore))}</Roles>`,
            el('IsTruncated', Boolean(p.next)),
            el('Marker', p.next),
          ].join(''),
        );
      }
      case 'GetRole': {
        const role = byName(params.get('RoleName'));
        if (!role) {
          return faultResponse('AccessDenied');
        }
        return respond(
          action,
          `<Role>${roleCore(role)}${roleExtras(role)}</Role>`,
        );
      }
      case 'ListRolePolicies': {
        const role = byName(params.get('RoleName'));
        return respond(
          action,
          `<PolicyNames>${members(
            (role?.inlinePolicyNames ?? []).map(esc),
          )}</PolicyNames><IsTruncated>false</IsTruncated>`,
        );
      }
      case 'ListAttachedRolePolicies': {
        const role = byName(params.get('RoleName'));
        return respond(
          action,
          `<AttachedPolicies>${members(
            (role?.attached ?? []).map(
              a => el('PolicyName', a.name) + el('PolicyArn', a.arn),
            ),
          )}</AttachedPolicies><IsTruncated>false</IsTruncated>`,
        );
      }
      default:
        return new HttpResponse(
          `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${esc(
            action,
          )}</Message></Error></ErrorResponse>`,
          { status: 400, headers: { 'content-type': 'text/xml' } },
        );
    }
  }

  /** msw handlers for IAM and Organizations. */
  handlers() {
    const accountOf = (request: Request) =>
      /Credential=AKIDTEST(\d{12})\//.exec(
        request.headers.get('authorization') ?? '',
      )?.[1] ?? 'unknown';
    return [
      // IAM in every partition: iam.amazonaws.com, iam.us-gov.amazonaws.com, iam.cn-north-1.amazonaws.com.cn
      http.post(
        /^https:\/\/iam(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?\/$/,
        async ({ request }) => {
          this.iamHosts.add(new URL(request.url).host);
          const params = new URLSearchParams(await request.text());
          return this.handleIam(accountOf(request), params);
        },
      ),
      http.post(
        'https://organizations.us-east-1.amazonaws.com/',
        async ({ request }) => {
          const accountId = accountOf(request);
          this.count(accountId, 'ListAccounts');
          const fault = this.takeFault(accountId, 'ListAccounts');
          if (fault) {
            return HttpResponse.json(
              {
                __type:
                  fault === 'Throttling'
                    ? 'TooManyRequestsException'
                    : 'ServiceException',
                message: fault,
              },
              {
                status: fault === 'ServiceFailure' ? 500 : 400,
                headers: { 'content-type': 'application/x-amz-json-1.1' },
              },
            );
          }
          const body = (await request.json()) as { NextToken?: string };
          const offset = body.NextToken ? Number(body.NextToken) : 0;
          const slice = this.organizationAccounts.slice(offset, offset + 2);
          const next =
            offset + 2 < this.organizationAccounts.length
              ? String(offset + 2)
              : undefined;
          return HttpResponse.json(
            {
              Accounts: slice.map(a => ({
                ...a,
                Status: a.State,
                Arn: `arn:aws:organizations::${a.Id}:account/o-x/${a.Id}`,
              })),
              ...(next ? { NextToken: next } : {}),
            },
            { headers: { 'content-type': 'application/x-amz-json-1.1' } },
          );
        },
      ),
    ];
  }
}

/** A role with sensible defaults, for fixtures. */
export function makeRole(
  accountId: string,
  roleName: string,
  trustPolicy: unknown,
  extra: Partial<FakeRole> = {},
): FakeRole {
  const path = extra.path ?? '/';
  const id = Buffer.from(`${accountId}${roleName}`)
    .toString('hex')
    .toUpperCase()
    .slice(0, 17);
  return {
    path,
    roleName,
    roleId: `AROA${id.padEnd(17, 'X')}`,
    arn: `arn:aws:iam::${accountId}:role${path}${roleName}`,
    createDate: '2024-03-01T10:00:00Z',
    trustPolicy,
    ...extra,
  };
}

/** A trust policy document with one statement. */
export function trust(statement: Record<string, unknown>) {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', ...statement }],
  };
}
