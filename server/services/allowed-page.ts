// Paging over rows that pass a per-row decision after SQL: `limit` and `offset` count the rows the
// subject may see, not the SQL rows, so a page is never short while readable rows remain.

/** How many SQL rows one request may read and decide by default (ServerOptions.queryScanLimit). */
export const DEFAULT_SCAN_LIMIT = 20_000;

/** The largest chunk read at once: chunks double from about two pages up to this. */
const MAX_CHUNK = 1_000;

export interface AllowedPageSource<Row> {
  /** One chunk of the SQL query, in the final order. */
  fetch: (limit: number, offset: number) => Promise<Row[]>;
  /** One decision per row of the chunk, in the same order. */
  allowed: (rows: Row[]) => Promise<boolean[]>;
}

export interface AllowedPage<Row> {
  rows: Row[];
  /**
   * The scan limit was reached with the page not full and more SQL rows left: the page is not
   * the end of the list, and must not be served as if it were.
   */
  truncated: boolean;
}

export async function allowedPage<Row>(
  source: AllowedPageSource<Row>,
  limit: number,
  offset: number,
  scanLimit = DEFAULT_SCAN_LIMIT,
): Promise<AllowedPage<Row>> {
  const page: Row[] = [];
  let skipped = 0;
  let scanned = 0;
  // Usually one round trip; long runs of refused rows cost a few growing chunks, not hundreds.
  let chunkSize = Math.max(limit * 2, 50);
  for (;;) {
    const size = Math.min(chunkSize, scanLimit - scanned);
    if (size <= 0) {
      const more = await source.fetch(1, scanned);
      return { rows: page, truncated: more.length > 0 };
    }
    const rows = await source.fetch(size, scanned);
    const verdicts = await source.allowed(rows);
    scanned += rows.length;
    for (const [index, row] of rows.entries()) {
      if (verdicts[index] !== true) continue;
      if (skipped < offset) skipped += 1;
      else page.push(row);
      if (page.length === limit) return { rows: page, truncated: false };
    }
    if (rows.length < size) return { rows: page, truncated: false };
    chunkSize = Math.min(chunkSize * 2, MAX_CHUNK);
  }
}
