import { expect, it } from 'vitest';
import { OPA_VERSION, runOpaOrThrow } from '../../scripts/opa.js';

it('the project-local opa is the pinned version', async () => {
  const output = await runOpaOrThrow(['version']);
  expect(output).toMatch(new RegExp(`^Version: ${OPA_VERSION.replaceAll('.', '\\.')}$`, 'm'));
});
