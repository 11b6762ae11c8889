// The engine Rego passes OPA's own checks: strict compile, canonical formatting and its
// `opa test` suite (policies/engine/*_test.rego), all through the pinned opa binary. The
// benchmark's hand-written baselines (bench/peer: the peer policy and the constant answer) are
// held to the same compile and format checks.
import { describe, expect, it } from 'vitest';
import { runOpa } from '../../scripts/opa.js';

const engine = 'policies/engine';

describe('engine Rego', () => {
  it('compiles with opa check --strict', async () => {
    const run = await runOpa(['check', '--strict', engine]);
    expect(run.stderr + run.stdout).toBe('');
    expect(run.code).toBe(0);
  });

  it('is formatted as opa fmt writes it', async () => {
    const run = await runOpa(['fmt', '--list', engine]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('');
  });

  it('passes its opa test suite', async () => {
    const run = await runOpa(['test', '--format', 'json', engine]);
    const results = JSON.parse(run.stdout) as { name: string; fail?: boolean; error?: unknown }[];
    const failed = results.filter((result) => result.fail === true || result.error !== undefined);
    expect(failed.map((result) => result.name)).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
    expect(run.code).toBe(0);
  });
});

describe('benchmark baseline Rego', () => {
  const baselines = 'bench/peer';

  it('compiles with opa check --strict and is formatted as opa fmt writes it', async () => {
    const check = await runOpa(['check', '--strict', baselines]);
    expect(check.stderr + check.stdout).toBe('');
    expect(check.code).toBe(0);
    const format = await runOpa(['fmt', '--list', baselines]);
    expect(format.code).toBe(0);
    expect(format.stdout.trim()).toBe('');
  });
});
