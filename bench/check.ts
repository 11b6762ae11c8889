// Benchmark of `rolecall check` on a generated 5,000-line grants file: load, validate, the whole
// command, and rendering 1,000 diagnostics, each next to a plain yaml.parse of the same text
// measured in the same run. Run: npx tsx bench/check.ts
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { run as runCheck } from '../cli/commands/check.js';
import { renderDiagnostics } from '../compiler/diagnostics/index.js';
import { loadGrants } from '../compiler/load/index.js';
import { validateGrants } from '../compiler/validate/index.js';

const TARGET_LINES = 5_000;
const RUNS = 9;
const CALL_PERMISSIONS = ['read-call', 'join-call', 'send-audio', 'send-video', 'screenshare'];

/** A valid grants file of about `targetLines` lines, deterministic so runs compare. */
export function generateGrantsFile(targetLines: number, typo = false): string {
  const roles = Array.from({ length: 25 }, (_, index) => `role_${String(index).padStart(2, '0')}`);
  const lines = ['version: 1', 'app:', '  multi_tenant_enabled: true', '  grants:'];
  lines.push('    user: [search-user-same-team, query-calls-same-team]', 'roles:');
  for (const role of roles) lines.push(`  ${role}: { description: Generated ${role} }`);
  lines.push('permissions:', '  - id: end-call-same-team', '    action: EndCall');
  lines.push('    same_team: true', 'call_types:');
  for (let typeIndex = 0; typeIndex < 40; typeIndex += 1) {
    lines.push(`  type_${typeIndex}:`, '    grants:');
    for (const [offset, role] of roles.slice(0, 10).entries()) {
      const granted = CALL_PERMISSIONS.slice(0, 1 + ((typeIndex + offset) % 5));
      lines.push(`      ${role}: [${granted.join(', ')}, end-call-same-team]`);
    }
  }
  lines.push('calls:');
  for (let callIndex = 0; lines.length < targetLines - 5; callIndex += 1) {
    const role = roles[callIndex % roles.length] ?? 'user';
    const permission = typo ? 'send-vidoe' : 'send-video';
    lines.push(`  "type_${callIndex % 40}:call-${callIndex}":`, '    config_overrides:');
    lines.push('      grants:', `        user: ["!${permission}", create-reaction]`);
    lines.push(`        ${role}: ["!screenshare", send-audio]`);
  }
  return lines.join('\n') + '\n';
}

async function median(task: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let runIndex = 0; runIndex < RUNS; runIndex += 1) {
    const start = performance.now();
    await task();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

const text = generateGrantsFile(TARGET_LINES);
const lineCount = text.split('\n').length - 1;
const baseline = await median(() => parse(text));
const loadTime = await median(() => loadGrants('rolecall.yaml', text));
const loaded = loadGrants('rolecall.yaml', text);
if (!loaded.ok) throw new Error('the generated file must load');
const validateTime = await median(() => validateGrants(loaded.value));
const validated = validateGrants(loaded.value);
if (!validated.ok) throw new Error('the generated file must be valid');

const workDir = mkdtempSync(path.join(tmpdir(), 'rolecall-bench-'));
const file = path.join(workDir, 'rolecall.yaml');
writeFileSync(file, text);
const quietIo = {
  stdout: () => undefined,
  stderr: () => undefined,
  readStdin: () => Promise.resolve(''),
  cwd: workDir,
};
const commandTime = await median(() => runCheck([file], quietIo));
rmSync(workDir, { recursive: true, force: true });

const broken = generateGrantsFile(TARGET_LINES, true);
const brokenLoaded = loadGrants('rolecall.yaml', broken);
if (!brokenLoaded.ok) throw new Error('the typo file must load');
const diagnostics = validateGrants(brokenLoaded.value).diagnostics.slice(0, 1_000);
const sources = new Map([['rolecall.yaml', broken]]);
const renderTime = await median(() => renderDiagnostics(diagnostics, sources, 'text'));

const row = (label: string, ms: number): string =>
  `${label.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms  ${(ms / baseline).toFixed(2).padStart(6)}x yaml.parse`;
process.stdout.write(
  [
    `rolecall check on ${lineCount} lines (${text.length} bytes), median of ${RUNS} runs`,
    row('yaml.parse (baseline)', baseline),
    row('loadGrants', loadTime),
    row('validateGrants', validateTime),
    row('rolecall check (read+load+validate)', commandTime),
    row(`render ${diagnostics.length} diagnostics (text)`, renderTime),
    '',
  ].join('\n'),
);
