// Takes the screenshots in docs/: the web demo signed in as a Globex user (docs/demo.png) and the
// permissions matrix of the video-saas example (docs/matrix.png), in headless chromium.
// Run: bash scripts/install-chromium.sh && npx tsx scripts/screenshots.ts
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildMatrixFromText, renderMatrixHtml } from '../review/matrix/index.js';
import { startDemo } from '../examples/web/demo.js';
import { launchChromium } from '../test/support/browser.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLE = 'examples/video-saas/rolecall.yaml';
const work = await mkdtemp(path.join(os.tmpdir(), 'rolecall-screenshots-'));
const browser = await launchChromium();
try {
  // The matrix, filtered the way a reviewer would look at it: `.app` and two call overrides
  // (grants, revokes, inherited cells), rows where something is granted, revoked or cleared.
  const built = buildMatrixFromText(EXAMPLE, await readFile(path.join(root, EXAMPLE), 'utf8'));
  if (!built.ok) throw new Error(JSON.stringify(built.diagnostics));
  const matrixFile = path.join(work, 'matrix.html');
  await writeFile(matrixFile, renderMatrixHtml(built.value, { sourceHref: () => '#' }));
  const matrixPage = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  await matrixPage.goto(pathToFileURL(matrixFile).href);
  for (const scope of [
    'call_type:default',
    'call_type:audio_room',
    'call_type:livestream',
    'call_type:development',
    'call_type:webinar',
    'call:livestream:launch-event',
  ]) {
    await matrixPage.uncheck(`input[name="scope"][value="${scope}"]`);
  }
  await matrixPage.check('#filter-effective');
  await matrixPage.hover(
    'section[data-scope="call:default:board-meeting"] td[data-role="call_member"][data-permission="screenshare"]',
  );
  await matrixPage.screenshot({ path: path.join(root, 'docs', 'matrix.png') });
  await matrixPage.close();

  const demo = await startDemo({ outDir: path.join(work, 'demo') });
  try {
    const demoPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await demoPage.goto(demo.url);
    await demoPage.click('button[data-user="gus"]');
    await demoPage.waitForSelector('body[data-user="gus"] #status[data-state="ready"]');
    await demoPage.screenshot({ path: path.join(root, 'docs', 'demo.png'), fullPage: true });
    await demoPage.close();
  } finally {
    await demo.close();
  }
  console.log('wrote docs/matrix.png and docs/demo.png');
} finally {
  await browser.close();
  await rm(work, { recursive: true, force: true });
}
