import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { FormEvent, useState } from 'react';
import TextField from '@mui/material/TextField';
import { useApi } from '@backstage/core-plugin-api';
import type {
  FirstTrustAccess,
  TrustVersion,
} from '@backstage-iam/plugin-iam-roles-common';
import { iamRolesApiRef } from '../api/IamRolesApi';
import { useRoleTrustHistory } from '../hooks/trustHistoryQueries';
import { downloadText } from '../lib/downloadText';
import { formatDate } from '../lib/format';
import {
  EmptyLine,
  ErrorState,
  errorMessage,
  Loading,
  SeverityChip,
  shortRef,
} from './common';

/** The principals a version's trust names, one line each. */
function whoItTrusts(v: TrustVersion): string[] {
  return v.facts.principals.length > 0
    ? v.facts.principals.map(p => `• ${p.description}`)
    : ['• nobody'];
}

/** One line in words for each thing a version changed (the first version says what it started with). */
export function describeVersion(v: TrustVersion): string[] {
  const c = v.changes;
  const lines: string[] = [];
  if (v.kind === 'baseline' || v.kind === 'created') {
    lines.push(
      v.kind === 'baseline'
        ? 'First recorded. It trusted:'
        : 'New role. It trusts:',
    );
    lines.push(...whoItTrusts(v));
    for (const f of v.facts.findings) {
      lines.push(`Finding: ${f.title} (${f.severity})`);
    }
    return lines;
  }
  if (v.kind === 'removed') {
    lines.push(
      'Gone from the catalog: deleted in IAM, or its account is no longer read. It last trusted:',
    );
    lines.push(...whoItTrusts(v));
    return lines;
  }
  for (const p of c.principalsAdded) lines.push(`Now trusts ${p.description}`);
  for (const p of c.principalsRemoved) {
    lines.push(`No longer trusts ${p.description}`);
  }
  if (
    c.changed.includes('trust-policy') &&
    c.principalsAdded.length === 0 &&
    c.principalsRemoved.length === 0
  ) {
    lines.push(
      'The trust policy changed in its conditions or actions, not in whom it names',
    );
  }
  for (const f of c.findingsAppeared) {
    lines.push(`New finding: ${f.title} (${f.severity})`);
  }
  for (const f of c.findingsGone) lines.push(`Resolved: ${f.title}`);
  if (c.owner) {
    lines.push(
      `Owner changed from ${
        c.owner.from ? shortRef(c.owner.from) : 'none'
      } to ${c.owner.to ? shortRef(c.owner.to) : 'none'}`,
    );
  }
  for (const p of c.policiesAttached) lines.push(`Policy attached: ${p}`);
  for (const p of c.policiesDetached) lines.push(`Policy detached: ${p}`);
  if (c.permissionsBoundary) {
    lines.push(
      `Permissions boundary ${
        c.permissionsBoundary.to
          ? `set to ${c.permissionsBoundary.to}`
          : `removed (was ${c.permissionsBoundary.from})`
      }`,
    );
  }
  for (const a of c.identityCenterAdded) {
    lines.push(`Identity Center assignment added: ${a}`);
  }
  for (const a of c.identityCenterRemoved) {
    lines.push(`Identity Center assignment removed: ${a}`);
  }
  return lines;
}

const KIND_LABEL: Record<TrustVersion['kind'], string> = {
  baseline: 'first recorded',
  created: 'new role',
  changed: 'changed',
  removed: 'removed',
};

function VersionEntry(props: { version: TrustVersion }) {
  const v = props.version;
  return (
    <Box
      component="li"
      sx={{ borderLeft: 2, borderColor: 'divider', pl: 2, pb: 2, ml: 1 }}
    >
      <Stack direction="row" spacing={1} alignItems="center" mb={0.5}>
        <Typography variant="subtitle2" component="h3">
          Version {v.version} · {formatDate(v.seenAt)}
        </Typography>
        <Chip size="small" variant="outlined" label={KIND_LABEL[v.kind]} />
        {v.introducedSeverity !== 'none' && v.kind !== 'baseline' && (
          <SeverityChip severity={v.introducedSeverity} />
        )}
      </Stack>
      <Box component="ul" sx={{ listStyle: 'none', m: 0, p: 0 }}>
        {describeVersion(v).map((line, i) => (
          <Typography key={i} component="li" variant="body2">
            {line}
          </Typography>
        ))}
      </Box>
    </Box>
  );
}

