import { memo, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Typography from '@mui/material/Typography';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type {
  IamIdentityCenterAccess,
  IamIdentityCenterPrincipal,
  IamPodIdentityAssociation,
  IamResourceControlPolicy,
  IamRoleSpec,
} from '@backstage-iam/plugin-iam-roles-common';
import { describeCondition } from '@backstage-iam/plugin-iam-roles-common';
import { roleNameOf } from './common';
import { plural } from '../lib/answer';
import { principalTableSx } from './WhoCanAssume';
import { RawPolicy } from './RawPolicy';

/** How many principals can assume a role, by where the answer comes from. */
export interface WhoCanAssumeCounts {
  total: number;
  trustPolicy: number;
  identityCenter: { groups: number; users: number };
  podIdentity: number;
}

/** Distinct identity-store principals: a group assigned in two accounts is one group. */
export function identityCenterPrincipals(
  access: IamIdentityCenterAccess[] = [],
): IamIdentityCenterPrincipal[] {
  const byId = new Map<string, IamIdentityCenterPrincipal>();
  for (const entry of access) {
    for (const p of entry.principals) {
      byId.set(`${p.principalType}:${p.principalId}`, p);
    }
  }
  return [...byId.values()];
}

/** Distinct service accounts: the same one associated twice (role and target) counts once. */
/** Whether the role's trust policy refuses the association's pods. */
function isRefused(a: IamPodIdentityAssociation): boolean {
  return !!a.trust && !['allowed', 'possible'].includes(a.trust.outcome);
}

function podServiceAccounts(
  associations: IamPodIdentityAssociation[] = [],
): number {
  return new Set(
    // An association the trust policy refuses gives its pods nothing: it does not count.
    associations
      .filter(a => !isRefused(a))
      .map(a =>
        [
          a.accountId,
          a.region,
          a.clusterName,
          a.namespace,
          a.serviceAccount,
        ].join('/'),
      ),
  ).size;
}

/** Counts the principals of the trust policy, Identity Center assignments and Pod Identity associations. */
export function countWhoCanAssume(
  trustPolicyPrincipals: number,
  iam: Pick<IamRoleSpec, 'identityCenter' | 'podIdentityAssociations'>,
): WhoCanAssumeCounts {
  const ic = identityCenterPrincipals(iam.identityCenter);
  const groups = ic.filter(p => p.principalType === 'GROUP').length;
  const identityCenter = { groups, users: ic.length - groups };
  const podIdentity = podServiceAccounts(iam.podIdentityAssociations);
  return {
    total: trustPolicyPrincipals + ic.length + podIdentity,
    trustPolicy: trustPolicyPrincipals,
    identityCenter,
    podIdentity,
  };
}

/** "12 principals: 3 in the trust policy, 8 through Identity Center (2 groups, 6 users), 1 through Pod Identity". */
export function describeWhoCanAssume(counts: WhoCanAssumeCounts): string {
  const { groups, users } = counts.identityCenter;
  const parts = [
    counts.trustPolicy > 0 && `${counts.trustPolicy} in the trust policy`,
    groups + users > 0 &&
      `${groups + users} through Identity Center (${plural(
        groups,
        'group',
      )}, ${plural(users, 'user')})`,
    counts.podIdentity > 0 && `${counts.podIdentity} through Pod Identity`,
  ].filter(Boolean);
  return `${plural(counts.total, 'principal')}${
    parts.length > 0 ? `: ${parts.join(', ')}` : ''
  }`;
}

function IdentityCenterWho(props: { principal: IamIdentityCenterPrincipal }) {
  const p = props.principal;
  const defaultKind = p.principalType === 'GROUP' ? 'group' : 'user';
  if (p.status === 'matched' && p.entityRef) {
    return (
      <>
        <EntityRefLink entityRef={p.entityRef} defaultKind={defaultKind} />
        <div className="conditions">Identity Center: {p.name}</div>
      </>
    );
  }
  if (p.status === 'ambiguous') {
    return (
      <>
        {p.name}
        <span className="external">ambiguous</span>
        <div className="conditions">
          matches several catalog entities:{' '}
          {(p.candidates ?? []).map((ref, i) => (
            <span key={ref}>
              {i > 0 && ', '}
              <EntityRefLink entityRef={ref} defaultKind={defaultKind} />
            </span>
          ))}
        </div>
      </>
    );
  }
  return (
    <>
      {p.name}
      <span className="external">no catalog match</span>
    </>
  );
}

/** The users and groups of Identity Center that get the role, per permission set and account. */
export const IdentityCenterSection = memo(
  function IdentityCenterSectionView(props: {
    access: IamIdentityCenterAccess[];
  }) {
    if (props.access.length === 0) {
      return null;
    }
    return (
      <Box component="section" aria-labelledby="iam-who-identity-center" mb={2}>
        <Typography
          id="iam-who-identity-center"
          variant="subtitle1"
          component="h3"
        >
          Through Identity Center
        </Typography>
        {props.access.map((entry, i) => {
          const id = `iam-who-identity-center-${i}`;
          return (
            <Box key={`${entry.permissionSetArn}-${entry.accountId}`} mt={1}>
              <Typography id={id} variant="subtitle2" component="h4">
                Permission set {entry.permissionSetName} in account{' '}
                {entry.accountId} (
                {plural(entry.principals.length, 'assignment')})
              </Typography>
              {entry.principals.length === 0 ? (
                <Typography variant="body2" color="text.secondary">
                  No user or group is assigned this permission set in this
                  account.
                </Typography>
              ) : (
                <Box
                  component="table"
                  sx={principalTableSx}
                  aria-labelledby={id}
                >
                  <thead>
                    <tr>
                      <th scope="col">Who</th>
                      <th scope="col">Type</th>
                      <th scope="col">Members</th>
                    </tr>
                  </thead>
                  <tbody>
                    {entry.principals.map(p => (
                      <tr key={`${p.principalType}:${p.principalId}`}>
                        <td>
                          <IdentityCenterWho principal={p} />
                        </td>
                        <td>
                          {p.principalType === 'GROUP' ? 'Group' : 'User'}
                        </td>
                        <td>
                          {p.principalType === 'GROUP' &&
                          p.memberCount !== undefined
                            ? plural(p.memberCount, 'member')
                            : '—'}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </Box>
              )}
            </Box>
          );
        })}
      </Box>
    );
  },
);

/** What the role's trust policy says to an association's pods, when it is not a plain yes. */
function PodTrustNote(props: {
  trust: NonNullable<IamPodIdentityAssociation['trust']>;
}) {
  const { outcome, conditions } = props.trust;
  if (outcome === 'allowed') return null;
  return (
    <div className="conditions">
      {outcome === 'possible'
        ? `only if ${conditions.map(describeCondition).join(' and ')}`
        : 'the trust policy does not let these pods in (its conditions name other clusters, namespaces or service accounts): no access'}
    </div>
  );
}

/** The EKS service accounts whose pods get the role, and the components that run as them. */
export const PodIdentitySection = memo(function PodIdentitySectionView(props: {
  associations: IamPodIdentityAssociation[];
}) {
  if (props.associations.length === 0) {
    return null;
  }
  return (
    <Box component="section" aria-labelledby="iam-who-pod-identity" mb={2}>
      <Typography id="iam-who-pod-identity" variant="subtitle1" component="h3">
        Through EKS Pod Identity
      </Typography>
      <Box
        component="table"
        sx={principalTableSx}
        aria-labelledby="iam-who-pod-identity"
      >
        <thead>
          <tr>
            <th scope="col">Cluster</th>
            <th scope="col">Namespace / service account</th>
            <th scope="col">Components</th>
          </tr>
        </thead>
        <tbody>
          {props.associations.map(a => (
            <tr key={a.associationId}>
              <td>
                {a.clusterName}
                <div className="conditions">
                  account {a.accountId}, {a.region}
                </div>
              </td>
              <td>
                {a.namespace}/{a.serviceAccount}
                {a.as === 'target' && (
                  <div className="conditions">
                    as the target role, with the session of{' '}
                    {roleNameOf(a.roleArn)}
                  </div>
                )}
              </td>
              <td>
                {a.componentRefs.length === 0
                  ? 'No catalog component runs as this service account'
                  : a.componentRefs.map((ref, i) => (
                      <span key={ref}>
                        {i > 0 && ', '}
                        <EntityRefLink
                          entityRef={ref}
                          defaultKind="component"
                        />
                      </span>
                    ))}
                {a.trust && <PodTrustNote trust={a.trust} />}
              </td>
            </tr>
          ))}
        </tbody>
      </Box>
    </Box>
  );
});

/** Where on the organisation an RCP is attached, in words: `r-ab12` → "root r-ab12". */
export function describeAttachment(target: string): string {
  if (/^r-/.test(target)) {
    return `root ${target}`;
  }
  if (/^ou-/.test(target)) {
    return `OU ${target}`;
  }
  if (/^\d{12}$/.test(target)) {
    return `account ${target}`;
  }
  return target;
}

function RcpItem(props: { policy: IamResourceControlPolicy }) {
  const { policy } = props;
  const [open, setOpen] = useState(false);
  const documentId = `iam-rcp-${policy.id}-document`;
  return (
    <li>
      <Box display="flex" alignItems="center" gap={1} flexWrap="wrap">
        <Typography variant="subtitle2" component="h3">
          {policy.name}
        </Typography>
        <Chip
          size="small"
          variant="outlined"
          label={policy.awsManaged ? 'AWS-managed' : 'organisation policy'}
        />
        <Button
          size="small"
          aria-expanded={open}
          aria-controls={documentId}
          aria-label={`${open ? 'Hide' : 'Show'} document of ${policy.name}`}
          onClick={() => setOpen(o => !o)}
        >
          {open ? 'Hide document' : 'Show document'}
        </Button>
      </Box>
      <Typography variant="body2" color="text.secondary">
        Attached to {policy.attachedTo.map(describeAttachment).join(', ')}
        {policy.organizationId
          ? ` of organisation ${policy.organizationId}`
          : ''}
      </Typography>
      {open && (
        <Box id={documentId} mt={1}>
          <RawPolicy
            policy={policy.document}
            copyLabel={`Copy ${policy.name}`}
            documentLabel={`${policy.name} document`}
          />
        </Box>
      )}
    </li>
  );
}

/** The resource control policies that apply to the role's account, root first. */
export const ResourceControlPolicies = memo(
  function ResourceControlPoliciesView(props: {
    policies: IamResourceControlPolicy[];
    accountId: string;
  }) {
    const managed = props.policies.filter(p => p.awsManaged).length;
    return (
      <>
        <Typography variant="body2" mb={2}>
          {plural(
            props.policies.length,
            'resource control policy',
            'resource control policies',
          )}{' '}
          {props.policies.length === 1 ? 'applies' : 'apply'} to account{' '}
          {props.accountId} ({managed} AWS-managed,{' '}
          {props.policies.length - managed} of the organisation). A Deny in one
          of them closes the role to the principals it names, whatever the trust
          policy allows.
        </Typography>
        <Box
          component="ul"
          sx={{ listStyle: 'none', p: 0, m: 0, '& > li + li': { mt: 2 } }}
        >
          {props.policies.map(policy => (
            <RcpItem key={policy.id} policy={policy} />
          ))}
        </Box>
      </>
    );
  },
);
