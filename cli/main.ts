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

// A reader that stops early (`rolecall matrix FILE | head`) closes the pipe: what is left to print
// has nobody to read it, which is no failure of the command (Node would crash on the EPIPE).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

process.exitCode = await main(process.argv.slice(2), processIo);
