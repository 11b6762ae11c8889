// Paging over rows that pass a per-row decision after SQL: `limit` and `offset` count the rows the
// subject may see, not the SQL rows, so a page is never short while readable rows remain.

/** Stop scanning after this many SQL rows; a page past it comes back short, never wrong. */
export const MAX_SCANNED_ROWS = 20_000;

export interface AllowedPageSource<Row> {
  /** One chunk of the SQL query, in the final order. */
  fetch: (limit: number, offset: number) => Promise<Row[]>;
  /** One decision per row of the chunk, in the same order. */
  allowed: (rows: Row[]) => Promise<boolean[]>;
}

export async function allowedPage<Row>(
  source: AllowedPageSource<Row>,
  limit: number,
  offset: number,
): Promise<Row[]> {
  // Chunks a little larger than the page: usually one round trip, few wasted decisions.
  const chunkSize = Math.max(limit * 2, 50);
  const page: Row[] = [];
  let skipped = 0;
  for (let scanned = 0; scanned < MAX_SCANNED_ROWS; scanned += chunkSize) {
    const rows = await source.fetch(chunkSize, scanned);
    const verdicts = await source.allowed(rows);
    for (const [index, row] of rows.entries()) {
      if (verdicts[index] !== true) continue;
      if (skipped < offset) skipped += 1;
      else page.push(row);
      if (page.length === limit) return page;
    }
    if (rows.length < chunkSize) break;
  }
  return page;
}
