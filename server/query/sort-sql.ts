// Translates a Stream sort ([{field, direction}]) into an ORDER BY over allow-listed columns,
// always ending with the primary key so pages are stable.
import { lookupField, type QueryResource } from './fields.js';

export type SqlOrder = { ok: true; sql: string } | { ok: false; message: string };

/** Entries of one sort; checked (with cheap lookups only) before the policy is asked. */
export const SORT_LIMITS = { entries: 5 } as const;
/** A field name longer than this is shortened in messages. */
const MAX_NAME_IN_MESSAGE = 40;

const DEFAULT_ORDER: Record<QueryResource, string> = {
  users: 'id ASC',
  calls: 'created_at DESC, call_type ASC, id ASC',
};
const TIE_BREAK: Record<QueryResource, string> = {
  users: 'id ASC',
  calls: 'call_type ASC, id ASC',
};

export function translateSort(resource: QueryResource, sort: unknown): SqlOrder {
  if (sort === undefined || sort === null) return { ok: true, sql: DEFAULT_ORDER[resource] };
  if (!Array.isArray(sort) || sort.length > SORT_LIMITS.entries) {
    return {
      ok: false,
      message: `sort must be a list of at most ${String(SORT_LIMITS.entries)} {field, direction}`,
    };
  }
  const parts: string[] = [];
  for (const item of sort as unknown[]) {
    if (typeof item !== 'object' || item === null) {
      return { ok: false, message: 'each sort entry is {field, direction}' };
    }
    const { field: name, direction } = item as { field?: unknown; direction?: unknown };
    const field = typeof name === 'string' ? lookupField(resource, name) : undefined;
    if (field === undefined || !field.sortable) {
      const shown = String(name);
      const short =
        shown.length > MAX_NAME_IN_MESSAGE ? `${shown.slice(0, MAX_NAME_IN_MESSAGE)}…` : shown;
      return { ok: false, message: `cannot sort ${resource} by "${short}"` };
    }
    if (direction !== undefined && direction !== 1 && direction !== -1) {
      return { ok: false, message: 'sort direction is 1 or -1' };
    }
    parts.push(`${field.sql} ${direction === -1 ? 'DESC' : 'ASC'} NULLS LAST`);
  }
  parts.push(TIE_BREAK[resource]);
  return { ok: true, sql: parts.join(', ') };
}
