// Translates a Stream filter (DESIGN §5 operators) into a parameterized SQL condition.
// Values only ever travel as parameters; fields and operators come from fixed allow-lists.
import { lookupField, type FieldSpec, type QueryResource } from './fields.js';
import { FILTER_LIMITS, INJECTED_CONDITIONS } from './filter-bounds.js';

export type SqlCondition =
  { ok: true; sql: string; params: unknown[] } | { ok: false; message: string };

// The client's limits (checked before the policy, filter-bounds.ts), plus the policy's own
// team condition: a client filter at the limits still translates once the policy has scoped it.
const MAX_DEPTH = FILTER_LIMITS.depth;
const MAX_CONDITIONS = FILTER_LIMITS.conditions + INJECTED_CONDITIONS;
const MAX_LIST = FILTER_LIMITS.listValues;

class FilterError extends Error {}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Builder {
  readonly params: unknown[] = [];
  conditions = 0;

  constructor(
    readonly resource: QueryResource,
    offset: number,
  ) {
    this.offset = offset;
  }

  private readonly offset: number;

  param(value: unknown, cast: string): string {
    this.params.push(value);
    return `$${this.params.length + this.offset}::${cast}`;
  }

  count(): void {
    this.conditions += 1;
    if (this.conditions > MAX_CONDITIONS) {
      throw new FilterError(`filter has more than ${MAX_CONDITIONS} conditions`);
    }
  }
}

/** `offset` is the number of parameters already used by the surrounding statement. */
export function translateFilter(
  resource: QueryResource,
  filter: unknown,
  offset = 0,
): SqlCondition {
  const builder = new Builder(resource, offset);
  try {
    if (filter === undefined || filter === null) return { ok: true, sql: 'TRUE', params: [] };
    const sql = translateObject(builder, filter, 0);
    return { ok: true, sql, params: builder.params };
  } catch (error) {
    if (error instanceof FilterError) return { ok: false, message: error.message };
    throw error;
  }
}

function translateObject(builder: Builder, filter: unknown, depth: number): string {
  if (!isPlainObject(filter)) throw new FilterError('a filter must be an object');
  if (depth > MAX_DEPTH) throw new FilterError(`filter nests deeper than ${MAX_DEPTH} levels`);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      parts.push(translateLogical(builder, key, value, depth));
    } else if (key.startsWith('$')) {
      throw new FilterError(`unknown operator "${key}" at the top of a filter`);
    } else {
      const field = lookupField(builder.resource, key);
      if (field === undefined) {
        throw new FilterError(`unknown field "${key}" in a ${builder.resource} filter`);
      }
      parts.push(translateField(builder, key, field, value));
    }
  }
  return joinAnd(parts);
}

function joinAnd(parts: string[]): string {
  if (parts.length === 0) return 'TRUE';
  if (parts.length === 1) return parts[0] ?? 'TRUE';
  return `(${parts.join(' AND ')})`;
}

function translateLogical(
  builder: Builder,
  operator: string,
  value: unknown,
  depth: number,
): string {
  if (!Array.isArray(value) || value.length === 0) {
    throw new FilterError(`${operator} takes a non-empty list of filters`);
  }
  if (value.length > MAX_LIST) {
    throw new FilterError(`${operator} lists more than ${String(MAX_LIST)} filters`);
  }
  const inner = value.map((item) => translateObject(builder, item, depth + 1));
  if (operator === '$and') return `(${inner.join(' AND ')})`;
  if (operator === '$or') return `(${inner.join(' OR ')})`;
  return `(NOT (${inner.join(' OR ')}))`;
}

function translateField(builder: Builder, name: string, field: FieldSpec, value: unknown): string {
  if (isPlainObject(value)) {
    // {} means "any value" (Stream: {teams: {}} asks for all teams).
    const parts = Object.entries(value).map(([operator, operand]) =>
      translateOperator(builder, name, field, operator, operand),
    );
    return joinAnd(parts);
  }
  return translateOperator(builder, name, field, '$eq', value);
}

function expectScalar(name: string, field: FieldSpec, operator: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new FilterError(`${name}.${operator} expects a string`);
  }
  if (field.kind === 'timestamp' && Number.isNaN(Date.parse(value))) {
    throw new FilterError(`${name}.${operator} expects a date (ISO 8601)`);
  }
  return value;
}

function expectList(name: string, field: FieldSpec, operator: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new FilterError(`${name}.${operator} expects a list`);
  if (value.length > MAX_LIST) {
    throw new FilterError(`${name}.${operator} lists more than ${MAX_LIST} values`);
  }
  return value.map((item) => expectScalar(name, field, operator, item));
}

/**
 * The values of an `$in`/`$nin` list on a field that may be empty, and whether it also names
 * "no value" (`null`): the policy lets a team-less subject ask for `{team: {$in: [null]}}`.
 */
function nullableList(
  name: string,
  field: FieldSpec,
  operator: string,
  value: unknown,
): { values: string[]; withNull: boolean } {
  if (!Array.isArray(value)) throw new FilterError(`${name}.${operator} expects a list`);
  if (value.length > MAX_LIST) {
    throw new FilterError(`${name}.${operator} lists more than ${MAX_LIST} values`);
  }
  const values = value.filter((item) => item !== null);
  return {
    values: expectList(name, field, operator, values),
    withNull: values.length < value.length,
  };
}

function isNoValue(value: unknown): boolean {
  return value === null || (Array.isArray(value) && value.length === 0);
}

