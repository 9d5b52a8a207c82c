import { memo, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Grid from '@mui/material/Grid';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { CopyTextButton } from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  compareSeverity,
  findingTitle,
  highestSeverity,
  isIamRoleEntity,
  policyNameOfArn,
  type Finding,
  type IamRoleEntity,
  type RoleTrustView,
} from '@backstage-iam/plugin-iam-roles-common';
import { useApprovals, useRoleTrust } from '../hooks/queries';
import { useIsOwner } from '../hooks/useOwnership';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';
import { describeLastUsed, formatDate } from '../lib/format';
import { ApprovalsTable } from './ApprovalsTable';
import { AuditTable } from './AuditTable';
import { GrantsTable } from './GrantsTable';
import { MyRequestsTable } from './MyRequestsTable';
import {
  AccountLabel,
  AnswerLine,
  EmptyLine,
  ErrorState,
  Loading,
  SeverityChip,
} from './common';
import { plural } from '../lib/answer';
import { blockedBecause, RequestAccessDialog } from './RequestAccessDialog';
import { RequestSummary } from './RequestSummary';
import { useRequestOptions } from '../hooks/workflowQueries';
import { WhoCanAssume } from './WhoCanAssume';
import { ReachableFrom } from './RoleChains';
import { RawPolicy } from './RawPolicy';
import { TrustHistory } from './TrustHistory';
import {
  GUARDRAILS_SECTION_ID,
  PERMISSIONS_FACT_ID,
  ROLE_CHAINS_SECTION_ID,
  TrustMap,
} from './TrustMap';
import {
  countWhoCanAssume,
  describeWhoCanAssume,
  IdentityCenterSection,
  PodIdentitySection,
  ResourceControlPolicies,
} from './EffectiveAccess';

function Section(props: {
  title: string;
  id: string;
  action?: React.ReactNode;
  children: React.ReactNode;
}) {
  return (
    <Card component="section" aria-labelledby={props.id} variant="outlined">
      <CardContent>
        <Stack
          direction="row"
          justifyContent="space-between"
          alignItems="center"
          mb={1}
        >
          <Typography id={props.id} variant="h6" component="h2">
            {props.title}
          </Typography>
          {props.action}
        </Stack>
        {props.children}
      </CardContent>
    </Card>
  );
}

function Fact(props: {
  label: string;
  id?: string;
  children: React.ReactNode;
}) {
  return (
    <Grid item xs={12} sm={6} md={4} id={props.id}>
      <Typography variant="overline" component="dt" color="text.secondary">
        {props.label}
      </Typography>
      <Typography component="dd" sx={{ m: 0, wordBreak: 'break-word' }}>
        {props.children}
      </Typography>
    </Grid>
  );
}

/** Names shown per kind of policy before "Show all". */
const POLICY_NAMES_SHOWN = 5;

/** One kind of policy: "2 managed: ReadOnlyAccess, PowerUserAccess", the rest on demand. */
function PolicyNameLine(props: {
  kind: 'managed' | 'inline';
  names: string[];
}) {
  const [all, setAll] = useState(false);
  const { kind, names } = props;
  const cut = !all && names.length > POLICY_NAMES_SHOWN;
  return (
    <Box component="li">
      {names.length} {kind}:{' '}
      {(cut ? names.slice(0, POLICY_NAMES_SHOWN) : names).join(', ')}
      {cut && (
        <>
          {' '}
          and {names.length - POLICY_NAMES_SHOWN} more{' '}
          <Button
            size="small"
            onClick={() => setAll(true)}
            aria-label={`Show all ${names.length} ${kind} policies`}
            sx={{ py: 0, minWidth: 0 }}
          >
            Show all
          </Button>
        </>
      )}
    </Box>
  );
}

/**
 * The role's policies by name, as the trust map's policy nodes point here: managed and inline
 * policies, and the permissions boundary that limits them.
 */
