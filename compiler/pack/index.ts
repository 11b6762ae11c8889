// Pack stage: the bundle's files (manifest, data, engine Rego, policy.wasm) as a deterministic
// bundle.tar.gz — entries sorted, mtime 0, no owner names — so equal input gives equal bytes.
import { gzipSync } from 'node:zlib';
import { Header, Pack, ReadEntry } from 'tar';
import { compareCodeUnits } from '../compare-code-units.js';
import type { EmittedFile } from '../types.js';

export { MissingAssetError, readEngineAssets, type EngineAssets } from './assets.js';

const EPOCH = new Date(0);

/** The gzipped tar of `files` (paths relative to the bundle root). */
export async function packBundle(files: readonly EmittedFile[]): Promise<Uint8Array> {
  const pack = new Pack({ portable: true, noPax: true, mtime: EPOCH });
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  const sorted = [...files].sort((left, right) => compareCodeUnits(left.path, right.path));
  for (const file of sorted) {
    const contents =
      typeof file.contents === 'string' ? Buffer.from(file.contents, 'utf8') : file.contents;
    const header = new Header({
      path: file.path,
      type: 'File',
      mode: 0o644,
      size: contents.byteLength,
      mtime: EPOCH,
      uid: 0,
      gid: 0,
    });
    const entry = new ReadEntry(header);
    pack.write(entry);
    entry.end(Buffer.from(contents.buffer, contents.byteOffset, contents.byteLength));
  }
  pack.end();
  await finished;
  // zlib writes no file name and mtime 0 into the gzip header, so the bytes are reproducible.
  return new Uint8Array(gzipSync(Buffer.concat(chunks), { level: 9 }));
}
