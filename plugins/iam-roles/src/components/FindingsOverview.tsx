import { useMemo } from 'react';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Table, TableColumn } from '@backstage/core-components';
import {
  SEVERITIES,
  compareSeverity,
  type RoleFinding,
} from '@backstage-iam/plugin-iam-roles-common';
import { useFindings } from '../hooks/queries';
import {
  EmptyLine,
  ErrorState,
  FilterSelect,
  ListCutNotice,
  SeverityChip,
  shortRef,
  RoleLink,
} from './common';

const ALL = '';

/** Findings across all roles, filterable by owner and severity. */
export function FindingsOverview(props: {
  owner?: string;
  severity?: string;
  onFilterChange: (filter: { owner?: string; severity?: string }) => void;
}) {
  const { owner = ALL, severity = ALL } = props;
  const findings = useFindings();

  const owners = useMemo(
    () =>
      [
        ...new Set(
          (findings.data?.items ?? [])
            .map(f => f.owner)
            .filter((o): o is string => Boolean(o)),
        ),
      ].sort(),
    [findings.data],
  );
  const rows = useMemo(
    () =>
      (findings.data?.items ?? []).filter(
        f =>
          (owner === ALL || f.owner === owner) &&
          (severity === ALL || f.finding.severity === severity),
      ),
    [findings.data, owner, severity],
  );

  if (findings.isError) {
    return (
      <ErrorState error={findings.error} title="Could not load the findings" />
    );
  }

  const columns: TableColumn<RoleFinding>[] = [
    {
      title: 'Severity',
      field: 'finding.severity',
      defaultSort: 'asc',
      customSort: (a, b) =>
        compareSeverity(a.finding.severity, b.finding.severity),
      render: f => <SeverityChip severity={f.finding.severity} />,
    },
    {
      title: 'Role',
      field: 'title',
      render: f => <RoleLink entityRef={f.entityRef} title={f.title} />,
    },
    {
      title: 'Owner',
      field: 'owner',
      render: f => (f.owner ? shortRef(f.owner) : '—'),
    },
    { title: 'Finding', field: 'finding.id' },
    {
      title: 'What, why and the fix',
      field: 'finding.message',
      render: f => (
        <Typography variant="body2" sx={{ whiteSpace: 'pre-line' }}>
          {f.finding.message}
        </Typography>
      ),
    },
  ];

  return (
    <Stack spacing={2}>
      <Stack direction="row" spacing={2}>
        <FilterSelect
          id="iam-findings-owner"
          label="Owner"
          allLabel="All owners"
          minWidth={200}
          value={owner}
          options={owners.map(o => ({ value: o, label: shortRef(o) }))}
          onChange={value =>
            props.onFilterChange({
              owner: value,
              severity: severity || undefined,
            })
          }
        />
        <FilterSelect
          id="iam-findings-severity"
          label="Severity"
          allLabel="All severities"
          minWidth={160}
          value={severity}
          options={SEVERITIES.map(v => ({ value: v, label: v }))}
          onChange={value =>
            props.onFilterChange({ owner: owner || undefined, severity: value })
          }
        />
      </Stack>
      {findings.data && (
        <ListCutNotice
          shown={findings.data.items.length}
          total={findings.data.totalItems}
          noun="findings"
        />
      )}
      <Table<RoleFinding>
        title={`Findings (${rows.length})`}
        isLoading={findings.isPending}
        data={rows}
        columns={columns}
        options={{
          paging: rows.length > 20,
          pageSize: 20,
          search: true,
          padding: 'dense',
          draggable: false,
        }}
        emptyContent={
          <EmptyLine>
            {owner || severity
              ? 'No finding matches these filters.'
              : 'No findings: no role trusts anyone in a known risky way.'}
          </EmptyLine>
        }
      />
    </Stack>
  );
}
