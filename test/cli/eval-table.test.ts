// `rolecall eval --format table`: one padded reason column, whatever the number of answers.
import { describe, expect, it } from 'vitest';
import { renderTable } from '../../cli/commands/eval-table.js';

describe('eval --format table', () => {
  it('pads the reason column to the widest reason', () => {
    const answers = [
      { allow: true, reason: 'GRANTED', message: 'JoinCall granted' },
      { allow: false, reason: 'TEAM_MISMATCH', message: 'the call is outside' },
    ];
    expect(renderTable(answers, true)).toBe(
      'GRANTED       JoinCall granted\nTEAM_MISMATCH the call is outside\n',
    );
  });

  it('prints 200,000 answers without overflowing the call stack', () => {
    const answer = { allow: false, reason: 'NOT_GRANTED', message: 'no grant' };
    const table = renderTable(
      Array.from({ length: 200_000 }, () => answer),
      true,
    );
    expect(table.split('\n')).toHaveLength(200_001);
  });
});
