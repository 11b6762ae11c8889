// What every benchmark report states about its run: the machine, and numbers formatted alike.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** CPU model, cores, Node and load: other processes distort p99 first, the load says how busy. */
export function describeMachine(): string {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
  const cores = execFileSync('nproc', { encoding: 'utf8' }).trim();
  const load = os.loadavg()[0] ?? 0;
  return `${model}, nproc ${cores}; Node ${process.version}; load average ${load.toFixed(2)}`;
}

/** A number with thousands separators and a fixed count of decimals. */
export const formatNumber = (value: number, digits = 0): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
