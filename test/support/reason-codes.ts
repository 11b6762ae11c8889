// Every reason the engine can answer (DESIGN §4 for decisions, §5 for query filters), for tests
// that check answers are well-shaped or that a scenario set reaches each reason at least once.
export const DECISION_REASONS = [
  'INVALID_INPUT',
  'UNKNOWN_ACTION',
  'SERVER_SIDE',
  'SERVER_ONLY',
  'ANONYMOUS_READ_ONLY',
  'TEAM_REQUIRED',
  'TEAM_MISMATCH',
  'FORBIDDEN_FIELD',
  'GRANTED',
  'REVOKED',
  'NOT_GRANTED',
];

export const QUERY_REASONS = [
  'INVALID_INPUT',
  'SERVER_SIDE',
  'INVALID_FILTER',
  'NOT_GRANTED',
  'SINGLE_TENANT',
  'INJECTED',
  'WITHIN_TEAMS',
  'ANY_TEAM',
  'CROSS_TEAM_QUERY',
];
