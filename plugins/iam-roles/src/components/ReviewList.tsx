import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import type { TableColumn } from '@backstage/core-components';
import type { Grant } from '@backstage-iam/plugin-iam-roles-common';
import { useReviews, useWorkflowAction } from '../hooks/workflowQueries';
import { formatDate, formatRelative } from '../lib/format';
import { ErrorState, roleColumn, roleNameOf, shortRef } from './common';
import { ListTable } from './ListTable';
import { ReasonDialog } from './ReasonDialog';

/**
 * Break-glass grants of the roles the caller decides that no owner has reviewed yet, oldest first,
 * each with a "Mark reviewed" button that records what the reviewer checked.
 */
export function ReviewList(props: { title?: string }) {
  const reviews = useReviews();
  const act = useWorkflowAction();
  const [reviewing, setReviewing] = useState<Grant>();
  const [done, setDone] = useState<string>();
  const title = props.title ?? 'Break-glass access to review';

  if (reviews.isError) {
    return (
      <ErrorState
        error={reviews.error}
        title="Could not load the break-glass access to review"
      />
    );
  }
  const columns: TableColumn<Grant>[] = [
    roleColumn<Grant>(),
    { title: 'Who', field: 'user', render: g => shortRef(g.user) },
    {
      title: 'Taken',
      field: 'grantedAt',
      defaultSort: 'asc',
      render: g =>
        `${formatDate(g.grantedAt)} (${formatRelative(g.grantedAt)})`,
    },
    {
      title: 'State',
      field: 'status',
      render: g =>
        g.status === 'active'
          ? `active until ${formatDate(g.expiresAt)}`
          : g.status,
    },
    {
      title: 'Review',
      sorting: false,
      render: g => (
        <Button
          size="small"
          variant="outlined"
          aria-label={`Mark the break-glass access of ${shortRef(
            g.user,
          )} to ${roleNameOf(g.roleArn)} reviewed`}
          onClick={() => {
            act.reset();
            setReviewing(g);
          }}
        >
          Mark reviewed
        </Button>
      ),
    },
  ];
  const rows = reviews.data?.items ?? [];
  return (
    <>
      {done && (
        <Alert severity="success" role="status" sx={{ mb: 1 }}>
          {done}
        </Alert>
      )}
      <ListTable<Grant>
        title={title}
        list={reviews}
        rows={rows}
        columns={columns}
        noun="break-glass grants"
        emptyText="No break-glass access waits for your review."
        search={rows.length > 5}
      />
      {reviewing && (
        <ReasonDialog
          open
          title={`Review the break-glass access of ${shortRef(
            reviewing.user,
          )} to ${roleNameOf(reviewing.roleArn)}`}
          description="Say what you checked (the incident, what was done with the access). The review is recorded in the audit trail."
          confirmLabel="Mark reviewed"
          reasonRequired
          pending={act.isPending}
          error={act.error ?? undefined}
          onCancel={() => setReviewing(undefined)}
          onConfirm={note =>
            act.mutate(
              { action: 'review', grantId: reviewing.id, note },
              {
                onSuccess: () => {
                  setDone(
                    `Recorded your review of ${shortRef(
                      reviewing.user,
                    )}'s break-glass access.`,
                  );
                  setReviewing(undefined);
                },
              },
            )
          }
        />
      )}
    </>
  );
}
