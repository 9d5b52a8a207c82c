import type { ListPage } from '@backstage-iam/plugin-iam-roles-common';
import type { PageOptions } from '../api/IamRolesApi';

/** Rows asked for per call: the most the broker answers in one page. */
export const LIST_PAGE_SIZE = 500;

/**
 * The most rows a list loads (four pages). A longer list is cut, and the table says so: the tables
 * sort and search in the browser, which stays quick up to a few thousand rows.
 */
export const MAX_LIST_ROWS = 2000;

/** The rows of a list call, and how many there are in all: `items.length < totalItems` means cut. */
export interface ListResult<T> {
  items: T[];
  totalItems: number;
}

/**
 * Reads page after page from offset 0 until every row is in, `maxRows` are in, or the broker
 * answers an empty page (rows went away while we read). `totalItems` is the broker's latest count.
 */
export async function readAllPages<T>(
  readPage: (page: Required<PageOptions>) => Promise<ListPage<T>>,
  options: { pageSize?: number; maxRows?: number } = {},
): Promise<ListResult<T>> {
  const pageSize = options.pageSize ?? LIST_PAGE_SIZE;
  const maxRows = options.maxRows ?? MAX_LIST_ROWS;
  const items: T[] = [];
  let totalItems = 0;
  for (;;) {
    const limit = Math.min(pageSize, maxRows - items.length);
    const page = await readPage({ limit, offset: items.length });
    items.push(...page.items.slice(0, limit));
    totalItems = Math.max(page.totalItems, items.length);
    if (
      page.items.length === 0 ||
      items.length >= totalItems ||
      items.length >= maxRows
    ) {
      return { items, totalItems };
    }
  }
}