/** The answer to "since when can P assume this role", in words. */
export function describeFirstAccess(a: FirstTrustAccess): string {
  const recorded = formatDate(a.recordedSince);
  if (!a.firstAt) {
    return `No recorded version lets ${a.principal} assume this role (recorded since ${recorded}).`;
  }
  const first =
    a.firstVersion === a.versions.at(-1)?.version
      ? `since at least ${formatDate(a.firstAt)}, when the history starts`
      : `first on ${formatDate(a.firstAt)} (version ${a.firstVersion})`;
  if (!a.since) {
    return `${a.principal} could assume this role ${first}, but the current version no longer lets it in.`;
  }
  const conditional = a.now === 'possible' ? ', under conditions' : '';
  return a.since === a.firstAt
    ? `${a.principal} can assume this role${conditional}, ${first}, without a break.`
    : `${
        a.principal
      } can assume this role${conditional} again since ${formatDate(
        a.since,
      )}; it could ${first}.`;
}

function SinceWhen(props: { roleRef: string }) {
  const api = useApi(iamRolesApiRef);
  const [principal, setPrincipal] = useState('');
  const [answer, setAnswer] = useState<string>();
  const [error, setError] = useState<unknown>();
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setAnswer(undefined);
    setError(undefined);
    if (!principal.trim()) return;
    try {
      setAnswer(
        describeFirstAccess(
          await api.getFirstTrustAccess(props.roleRef, principal.trim()),
        ),
      );
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Box
      component="form"
      role="search"
      aria-label="Since when"
      onSubmit={onSubmit}
      mb={2}
    >
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1}>
        <TextField
          size="small"
          fullWidth
          label="Since when can this principal assume the role?"
          helperText="An ARN, a 12-digit account id, github:OWNER/REPO[@REF] or service:NAME"
          value={principal}
          onChange={e => setPrincipal(e.target.value)}
        />
        <Button type="submit" variant="outlined" sx={{ whiteSpace: 'nowrap' }}>
          Since when?
        </Button>
      </Stack>
      {answer && (
        <Typography variant="body2" mt={1} role="status">
          {answer}
        </Typography>
      )}
      {error !== undefined && (
        <ErrorState error={error} title="Could not answer since when" />
      )}
    </Box>
  );
}

/** The role tab's timeline of trust versions: who the policy let in and what was risky, version by version. */
export function TrustHistory(props: { roleRef: string }) {
  const api = useApi(iamRolesApiRef);
  const history = useRoleTrustHistory(props.roleRef);
  const [exportError, setExportError] = useState<string>();
  const name = props.roleRef.split('/').pop() ?? 'role';

  const download = async (format: 'csv' | 'jsonl') => {
    setExportError(undefined);
    try {
      const text = await api.exportTrustHistory(
        { entityRef: props.roleRef },
        format,
      );
      downloadText(
        `${name}-trust-history.${format}`,
        text,
        format === 'csv' ? 'text/csv' : 'application/x-ndjson',
      );
    } catch (error) {
      setExportError(errorMessage(error));
    }
  };

  const versions = history.data?.versions ?? [];
  return (
    <Card
      component="section"
      aria-labelledby="iam-role-history"
      variant="outlined"
    >
      <CardContent>
        <Stack
          direction="row"
          justifyContent="space-between"
          alignItems="center"
          mb={1}
        >
          <Typography id="iam-role-history" variant="h6" component="h2">
            Trust history
          </Typography>
          {versions.length > 0 && (
            <Stack direction="row" spacing={1}>
              <Button size="small" onClick={() => download('csv')}>
                Export history as CSV
              </Button>
              <Button size="small" onClick={() => download('jsonl')}>
                Export history as JSON lines
              </Button>
            </Stack>
          )}
        </Stack>
        {exportError && (
          <ErrorState
            error={exportError}
            title="Could not export the history"
          />
        )}
        {history.isPending && <Loading />}
        {history.isError && (
          <ErrorState
            error={history.error}
            title="Could not load the trust history"
          />
        )}
        {history.data && versions.length === 0 && (
          <EmptyLine>
            No version recorded yet. The broker records one each time it reads
            the catalog and this role's trust, findings, owner or policies
            differ from the last.
          </EmptyLine>
        )}
        {versions.length > 0 && <SinceWhen roleRef={props.roleRef} />}
        {versions.length > 0 && (
          <Box component="ol" aria-label="Versions" sx={{ m: 0, p: 0 }}>
            {versions.map(v => (
              <VersionEntry key={v.version} version={v} />
            ))}
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
