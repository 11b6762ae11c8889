// The real OPA as the oracle through `opa eval` (scripts/opa.ts, the pinned binary): reading the
// answer out of its JSON output, and evaluating one batch over a bundle folder.
import { runOpaOrThrow } from '../../scripts/opa.js';

/** The value of the first expression of `opa eval --format json` output; throws when there is none. */
export function opaEvalValue(stdout: string): unknown {
  const output = JSON.parse(stdout) as { result?: { expressions: { value: unknown }[] }[] };
  const value = output.result?.[0]?.expressions[0]?.value;
  if (value === undefined) throw new Error(`opa eval gave no result:\n${stdout}`);
  return value;
}

/** `data.rolecall.batch` of the bundle folder for one batch input, in one `opa eval` run. */
export async function evaluateBatchWithOpa(
  bundleDir: string,
  batch: unknown,
  options: { timeoutMs?: number } = {},
): Promise<unknown> {
  const stdout = await runOpaOrThrow(
    ['eval', '--bundle', bundleDir, '--stdin-input', '--format', 'json', 'data.rolecall.batch'],
    { input: JSON.stringify(batch), ...options },
  );
  return opaEvalValue(stdout);
}
