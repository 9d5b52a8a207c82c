import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import DownloadOutlined from '@mui/icons-material/DownloadOutlined';
import { Table, TableColumn } from '@backstage/core-components';
import {
  AUDIT_CSV_COLUMNS,
  toCsv,
  type AuditEntry,
} from '@backstage-iam/plugin-iam-roles-common';
import { useAudit } from '../hooks/queries';
import { formatDate } from '../lib/format';
import { downloadText } from '../lib/downloadText';
import { EmptyLine, EmptyTable, ErrorState, Loading, shortRef } from './common';

/** The audit trail of a role, for its owners. */
export function AuditTable(props: { roleRef: string }) {
  const audit = useAudit(props.roleRef);
  if (audit.isError) {
    return (
      <ErrorState error={audit.error} title="Could not load the audit trail" />
    );
  }
  const columns: TableColumn<AuditEntry>[] = [
    {
      title: 'When',
      field: 'at',
      defaultSort: 'desc',
      render: e => formatDate(e.at),
    },
    { title: 'Who', field: 'actor', render: e => shortRef(e.actor) },
    { title: 'Action', field: 'action' },
    {
      title: 'Change',
      render: e =>
        e.fromState || e.toState
          ? `${e.fromState ?? '—'} → ${e.toState ?? '—'}`
          : '—',
      sorting: false,
    },
    { title: 'Reason', field: 'reason', render: e => e.reason ?? '—' },
  ];
  const rows = audit.data ?? [];
  if (audit.isPending) {
    return <Loading />;
  }
  if (rows.length === 0) {
    return (
      <EmptyTable title="Audit trail">
        Nothing has happened to this role's access yet.
      </EmptyTable>
    );
  }
  const exportCsv = () =>
    downloadText(
      `iam-audit-${props.roleRef.replace(/[^A-Za-z0-9._-]+/g, '_')}.csv`,
      toCsv([...AUDIT_CSV_COLUMNS], rows),
      'text/csv',
    );
  return (
    <Stack spacing={1}>
      <div>
        <Button
          size="small"
          variant="outlined"
          startIcon={<DownloadOutlined />}
          onClick={exportCsv}
        >
          Export audit CSV
        </Button>
      </div>
      <Table<AuditEntry>
        title="Audit trail"
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
          <EmptyLine>Nothing has happened to this role's access yet.</EmptyLine>
        }
      />
    </Stack>
  );
}
