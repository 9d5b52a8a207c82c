import { http } from 'msw';
import {
  accountOfRequest,
  FaultBook,
  json11,
  json11Error,
  json11Invalid,
  pageOf,
} from './awsJson';

/** A permission set as the fake holds it: the accounts it is provisioned to and their assignments. */
export interface FakePermissionSet {
  arn: string;
  name: string;
  description?: string;
  /** accountId → principals assigned. */
  assignments: Record<string, Array<{ type: 'USER' | 'GROUP'; id: string }>>;
}

/** A group of the fake identity store. */
export interface FakeGroup {
  id: string;
  displayName: string;
  externalIds?: Array<{ Issuer: string; Id: string }>;
  members: string[];
}

/** A user of the fake identity store. */
export interface FakeUser {
  id: string;
  userName: string;
  displayName?: string;
  emails?: Array<{ Value: string; Primary?: boolean }>;
  externalIds?: Array<{ Issuer: string; Id: string }>;
}

const PAGE = 2;

/**
 * A fake of Identity Center for msw: sso-admin (JSON 1.1, `X-Amz-Target: SWBExternalService.<Op>`)
 * and identitystore (`AWSIdentityStore.<Op>`), with NextToken pages of two items, request
 * validation, and injectable ThrottlingException / AccessDeniedException per operation.
 */
export class FakeIdentityCenter {
  instanceArn = 'arn:aws:sso:::instance/ssoins-1111111111111111';
  identityStoreId = 'd-1111111111';
  /** The account whose credentials may call; others are denied. */
  adminAccount = '000000000000';
  region = 'eu-west-1';
  permissionSets: FakePermissionSet[] = [];
  groups: FakeGroup[] = [];
  users: FakeUser[] = [];
  readonly faults = new FaultBook();

  private ssoAdmin(op: string, body: Record<string, any>): Response {
    const token = body.NextToken as string | undefined;
    const needInstance = () =>
      body.InstanceArn === this.instanceArn
        ? undefined
        : json11Invalid(`unknown InstanceArn ${body.InstanceArn}`);
    const set = () =>
      this.permissionSets.find(p => p.arn === body.PermissionSetArn);
    switch (op) {
      case 'ListInstances': {
        return json11({
          Instances: [
            {
              InstanceArn: this.instanceArn,
              IdentityStoreId: this.identityStoreId,
              Status: 'ACTIVE',
            },
          ],
        });
      }
      case 'ListPermissionSets': {
        const p = pageOf(
          this.permissionSets.map(s => s.arn),
          token,
          PAGE,
        );
        return (
          needInstance() ??
          json11({ PermissionSets: p.slice, NextToken: p.next })
        );
      }
      case 'DescribePermissionSet': {
        const s = set();
        if (!s) {
          return json11Invalid(`unknown PermissionSetArn`);
        }
        return (
          needInstance() ??
          json11({
            PermissionSet: {
              Name: s.name,
              PermissionSetArn: s.arn,
              Description: s.description,
              CreatedDate: 1700000000.5,
              SessionDuration: 'PT1H',
            },
          })
        );
      }
      case 'ListAccountsForProvisionedPermissionSet': {
        const s = set();
        if (!s) {
          return json11Invalid(`unknown PermissionSetArn`);
        }
        const p = pageOf(Object.keys(s.assignments), token, PAGE);
        return (
          needInstance() ?? json11({ AccountIds: p.slice, NextToken: p.next })
        );
      }
      case 'ListAccountAssignments': {
        const s = set();
        if (!s || !/^\d{12}$/.test(body.AccountId ?? '')) {
          return json11Invalid('AccountId and PermissionSetArn are required');
        }
        const p = pageOf(s.assignments[body.AccountId] ?? [], token, PAGE);
        return (
          needInstance() ??
          json11({
            AccountAssignments: p.slice.map(a => ({
              AccountId: body.AccountId,
              PermissionSetArn: s.arn,
              PrincipalType: a.type,
              PrincipalId: a.id,
            })),
            NextToken: p.next,
          })
        );
      }
      default:
        return json11Invalid(`the fake has no ${op}`);
    }
  }

  private identityStore(op: string, body: Record<string, any>): Response {
    if (body.IdentityStoreId !== this.identityStoreId) {
      return json11Invalid(`unknown IdentityStoreId ${body.IdentityStoreId}`);
    }
    const token = body.NextToken as string | undefined;
    switch (op) {
      case 'ListGroups': {
        const p = pageOf(this.groups, token, PAGE);
        return json11({
          Groups: p.slice.map(g => ({
            GroupId: g.id,
            DisplayName: g.displayName,
            ExternalIds: g.externalIds,
            IdentityStoreId: this.identityStoreId,
          })),
          NextToken: p.next,
        });
      }
      case 'ListUsers': {
        const p = pageOf(this.users, token, PAGE);
        return json11({
          Users: p.slice.map(u => ({
            UserId: u.id,
            UserName: u.userName,
            DisplayName: u.displayName,
            Emails: u.emails,
            ExternalIds: u.externalIds,
            IdentityStoreId: this.identityStoreId,
          })),
          NextToken: p.next,
        });
      }
      case 'ListGroupMemberships': {
        const group = this.groups.find(g => g.id === body.GroupId);
        if (!group) {
          return json11Invalid(`unknown GroupId ${body.GroupId}`);
        }
        const p = pageOf(group.members, token, PAGE);
        return json11({
          GroupMemberships: p.slice.map(userId => ({
            IdentityStoreId: this.identityStoreId,
            MembershipId: `m-${group.id}-${userId}`,
            GroupId: group.id,
            MemberId: { UserId: userId },
          })),
          NextToken: p.next,
        });
      }
      default:
        return json11Invalid(`the fake has no ${op}`);
    }
  }

  /** msw handlers for sso-admin and identitystore in the fake's region. */
  handlers() {
    const handle =
      (
        prefix: string,
        answer: (op: string, body: Record<string, any>) => Response,
      ) =>
      async ({ request }: { request: Request }) => {
        const target = request.headers.get('x-amz-target') ?? '';
        if (!target.startsWith(`${prefix}.`)) {
          return json11Invalid(`X-Amz-Target ${target} is not ${prefix}.*`);
        }
        const op = target.slice(prefix.length + 1);
        this.faults.count(op);
        const body = (await request.json()) as Record<string, any>;
        const scopes = [
          body.AccountId,
          body.PermissionSetArn,
          body.GroupId,
        ].filter(Boolean);
        const fault = this.faults.take(
          op,
          pageOf([], body.NextToken, PAGE).index,
          scopes,
        );
        if (fault) {
          return json11Error(fault, 'ThrottlingException');
        }
        if (accountOfRequest(request) !== this.adminAccount) {
          return json11Error(
            'denied',
            'ThrottlingException',
            `account ${accountOfRequest(
              request,
            )} is not the Identity Center administrator`,
          );
        }
        return answer(op, body);
      };
    return [
      http.post(
        `https://sso.${this.region}.amazonaws.com/`,
        handle('SWBExternalService', (op, body) => this.ssoAdmin(op, body)),
      ),
      http.post(
        `https://identitystore.${this.region}.amazonaws.com/`,
        handle('AWSIdentityStore', (op, body) => this.identityStore(op, body)),
      ),
    ];
  }
}
