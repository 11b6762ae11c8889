// Keeps a server's caches (stored grants, actor rows) in step with every server on the database.
// Triggers (migrate.ts) bump one counter row per change and NOTIFY its payload on commit. PGlite
// delivers it in-process before the writing statement resolves, so `sync` has nothing to do.
// PostgreSQL delivers it to the other servers a little later: `sync`, before each request's
// decision, reads the counter (one primary-key row) and, when it is ahead of the last payload
// received, drops every cache, so a change committed anywhere is used by the next decision.
import { PREPARED, type Database } from './database.js';
import { CHANGES_CHANNEL } from './migrate.js';

export interface ChangeHandlers {
  /** The stored grants changed. */
  grants: () => void;
  /** A user row changed or went away. */
  user: (userId: string) => void;
  /** Changes may have been missed: drop everything cached. */
  reset: () => void;
}

interface ChangePayload {
  version: number;
  kind: 'grants' | 'user';
  id: string | null;
}

async function readVersion(db: Database): Promise<number> {
  const rows = await db.query<{ version: string }>(
    'SELECT version::text AS version FROM rolecall_changes WHERE id = 1',
    [],
    PREPARED,
  );
  return Number(rows[0]?.version ?? 0);
}

const settled = (): undefined => undefined;

/** Waits before LISTEN is tried again after a lost connection (ms): the first, then doubling. */
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

export class ChangeFeed {
  /** The version of the last change applied to the caches. */
  private seen = 0;
  /** Bumped on every invalidation: a row read before it must not enter a cache after it. */
  private epoch = 0;
  /** PGlite's in-process delivery (and only while listening) makes `sync` free. */
  private delivered = false;
  private unlisten: (() => Promise<void>) | undefined;
  private closed = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  /** The next wait before LISTEN is tried again after a lost connection (ms, doubling). */
  private retryDelayMs = FIRST_RETRY_MS;
  /** The counter read in flight, and the one queued behind it (see `sync`). */
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  private constructor(
    private readonly db: Database,
    private readonly handlers: ChangeHandlers,
    private readonly onLost: (error: Error) => void,
  ) {}

  static async open(
    db: Database,
    handlers: ChangeHandlers,
    onLost: (error: Error) => void = () => undefined,
  ): Promise<ChangeFeed> {
    const feed = new ChangeFeed(db, handlers, onLost);
    await feed.listen();
    // Read after LISTEN: a change between the two is seen by both, never by neither.
    feed.seen = await readVersion(db);
    return feed;
  }

  private async listen(): Promise<void> {
    if (this.db.listen === undefined) return;
    this.unlisten = await this.db.listen(
      CHANGES_CHANNEL,
      (payload) => {
        this.receive(payload);
      },
      (error) => {
        // Without the listener the counter alone keeps the caches correct (every change then
        // drops them all) until LISTEN is back.
        this.delivered = false;
        this.unlisten = undefined;
        this.onLost(error);
        this.scheduleRelisten();
      },
    );
    this.delivered = this.db.kind === 'pglite';
  }

  /** Tries LISTEN again with a doubling delay, until it works or the feed is closed. */
  private scheduleRelisten(): void {
    if (this.closed || this.retry !== undefined) return;
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(delay * 2, MAX_RETRY_MS);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.closed) return;
      this.listen().then(
        () => {
          this.retryDelayMs = FIRST_RETRY_MS;
          // Changes made while nobody listened are caught by the counter: start over.
          this.epoch += 1;
          this.handlers.reset();
        },
        () => {
          this.scheduleRelisten();
        },
      );
    }, delay);
    // A pending retry must not keep a closing process alive.
    this.retry.unref();
  }

  /** True while notifications are being received (for tests and health). */
  get listening(): boolean {
    return this.unlisten !== undefined;
  }

  /** The current invalidation epoch; compare it before caching something read from the database. */
  get currentEpoch(): number {
    return this.epoch;
  }

  /**
   * Resolves once every change committed before the call has reached the caches. Concurrent calls
   * share reads of the counter: a read already running may have started before this call, so the
   * call waits for the next read, which every call arriving meanwhile shares.
   */
  sync(): Promise<void> {
    if (this.delivered) return Promise.resolve();
    if (this.running === undefined) return this.startRead();
    this.queued ??= this.running.then(settled, settled).then(() => {
      this.queued = undefined;
      return this.startRead();
    });
    return this.queued;
  }

  private startRead(): Promise<void> {
    const read = this.readCounter();
    this.running = read;
    const done = () => {
      if (this.running === read) this.running = undefined;
    };
    read.then(done, done);
    return read;
  }

  private async readCounter(): Promise<void> {
    const version = await readVersion(this.db);
    if (version === this.seen) return;
    // Notifications are on their way (or lost): dropping everything is always correct.
    if (version > this.seen) this.seen = version;
    this.epoch += 1;
    this.handlers.reset();
  }

  private receive(text: string): void {
    let payload: ChangePayload;
    try {
      payload = JSON.parse(text) as ChangePayload;
    } catch {
      return;
    }
    this.epoch += 1;
    if (payload.version > this.seen + 1) {
      // Some change was not delivered (or `sync` has not caught up yet): start over.
      this.handlers.reset();
    } else if (payload.kind === 'grants') {
      this.handlers.grants();
    } else if (payload.id !== null) {
      this.handlers.user(payload.id);
    }
    this.seen = Math.max(this.seen, payload.version);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.retry = undefined;
    const unlisten = this.unlisten;
    this.unlisten = undefined;
    this.delivered = false;
    await unlisten?.();
  }
}