export function PolicyNames(props: {
  iam: Pick<
    IamRoleEntity['spec']['iam'],
    'attachedManagedPolicies' | 'inlinePolicyNames' | 'permissionsBoundary'
  >;
}) {
  const { attachedManagedPolicies, inlinePolicyNames, permissionsBoundary } =
    props.iam;
  if (
    attachedManagedPolicies.length === 0 &&
    inlinePolicyNames.length === 0 &&
    !permissionsBoundary
  ) {
    return <>No managed or inline policies</>;
  }
  return (
    <Box component="ul" sx={{ m: 0, pl: 2 }}>
      {attachedManagedPolicies.length > 0 && (
        <PolicyNameLine
          kind="managed"
          names={attachedManagedPolicies.map(p => p.name)}
        />
      )}
      {inlinePolicyNames.length > 0 && (
        <PolicyNameLine kind="inline" names={inlinePolicyNames} />
      )}
      {permissionsBoundary && (
        <Box component="li">
          Limited by the permissions boundary{' '}
          {policyNameOfArn(permissionsBoundary)}
        </Box>
      )}
    </Box>
  );
}

/** The role tab's answer: "12 principals can assume gha-ecr-push — worst risk critical: Anyone …". */
export function roleAnswer(
  roleName: string,
  principals: number,
  findings: Finding[],
): string {
  const who = `${plural(principals, 'principal')} can assume ${roleName}`;
  const worst = [...findings].sort((a, b) =>
    compareSeverity(a.severity, b.severity),
  )[0];
  return worst
    ? `${who} — worst risk ${worst.severity}: ${findingTitle(worst.id)}`
    : `${who} — no findings`;
}

/** Header of the role tab: identity, ownership and use of the role. */
export const RoleHeader = memo(function RoleHeaderView(props: {
  entity: IamRoleEntity;
  risk: string;
  /** The one-line answer: who can assume it and the worst risk. */
  answer?: string;
}) {
  const { entity } = props;
  const iam = entity.spec.iam;
  const lastUsed = describeLastUsed(iam.lastUsed);
  return (
    <Section
      title={iam.roleName}
      id="iam-role-header"
      action={<SeverityChip severity={props.risk} />}
    >
      {props.answer && (
        <Box mb={1}>
          <AnswerLine>{props.answer}</AnswerLine>
        </Box>
      )}
      {iam.description && (
        <Typography variant="body2" color="text.secondary" mb={1}>
          {iam.description}
        </Typography>
      )}
      <Stack direction="row" alignItems="center" spacing={1} mb={1}>
        <Typography
          component="code"
          sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
          aria-label="Role ARN"
        >
          {iam.arn}
        </Typography>
        <CopyTextButton
          text={iam.arn}
          aria-label="Copy ARN"
          tooltipText="ARN copied"
        />
      </Stack>
      <Grid container spacing={1} component="dl" sx={{ m: 0 }}>
        <Fact label="Account">
          <AccountLabel accountId={iam.accountId} />
        </Fact>
        <Fact label="Path">{iam.path}</Fact>
        <Fact label="Owner">
          {entity.spec.owner ? (
            <EntityRefLink entityRef={entity.spec.owner} defaultKind="group" />
          ) : (
            'No owner'
          )}
        </Fact>
        <Fact label="Created">{formatDate(iam.createDate)}</Fact>
        <Fact label="Last used">
          <Box
            component="span"
            sx={
              lastUsed.stale
                ? { color: 'warning.main', fontWeight: 600 }
                : undefined
            }
          >
            {lastUsed.text}
          </Box>
        </Fact>
        <Fact label="Permissions" id={PERMISSIONS_FACT_ID}>
          <PolicyNames iam={iam} />
        </Fact>
      </Grid>
    </Section>
  );
});

/** Findings of one kind and severity: the same problem, found for one or more principals. */
interface FindingGroup {
  key: string;
  first: Finding;
  principals: string[];
  count: number;
}

/** Groups repeated findings (e.g. 40 external accounts without an ExternalId), worst first. */
export function groupFindings(findings: Finding[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const finding of findings) {
    const key = `${finding.severity}:${finding.id}`;
    const group = groups.get(key) ?? {
      key,
      first: finding,
      principals: [],
      count: 0,
    };
    group.count += 1;
    if (finding.principal) {
      group.principals.push(finding.principal);
    }
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) =>
    compareSeverity(a.first.severity, b.first.severity),
  );
}

