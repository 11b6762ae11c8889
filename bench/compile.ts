// Benchmark of `rolecall compile` on a large grants file (25 custom roles, 200 call types,
// 2,000 calls with overrides): the median of several full compiles (load, validate, resolve,
// emit, pack), next to the median for the smallest file measured in the same run.
// Run: npx tsx bench/compile.ts
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { compileGrants } from '../compiler/compile/index.js';

const ROLE_COUNT = 25;
const CALL_TYPE_COUNT = 200;
const CALL_COUNT = 2_000;
const RUNS = 9;

const CALL_PERMISSIONS = [
  'read-call',
  'join-call',
  'send-audio',
  'send-video',
  'screenshare',
  'create-reaction',
  'mute-users',
  'end-call',
];

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** A grants file of the stated size, deterministic so runs compare. */
export function generateLargeGrants(): string {
  const roles = Array.from({ length: ROLE_COUNT }, (_, index) => `role_${pad(index, 2)}`);
  const lines = ['version: 1', 'app:', '  multi_tenant_enabled: true', '  grants:'];
  lines.push('    user: [search-user-same-team, query-calls-same-team, update-user-owner]');
  for (const role of roles.slice(0, 5)) lines.push(`    ${role}: [search-user, query-calls]`);
  lines.push('roles:');
  for (const role of roles) lines.push(`  ${role}: { description: Generated role ${role} }`);
  lines.push('permissions:');
  lines.push('  - id: end-call-same-team', '    action: EndCall', '    same_team: true');
  lines.push('call_types:');
  for (let typeIndex = 0; typeIndex < CALL_TYPE_COUNT; typeIndex += 1) {
    lines.push(`  type_${pad(typeIndex, 3)}:`, '    grants:');
    lines.push('      user: [read-call, join-call, create-reaction]');
    for (let offset = 0; offset < 5; offset += 1) {
      const role = roles[(typeIndex + offset) % ROLE_COUNT] ?? 'user';
      const granted = CALL_PERMISSIONS.slice(0, 3 + ((typeIndex + offset) % 6));
      lines.push(`      ${role}: [${granted.join(', ')}, end-call-same-team]`);
    }
  }
  lines.push('calls:');
  for (let callIndex = 0; callIndex < CALL_COUNT; callIndex += 1) {
    const callType = `type_${pad(callIndex % CALL_TYPE_COUNT, 3)}`;
    const role = roles[callIndex % ROLE_COUNT] ?? 'user';
    lines.push(
      `  "${callType}:call-${pad(callIndex, 4)}":`,
      '    config_overrides:',
      '      grants:',
    );
    lines.push('        user: ["!send-video", create-reaction]');
    lines.push(`        ${role}: ["!screenshare", send-audio]`);
  }
  return `${lines.join('\n')}\n`;
}

interface Timing {
  /** Median wall-clock time of one compile. */
  wallMs: number;
  /** Median CPU time (user + system, all threads) of one compile: less sensitive to a busy host. */
  cpuMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timeCompile(file: string, text: string): Promise<Timing> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const result = await compileGrants({ file, text });
    const cpuUsed = process.cpuUsage(cpuStarted);
    wall.push(performance.now() - started);
    cpu.push((cpuUsed.user + cpuUsed.system) / 1000);
    if (!result.ok) {
      throw new Error(`${file} does not compile: ${JSON.stringify(result.diagnostics)}`);
    }
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

const large = generateLargeGrants();
// One warm-up compile loads ts-morph and the engine assets, which a CLI run pays once.
await timeCompile('warmup.yaml', 'version: 1\n');
const baseline = await timeCompile('minimal.yaml', 'version: 1\n');
const measured = await timeCompile('large.yaml', large);

const cpuModel = os.cpus()[0]?.model ?? 'unknown cpu';
const format = (timing: Timing) =>
  `${timing.wallMs.toFixed(1)} ms wall, ${timing.cpuMs.toFixed(1)} ms cpu`;
console.log(`machine: ${cpuModel}, ${os.cpus().length} cores, Node ${process.version}`);
console.log(`load average: ${os.loadavg()[0]?.toFixed(2) ?? '?'} (1 min)`);
console.log(
  `large file: ${(large.length / 1024).toFixed(0)} KiB, ${ROLE_COUNT} custom roles, ` +
    `${CALL_TYPE_COUNT} call types, ${CALL_COUNT} calls with overrides`,
);
console.log(`compile, median of ${RUNS}: minimal ${format(baseline)}; large ${format(measured)}`);
console.log(
  `ratio large/minimal: ${(measured.wallMs / baseline.wallMs).toFixed(1)}x; ` +
    `target < 1000 ms wall: ${measured.wallMs < 1000 ? 'met' : 'MISSED'}`,
);
