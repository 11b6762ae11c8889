// The rolecall package version, recorded in each bundle's manifest.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../assets.js';

const manifest = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {
  version?: unknown;
};

export const ROLECALL_VERSION = typeof manifest.version === 'string' ? manifest.version : '0.0.0';