/** Findings, worst first, each with what is wrong, why it matters and the fix. */
export const FindingsList = memo(function FindingsListView(props: {
  findings: Finding[];
}) {
  if (props.findings.length === 0) {
    return (
      <EmptyLine>
        No findings: the trust policy has no known risky pattern.
      </EmptyLine>
    );
  }
  return (
    <Box
      component="ul"
      sx={{ listStyle: 'none', p: 0, m: 0, '& > li + li': { mt: 2 } }}
    >
      {groupFindings(props.findings).map(
        ({ key, first: f, principals, count }) => (
          <li key={key}>
            <Stack direction="row" spacing={1} alignItems="center">
              <SeverityChip severity={f.severity} />
              <Typography variant="subtitle2" component="h3">
                {findingTitle(f.id)}
                {count > 1 ? ` (${count})` : ''}
              </Typography>
              {count === 1 && (f.sid || f.statementIndex !== undefined) && (
                <Typography variant="caption" color="text.secondary">
                  {f.sid
                    ? `statement "${f.sid}"`
                    : `statement ${f.statementIndex! + 1}`}
                </Typography>
              )}
            </Stack>
            <Typography
              variant="body2"
              sx={{ mt: 0.5, whiteSpace: 'pre-line' }}
            >
              {f.message}
            </Typography>
            <Typography variant="caption" color="text.secondary">
              Rule {f.id}
            </Typography>
            {principals.length > 0 && (
              <Typography
                variant="caption"
                component="p"
                color="text.secondary"
                sx={{ wordBreak: 'break-all', m: 0 }}
              >
                {principals.length === 1 ? 'Principal' : 'Principals'}:{' '}
                {principals.join(', ')}
              </Typography>
            )}
          </li>
        ),
      )}
    </Box>
  );
});

function BrokerNotice(props: {
  broker: RoleTrustView['broker'];
  isOwner: boolean;
}) {
  if (props.broker.trusted) {
    return null;
  }
  return (
    <Alert severity="info" sx={{ mb: 2 }}>
      This role does not trust the access broker, so approved requests cannot
      yield credentials.
      {props.isOwner && props.broker.requiredStatement && (
        <>
          {' '}
          Add this statement to the trust policy to enable them:
          <Box
            component="pre"
            sx={{ fontSize: 12, mb: 0 }}
            aria-label="Statement for the broker"
          >
            {JSON.stringify(props.broker.requiredStatement, null, 2)}
          </Box>
        </>
      )}
    </Alert>
  );
}

