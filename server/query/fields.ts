// The fields a Stream filter or sort may name, per resource, and the SQL each one reads.
// Anything not listed here is refused, so a filter can never reach an unintended column.

export type FieldKind = 'text' | 'teams' | 'timestamp' | 'members';

export interface FieldSpec {
  /** SQL expression of the column (trusted: written here, never taken from a request). */
  sql: string;
  kind: FieldKind;
  sortable: boolean;
}

export type QueryResource = 'users' | 'calls';

export const FIELDS: Record<QueryResource, Readonly<Record<string, FieldSpec>>> = {
  users: {
    id: { sql: 'id', kind: 'text', sortable: true },
    name: { sql: 'name', kind: 'text', sortable: true },
    role: { sql: 'role', kind: 'text', sortable: true },
    teams: { sql: 'teams', kind: 'teams', sortable: false },
    created_at: { sql: 'created_at', kind: 'timestamp', sortable: true },
    updated_at: { sql: 'updated_at', kind: 'timestamp', sortable: true },
  },
  calls: {
    id: { sql: 'id', kind: 'text', sortable: true },
    type: { sql: 'call_type', kind: 'text', sortable: true },
    cid: { sql: "(call_type || ':' || id)", kind: 'text', sortable: true },
    team: { sql: 'team', kind: 'text', sortable: true },
    created_by_id: { sql: 'created_by_id', kind: 'text', sortable: true },
    created_at: { sql: 'created_at', kind: 'timestamp', sortable: true },
    updated_at: { sql: 'updated_at', kind: 'timestamp', sortable: true },
    ended_at: { sql: 'ended_at', kind: 'timestamp', sortable: true },
    /** User ids of the call's members (Stream's `members: {$in: [...]}`). */
    members: { sql: 'call_members', kind: 'members', sortable: false },
  },
};

export function lookupField(resource: QueryResource, name: string): FieldSpec | undefined {
  return Object.hasOwn(FIELDS[resource], name) ? FIELDS[resource][name] : undefined;
}
