// The read queryUsers and queryCalls share: one page of a table's undeleted rows that match a
// condition built from an allowed filter (server/query/), in a given order.

/** A SQL condition and its parameters ($1…$n), as server/query/filter-sql.ts builds them. */
export interface SqlCondition {
  sql: string;
  params: unknown[];
}

/** The statement and parameters of one page; LIMIT and OFFSET follow the condition's own. */
export function pageStatement(
  table: 'users' | 'calls',
  columns: string,
  condition: SqlCondition,
  orderSql: string,
  limit: number,
  offset: number,
): { sql: string; params: unknown[] } {
  const params = [...condition.params, limit, offset];
  return {
    sql: `SELECT ${columns} FROM ${table} WHERE deleted_at IS NULL AND (${condition.sql})
     ORDER BY ${orderSql} LIMIT $${String(params.length - 1)} OFFSET $${String(params.length)}`,
    params,
  };
}
