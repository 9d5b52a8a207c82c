import { http } from 'msw';
import {
  accountOfRequest,
  FaultBook,
  json11,
  json11Error,
  json11Invalid,
  pageOf,
} from './awsJson';

/** A resource control policy as the fake holds it. */
export interface FakePolicy {
  id: string;
  name: string;
  content: unknown;
  targets: string[];
  awsManaged?: boolean;
}

const PAGE = 2;

function targetType(id: string): string {
  if (id.startsWith('r-')) {
    return 'ROOT';
  }
  return id.startsWith('ou-') ? 'ORGANIZATIONAL_UNIT' : 'ACCOUNT';
}

const OPS = new Set([
  'DescribeOrganization',
  'ListPolicies',
  'DescribePolicy',
  'ListTargetsForPolicy',
  'ListRoots',
  'ListOrganizationalUnitsForParent',
  'ListAccountsForParent',
]);

/**
 * A fake of the Organizations JSON 1.1 API (`X-Amz-Target: AWSOrganizationsV20161128.<Op>`) for the
 * RCP reader: policies by type, their targets, and the tree of roots, OUs and accounts. Other
 * operations (ListAccounts) fall through to the next handler (FakeIam's).
 */
export class FakeOrganizations {
  organizationId = 'o-abc123def4';
  /** The account whose credentials may call (the management account). */
  managementAccount = '000000000000';
  rootId = 'r-ab12';
  /** Parent id → child OU ids. */
  ous: Record<string, string[]> = {};
  /** Parent id → account ids. */
  accounts: Record<string, string[]> = {};
  policies: FakePolicy[] = [];
  /** Service control policies, which a filter for RCPs must not return. */
  otherPolicies: FakePolicy[] = [];
  readonly faults = new FaultBook();

  private answer(op: string, body: Record<string, any>): Response {
    const token = body.NextToken as string | undefined;
    const policy = () =>
      [...this.policies, ...this.otherPolicies].find(
        p => p.id === body.PolicyId,
      );
    const summary = (p: FakePolicy, type: string) => ({
      Id: p.id,
      Arn: `arn:aws:organizations::${this.managementAccount}:policy/${
        this.organizationId
      }/${type.toLowerCase()}/${p.id}`,
      Name: p.name,
      Type: type,
      AwsManaged: p.awsManaged ?? false,
    });
    switch (op) {
      case 'DescribeOrganization':
        return json11({
          Organization: {
            Id: this.organizationId,
            MasterAccountId: this.managementAccount,
          },
        });
      case 'ListPolicies': {
        if (!body.Filter) {
          return json11Invalid('Filter is required');
        }
        const list =
          body.Filter === 'RESOURCE_CONTROL_POLICY'
            ? this.policies.map(p => summary(p, 'RESOURCE_CONTROL_POLICY'))
            : this.otherPolicies.map(p => summary(p, body.Filter));
        const p = pageOf(list, token, PAGE);
        return json11({ Policies: p.slice, NextToken: p.next });
      }
      case 'DescribePolicy': {
        const p = policy();
        if (!p) {
          return json11Invalid(`no policy ${body.PolicyId}`);
        }
        const rcp = this.policies.includes(p);
        return json11({
          Policy: {
            PolicySummary: summary(
              p,
              rcp ? 'RESOURCE_CONTROL_POLICY' : 'SERVICE_CONTROL_POLICY',
            ),
            Content:
              typeof p.content === 'string'
                ? p.content
                : JSON.stringify(p.content),
          },
        });
      }
      case 'ListTargetsForPolicy': {
        const p = policy();
        if (!p) {
          return json11Invalid(`no policy ${body.PolicyId}`);
        }
        const page = pageOf(p.targets, token, PAGE);
        return json11({
          Targets: page.slice.map(id => ({
            TargetId: id,
            Name: id,
            Type: targetType(id),
          })),
          NextToken: page.next,
        });
      }
      case 'ListRoots':
        return json11({ Roots: [{ Id: this.rootId, Name: 'Root' }] });
      case 'ListOrganizationalUnitsForParent': {
        const p = pageOf(this.ous[body.ParentId] ?? [], token, PAGE);
        return json11({
          OrganizationalUnits: p.slice.map(id => ({ Id: id, Name: id })),
          NextToken: p.next,
        });
      }
      default: {
        const p = pageOf(this.accounts[body.ParentId] ?? [], token, PAGE);
        return json11({
          Accounts: p.slice.map(id => ({ Id: id, Name: id, State: 'ACTIVE' })),
          NextToken: p.next,
        });
      }
    }
  }

  handlers() {
    return [
      http.post(
        /^https:\/\/organizations\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/$/,
        async ({ request }) => {
          const target = request.headers.get('x-amz-target') ?? '';
          const op = target.replace(/^AWSOrganizationsV20161128\./, '');
          if (
            !target.startsWith('AWSOrganizationsV20161128.') ||
            !OPS.has(op)
          ) {
            return undefined;
          }
          this.faults.count(op);
          const body = (await request.clone().json()) as Record<string, any>;
          const fault = this.faults.take(
            op,
            pageOf([], body.NextToken, PAGE).index,
            [body.PolicyId, body.ParentId].filter(Boolean),
          );
          if (fault) {
            return json11Error(fault, 'TooManyRequestsException');
          }
          if (accountOfRequest(request) !== this.managementAccount) {
            return json11Error(
              'denied',
              'TooManyRequestsException',
              'You don’t have permissions to access this resource.',
            );
          }
          return this.answer(op, body);
        },
      ),
    ];
  }
}
