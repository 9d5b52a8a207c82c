import { useMemo, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { DateTime } from 'luxon';
import type {
  Severity,
  TrustVersion,
} from '@backstage-iam/plugin-iam-roles-common';
import { iamRolesApiRef } from '../api/IamRolesApi';
import {
  useToggleTrustSubscription,
  useTrustChanges,
  useTrustSubscriptions,
} from '../hooks/trustHistoryQueries';
import { downloadText } from '../lib/downloadText';
import { formatDate } from '../lib/format';
import {
  EmptyLine,
  ErrorState,
  errorMessage,
  Loading,
  RoleCell,
  roleNameOf,
  SeverityChip,
  shortRef,
} from './common';
import { describeVersion } from './TrustHistory';

const PERIODS = [
  { id: '1d', label: 'Last 24 hours', days: 1 },
  { id: '7d', label: 'Last 7 days', days: 7 },
  { id: '30d', label: 'Last 30 days', days: 30 },
  { id: 'all', label: 'All recorded', days: undefined },
] as const;
type PeriodId = (typeof PERIODS)[number]['id'];

function SubscribeButton(props: {
  roleRef: string;
  arn: string;
  subscribed: boolean;
}) {
  const toggle = useToggleTrustSubscription();
  const label = props.subscribed ? 'Unsubscribe' : 'Subscribe';
  return (
    <Stack spacing={0.5} alignItems="flex-start">
      <Button
        size="small"
        variant={props.subscribed ? 'text' : 'outlined'}
        disabled={toggle.isPending}
        aria-label={`${label} ${
          props.subscribed ? 'from' : 'to'
        } changes of ${roleNameOf(props.arn)}`}
        onClick={() =>
          toggle.mutate({
            roleRef: props.roleRef,
            subscribe: !props.subscribed,
          })
        }
      >
        {label}
      </Button>
      {toggle.isError && (
        <Typography variant="caption" color="error">
          {errorMessage(toggle.error)}
        </Typography>
      )}
    </Stack>
  );
}

/**
 * The incident page's "Recent trust changes": changes across all roles, those that brought a critical
 * or high finding first (the broker's order), each in words, with a subscription per role.
 */
export function RecentTrustChanges() {
  const api = useApi(iamRolesApiRef);
  const [period, setPeriod] = useState<PeriodId>('7d');
  const [severity, setSeverity] = useState<Severity | ''>('');
  const [exportError, setExportError] = useState<string>();
  const days = PERIODS.find(p => p.id === period)?.days;
  const filter = useMemo(
    () => ({
      since: days
        ? DateTime.utc().minus({ days }).startOf('hour').toISO()!
        : undefined,
      severity: severity || undefined,
    }),
    [days, severity],
  );
  const changes = useTrustChanges(filter);
  const subscriptions = useTrustSubscriptions();
  const subscribed = new Set((subscriptions.data ?? []).map(s => s.roleRef));

  const download = async (format: 'csv' | 'jsonl') => {
    setExportError(undefined);
    try {
      const text = await api.exportTrustHistory(filter, format);
      downloadText(
        `iam-trust-changes.${format}`,
        text,
        format === 'csv' ? 'text/csv' : 'application/x-ndjson',
      );
    } catch (error) {
      setExportError(errorMessage(error));
    }
  };

  const columns: TableColumn<TrustVersion>[] = [
    {
      title: 'Role',
      field: 'arn',
      render: v => (
        <RoleCell
          entityRef={v.roleRef}
          title={roleNameOf(v.arn)}
          arn={v.arn}
          gone={v.kind === 'removed'}
        />
      ),
    },
    {
      title: 'Seen',
      field: 'seenAt',
      render: v => formatDate(v.seenAt),
    },
    {
      title: 'Owner',
      field: 'ownerRef',
      render: v => (v.ownerRef ? shortRef(v.ownerRef) : '—'),
    },
    {
      title: 'Brought',
      field: 'introducedSeverity',
      sorting: false,
      render: v => <SeverityChip severity={v.introducedSeverity} />,
    },
    {
      title: 'What changed',
      sorting: false,
      render: v => (
        <Box component="ul" sx={{ m: 0, pl: 2 }}>
          {describeVersion(v).map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </Box>
      ),
    },
    {
      title: 'Notify me',
      sorting: false,
      render: v => (
        <SubscribeButton
          roleRef={v.roleRef}
          arn={v.arn}
          subscribed={subscribed.has(v.roleRef)}
        />
      ),
    },
  ];

  const items = changes.data?.items ?? [];
  return (
    <Box component="section" aria-labelledby="iam-recent-trust-changes">
      <Stack
        direction={{ xs: 'column', sm: 'row' }}
        spacing={1}
        alignItems={{ sm: 'center' }}
        justifyContent="space-between"
        mb={1}
      >
        <Typography id="iam-recent-trust-changes" variant="h6" component="h2">
          Recent trust changes
        </Typography>
        <Stack direction="row" spacing={1} alignItems="center">
          <TextField
            select
            size="small"
            label="Period"
            value={period}
            onChange={e => setPeriod(e.target.value as PeriodId)}
          >
            {PERIODS.map(p => (
              <MenuItem key={p.id} value={p.id}>
                {p.label}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            size="small"
            label="Brought a finding"
            value={severity}
            onChange={e => setSeverity(e.target.value as Severity | '')}
            sx={{ minWidth: 180 }}
          >
            <MenuItem value="">Any change</MenuItem>
            <MenuItem value="critical">Critical</MenuItem>
            <MenuItem value="high">High or critical</MenuItem>
            <MenuItem value="medium">Medium or worse</MenuItem>
          </TextField>
          <Button size="small" onClick={() => download('csv')}>
            Export changes as CSV
          </Button>
          <Button size="small" onClick={() => download('jsonl')}>
            Export changes as JSON lines
          </Button>
        </Stack>
      </Stack>
      {exportError && (
        <ErrorState error={exportError} title="Could not export the changes" />
      )}
      {changes.isPending && <Loading />}
      {changes.isError && (
        <ErrorState
          error={changes.error}
          title="Could not load the recent trust changes"
        />
      )}
      {changes.data && items.length === 0 && (
        <EmptyLine>
          No trust policy, finding, owner or policy changed in this period.
        </EmptyLine>
      )}
      {items.length > 0 && (
        <Table<TrustVersion>
          title={`${changes.data!.totalItems} change${
            changes.data!.totalItems === 1 ? '' : 's'
          }, risky first`}
          options={{
            paging: items.length > 10,
            pageSize: 10,
            search: true,
            padding: 'dense',
            // Draggable headers wrap the sort buttons in another control (axe: nested-interactive).
            draggable: false,
          }}
          columns={columns}
          data={items}
        />
      )}
    </Box>
  );
}