function translateOperator(
  builder: Builder,
  name: string,
  field: FieldSpec,
  operator: string,
  operand: unknown,
): string {
  builder.count();
  if (field.kind === 'teams')
    return translateTeamsOperator(builder, name, field, operator, operand);
  if (field.kind === 'members') {
    return translateMembersOperator(builder, name, field, operator, operand);
  }
  const column = field.sql;
  const cast = field.kind === 'timestamp' ? 'timestamptz' : 'text';
  switch (operator) {
    // `[]` is no value like null (DESIGN §5: the policy passes `{team: []}` on as written).
    case '$eq':
      if (isNoValue(operand)) return `(${column} IS NULL)`;
      return `(${column} = ${builder.param(expectScalar(name, field, operator, operand), cast)})`;
    case '$ne':
      if (isNoValue(operand)) return `(${column} IS NOT NULL)`;
      return `(${column} IS DISTINCT FROM ${builder.param(expectScalar(name, field, operator, operand), cast)})`;
    case '$in': {
      const { values, withNull } = nullableList(name, field, operator, operand);
      const any = `${column} = ANY(${builder.param(values, `${cast}[]`)})`;
      return withNull ? `(${any} OR ${column} IS NULL)` : `(${any})`;
    }
    case '$nin': {
      const { values, withNull } = nullableList(name, field, operator, operand);
      const none = `${column} <> ALL(${builder.param(values, `${cast}[]`)})`;
      return withNull ? `(${column} IS NOT NULL AND ${none})` : `(${column} IS NULL OR ${none})`;
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      const sqlOperator = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' }[operator];
      return `(${column} ${sqlOperator} ${builder.param(expectScalar(name, field, operator, operand), cast)})`;
    }
    case '$exists':
      if (typeof operand !== 'boolean')
        throw new FilterError(`${name}.$exists expects true or false`);
      return operand ? `(${column} IS NOT NULL)` : `(${column} IS NULL)`;
    case '$autocomplete': {
      if (field.kind !== 'text') throw new FilterError(`${name}.$autocomplete needs a text field`);
      const prefix = escapeLike(expectScalar(name, field, operator, operand).toLowerCase());
      // A word of the value starts with the prefix, like Stream's autocomplete.
      return `(lower(${column}) LIKE ${builder.param(`${prefix}%`, 'text')} OR lower(${column}) LIKE ${builder.param(`% ${prefix}%`, 'text')})`;
    }
    case '$contains':
      throw new FilterError(`${name}.$contains needs a list field`);
    default:
      throw new FilterError(`unknown operator "${operator}" on field "${name}"`);
  }
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (match) => `\\${match}`);
}

/** A user's `teams` is a set: equality means membership, `$in` means overlap, null means none. */
function translateTeamsOperator(
  builder: Builder,
  name: string,
  field: FieldSpec,
  operator: string,
  operand: unknown,
): string {
  const column = field.sql;
  switch (operator) {
    case '$eq':
    case '$contains':
      if (isNoValue(operand)) return `(cardinality(${column}) = 0)`;
      if (Array.isArray(operand)) {
        return `(${column} @> ${builder.param(expectList(name, field, operator, operand), 'text[]')})`;
      }
      return `(${column} @> ${builder.param([expectScalar(name, field, operator, operand)], 'text[]')})`;
    case '$ne':
      if (isNoValue(operand)) return `(cardinality(${column}) > 0)`;
      return `(NOT (${column} @> ${builder.param([expectScalar(name, field, operator, operand)], 'text[]')}))`;
    case '$in': {
      const { values, withNull } = nullableList(name, field, operator, operand);
      const overlap = `${column} && ${builder.param(values, 'text[]')}`;
      return withNull ? `(${overlap} OR cardinality(${column}) = 0)` : `(${overlap})`;
    }
    case '$nin': {
      const { values, withNull } = nullableList(name, field, operator, operand);
      const none = `NOT (${column} && ${builder.param(values, 'text[]')})`;
      return withNull ? `(${none} AND cardinality(${column}) > 0)` : `(${none})`;
    }
    case '$exists':
      if (typeof operand !== 'boolean')
        throw new FilterError(`${name}.$exists expects true or false`);
      return operand ? `(cardinality(${column}) > 0)` : `(cardinality(${column}) = 0)`;
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
    case '$autocomplete':
      throw new FilterError(`${name}.${operator} is not supported on a list field`);
    default:
      throw new FilterError(`unknown operator "${operator}" on field "${name}"`);
  }
}

/** A call's members: `members: "bob"` / `$eq` / `$contains` → bob is a member, `$in` → any of them. */
function translateMembersOperator(
  builder: Builder,
  name: string,
  field: FieldSpec,
  operator: string,
  operand: unknown,
): string {
  const memberOf = (ids: string): string =>
    `EXISTS (SELECT 1 FROM call_members AS member WHERE member.call_type = calls.call_type AND member.call_id = calls.id AND member.user_id = ANY(${ids}))`;
  switch (operator) {
    case '$eq':
    case '$contains':
      return `(${memberOf(builder.param([expectScalar(name, field, operator, operand)], 'text[]'))})`;
    case '$in':
      return `(${memberOf(builder.param(expectList(name, field, operator, operand), 'text[]'))})`;
    case '$nin':
      return `(NOT ${memberOf(builder.param(expectList(name, field, operator, operand), 'text[]'))})`;
    default:
      throw new FilterError(`${name}.${operator} is not supported on members`);
  }
}
