#!/usr/bin/env node
// Entry point of the `rolecall` binary; the commands live in run.ts so tests can call them in-process.
import { text } from 'node:stream/consumers';
import type { CliIo } from './io.js';
import { main } from './run.js';

const processIo: CliIo = {
  stdout: (chunk) => process.stdout.write(chunk),
  stderr: (chunk) => process.stderr.write(chunk),
  readStdin: () => text(process.stdin),
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY,
};

process.exitCode = await main(process.argv.slice(2), processIo);
