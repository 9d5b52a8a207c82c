import type { ListPage } from '@backstage-iam/plugin-iam-roles-common';
import { LIST_PAGE_SIZE, MAX_LIST_ROWS, readAllPages } from './readAllPages';

/** A broker holding `total` rows (numbered), answering pages as the real one does. */
function broker(total: number, options: { stopAt?: number } = {}) {
  const asked: Array<{ limit: number; offset: number }> = [];
  const rows = Array.from({ length: total }, (_, i) => i);
  const readPage = async (page: {
    limit: number;
    offset: number;
  }): Promise<ListPage<number>> => {
    asked.push(page);
    const end = Math.min(options.stopAt ?? total, page.offset + page.limit);
    return {
      items: rows.slice(page.offset, Math.max(page.offset, end)),
      totalItems: total,
      offset: page.offset,
      limit: page.limit,
    };
  };
  return { asked, readPage };
}

describe('readAllPages', () => {
  it('asks one page of 500 when the list fits in it', async () => {
    const { asked, readPage } = broker(3);
    expect(await readAllPages(readPage)).toEqual({
      items: [0, 1, 2],
      totalItems: 3,
    });
    expect(asked).toEqual([{ limit: LIST_PAGE_SIZE, offset: 0 }]);
  });

  it('reads the next pages until every row is in', async () => {
    const { asked, readPage } = broker(1234);
    const result = await readAllPages(readPage);
    expect(result.totalItems).toBe(1234);
    expect(result.items).toEqual(Array.from({ length: 1234 }, (_, i) => i));
    expect(asked).toEqual([
      { limit: 500, offset: 0 },
      { limit: 500, offset: 500 },
      { limit: 500, offset: 1000 },
    ]);
  });

  it('stops at the row cap and keeps the full count, so the table can say it is cut', async () => {
    const { asked, readPage } = broker(MAX_LIST_ROWS + 345);
    const result = await readAllPages(readPage);
    expect(result.items).toHaveLength(MAX_LIST_ROWS);
    expect(result.totalItems).toBe(MAX_LIST_ROWS + 345);
    expect(asked).toHaveLength(MAX_LIST_ROWS / LIST_PAGE_SIZE);
  });

  it('asks no more than the cap leaves room for', async () => {
    const { asked, readPage } = broker(100);
    const result = await readAllPages(readPage, { pageSize: 30, maxRows: 50 });
    expect(result).toEqual({
      items: Array.from({ length: 50 }, (_, i) => i),
      totalItems: 100,
    });
    expect(asked).toEqual([
      { limit: 30, offset: 0 },
      { limit: 20, offset: 30 },
    ]);
  });

  it('stops on an empty page even when the count promised more', async () => {
    const { asked, readPage } = broker(900, { stopAt: 700 });
    const result = await readAllPages(readPage);
    expect(result.items).toHaveLength(700);
    expect(result.totalItems).toBe(900);
    expect(asked).toHaveLength(3);
  });
});