function AccessSection(props: {
  entity: IamRoleEntity;
  roleRef: string;
  trustsBroker?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [submitted, setSubmitted] = useState<string>();
  // The request sent here stays in view once decided; an earlier open one shows too.
  const [sentId, setSentId] = useState<string>();
  const iam = props.entity.spec.iam;
  const options = useRequestOptions(props.roleRef);
  // Not offered where it cannot be used: the section says why instead.
  const blocked = options.data ? blockedBecause(options.data) : undefined;
  const shownId = sentId ?? options.data?.openRequest?.id;
  return (
    <Section
      title="Your access"
      id="iam-role-access"
      action={
        !blocked && (
          <Button variant="contained" onClick={() => setOpen(true)}>
            Request access
          </Button>
        )
      }
    >
      {shownId && (
        <Box mb={2}>
          <RequestSummary requestId={shownId} roleRef={props.roleRef} />
        </Box>
      )}
      {blocked && !submitted && !shownId && (
        <Alert severity={blocked.severity} sx={{ mb: 2 }}>
          {blocked.text}
          {blocked.reasons.length > 0 && ` ${blocked.reasons.join(' ')}`}
        </Alert>
      )}
      {submitted && (
        <Alert
          severity="success"
          role="status"
          sx={{ mb: 2 }}
          onClose={() => setSubmitted(undefined)}
        >
          {submitted}
        </Alert>
      )}
      <MyRequestsTable roleRef={props.roleRef} />
      <RequestAccessDialog
        open={open}
        roleRef={props.roleRef}
        roleTitle={iam.roleName}
        roleArn={iam.arn}
        roleTrustsBroker={props.trustsBroker}
        onClose={() => setOpen(false)}
        onSubmitted={request => {
          setSentId(request.id);
          setSubmitted(
            request.status === 'pending'
              ? `Request submitted: it waits for ${
                  request.requiredApprovals
                } approval${
                  request.requiredApprovals === 1 ? '' : 's'
                } from the role's owners.`
              : `Request submitted: ${request.status}.`,
          );
        }}
      />
    </Section>
  );
}

function OwnerSection(props: { roleRef: string }) {
  return (
    <Section title="Owner review" id="iam-role-owner">
      <Stack spacing={2}>
        <ApprovalsTable roleRef={props.roleRef} title="Pending requests" />
        <GrantsTable roleRef={props.roleRef} canRevoke title="Active grants" />
        <AuditTable roleRef={props.roleRef} />
      </Stack>
    </Section>
  );
}

function RoleTrust(props: { entity: IamRoleEntity }) {
  const entity = props.entity;
  const roleRef = stringifyEntityRef(entity);
  const trust = useRoleTrust(roleRef);
  const isOwner = useIsOwner(entity);
  const approvals = useApprovals();
  const canDecide = (approvals.data?.items ?? []).some(
    r => r.roleRef === roleRef && r.canDecide !== false,
  );
  const iam = entity.spec.iam;
  const findings = trust.data?.analysis.findings;
  const risk = findings ? highestSeverity(findings) : entity.spec.iam.risk;

  const counts = trust.data
    ? countWhoCanAssume(trust.data.principals.length, iam)
    : undefined;
  const answer =
    counts && findings
      ? roleAnswer(iam.roleName, counts.total, findings)
      : undefined;

  return (
    <Stack spacing={2}>
      <RoleHeader entity={entity} risk={risk} answer={answer} />
      <Section title="Who can assume this role" id="iam-role-who">
        {trust.isPending && <Loading />}
        {trust.isError && (
          <ErrorState
            error={trust.error}
            title="Could not resolve the principals"
          />
        )}
        {trust.data && counts && (
          <>
            <Typography variant="body1" fontWeight={600} mb={1}>
              {describeWhoCanAssume(counts)}
            </Typography>
            <TrustMap roleName={iam.roleName} view={trust.data} iam={iam} />
            <BrokerNotice broker={trust.data.broker} isOwner={isOwner} />
          </>
        )}
        <IdentityCenterSection access={iam.identityCenter ?? []} />
        <PodIdentitySection associations={iam.podIdentityAssociations ?? []} />
        {trust.data && <WhoCanAssume principals={trust.data.principals} />}
        {trust.data?.reachableFrom && (
          <Box id={ROLE_CHAINS_SECTION_ID}>
            <ReachableFrom chains={trust.data.reachableFrom} />
          </Box>
        )}
      </Section>
      <Section title="Findings" id="iam-role-findings">
        {trust.isPending && <Loading />}
        {trust.isError && (
          <ErrorState
            error={trust.error}
            title="Could not analyse this role's trust policy"
          />
        )}
        {findings && <FindingsList findings={findings} />}
      </Section>
      <AccessSection
        entity={entity}
        roleRef={roleRef}
        trustsBroker={trust.data?.broker.trusted}
      />
      {(isOwner || canDecide) && <OwnerSection roleRef={roleRef} />}
      {(iam.resourceControlPolicies ?? []).length > 0 && (
        <Section
          title="Organization guardrails (RCPs)"
          id={GUARDRAILS_SECTION_ID}
        >
          <ResourceControlPolicies
            policies={iam.resourceControlPolicies!}
            accountId={iam.accountId}
          />
        </Section>
      )}
      <TrustHistory roleRef={roleRef} />
      <Section title="Trust policy" id="iam-role-policy">
        <RawPolicy
          policy={entity.spec.iam.trustPolicy}
          raw={entity.spec.iam.trustPolicyRaw}
        />
      </Section>
    </Stack>
  );
}

/** The "Trust & access" tab of a role entity. */
export function RoleTrustContent() {
  const { entity } = useEntity();
  if (!isIamRoleEntity(entity)) {
    return (
      <EmptyLine>
        This entity is not an IAM role read by the AWS IAM catalog module
        (Resource of type aws-iam-role with spec.iam).
      </EmptyLine>
    );
  }
  return (
    <IamRolesQueryProvider>
      <RoleTrust entity={entity} />
    </IamRolesQueryProvider>
  );
}
