import { Table, TableColumn } from '@backstage/core-components';
import type { ListResult } from '../hooks/readAllPages';
import { EmptyLine, EmptyTable, ListCutNotice, Loading } from './common';

/**
 * A list the broker pages (requests, approvals, grants) as a table, with its loading, cut, empty
 * and filled states designed once. `rows` are the rows to show: the list's, or a filtered part.
 */
export function ListTable<T extends object>(props: {
  title: string;
  list: { isPending: boolean; data?: ListResult<unknown> };
  rows: T[];
  columns: TableColumn<T>[];
  /** What the rows are, for "Showing 2,000 of 2,345 …". */
  noun: string;
  emptyText: string;
  search?: boolean;
}) {
  const { list, rows } = props;
  if (list.isPending || !list.data) {
    return <Loading />;
  }
  return (
    <>
      <ListCutNotice
        shown={list.data.items.length}
        total={list.data.totalItems}
        noun={props.noun}
      />
      {rows.length === 0 ? (
        <EmptyTable title={props.title}>{props.emptyText}</EmptyTable>
      ) : (
        <Table<T>
          title={props.title}
          data={rows}
          columns={props.columns}
          options={{
            paging: rows.length > 10,
            pageSize: 10,
            search: props.search ?? true,
            padding: 'dense',
            draggable: false,
          }}
          emptyContent={<EmptyLine>{props.emptyText}</EmptyLine>}
        />
      )}
    </>
  );
}
