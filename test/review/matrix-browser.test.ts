// The matrix page in a real browser (Debian's chromium via playwright-core): every cell of the
// example renders with the state the model computed in Node, offline from file://, and filters work.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/run.js';
import {
  buildMatrixFromText,
  renderMatrixHtml,
  type MatrixModel,
} from '../../review/matrix/index.js';
import { launchChromium } from '../support/browser.js';
import { captureCliIo } from '../support/cli-io.js';

const EXAMPLE = 'examples/video-saas/rolecall.yaml';

interface DomCell {
  scope: string;
  role: string;
  permission: string;
  state: string;
  team: boolean;
  owner: boolean;
  cleared: boolean;
  linked: boolean;
}

describe('matrix page in chromium', () => {
  let browser: Browser | undefined;
  let page: Page;
  let dir: string;
  let model: MatrixModel;
  const requests: string[] = [];

  beforeAll(async () => {
    const built = buildMatrixFromText(EXAMPLE, await readFile(EXAMPLE, 'utf8'));
    if (!built.ok) throw new Error(JSON.stringify(built.diagnostics));
    model = built.value;
    dir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-matrix-browser-'));
    const file = path.join(dir, 'matrix.html');
    await writeFile(
      file,
      renderMatrixHtml(model, {
        sourceHref: (source) => `vscode://file/abs/${source.file}:${source.line.toString()}`,
      }),
    );
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href);
  });

  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  function readCells(): Promise<DomCell[]> {
    return page.$$eval('section.scope td[data-role]', (cells) =>
      cells.map((cell) => {
        const element = cell as HTMLElement;
        return {
          scope: element.closest('section')?.dataset['scope'] ?? '',
          role: element.dataset['role'] ?? '',
          permission: element.dataset['permission'] ?? '',
          state: element.dataset['state'] ?? '',
          team: element.hasAttribute('data-team'),
          owner: element.hasAttribute('data-owner'),
          cleared: element.hasAttribute('data-cleared'),
          linked: element.querySelector('a[href^="vscode://"]') !== null,
        };
      }),
    );
  }

  it('renders every cell of every scope with the state the model computed in Node', async () => {
    const cells = await readCells();
    const permissions = new Map(model.permissions.map((permission) => [permission.id, permission]));
    const expected: DomCell[] = model.scopes.flatMap((scope) =>
      scope.permissions.flatMap((permission) =>
        scope.roles.map((role) => {
          const modelCell = scope.cells[role]?.[permission];
          return {
            scope: scope.id,
            role,
            permission,
            state: modelCell?.state ?? 'missing',
            team: permissions.get(permission)?.sameTeam ?? false,
            owner: permissions.get(permission)?.owner ?? false,
            cleared: modelCell?.cleared === true,
            linked: modelCell?.source !== undefined,
          };
        }),
      ),
    );
    expect(cells).toHaveLength(expected.length);
    expect(cells).toEqual(expected);
    // The example exercises every state.
    expect(new Set(cells.map((cell) => cell.state))).toEqual(
      new Set(['granted', 'inherited', 'revoked', 'none']),
    );
  });

  it('loads nothing but the page itself', () => {
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
  });

  it('filters by role, by scope and by permission text', async () => {
    const visibleRoles = () =>
      page.$$eval('section[data-scope=".app"] td[data-role]', (cells) => [
        ...new Set(
          cells
            .filter((cell) => (cell as HTMLElement).offsetParent !== null)
            .map((cell) => (cell as HTMLElement).dataset['role']),
        ),
      ]);
    expect(await visibleRoles()).toContain('guest');
    await page.uncheck('input[name="role"][value="guest"]');
    expect(await visibleRoles()).not.toContain('guest');
    expect(await visibleRoles()).toContain('user');
    await page.check('input[name="role"][value="guest"]');

    await page.uncheck('input[name="scope"][value="call_type:webinar"]');
    expect(await page.isVisible('section[data-scope="call_type:webinar"]')).toBe(false);
    expect(await page.isVisible('section[data-scope="call_type:default"]')).toBe(true);
    await page.click('button[data-toggle="scope"][data-value="none"]');
    expect(await page.isVisible('section[data-scope=".app"]')).toBe(false);
    await page.click('button[data-toggle="scope"][data-value="all"]');
    expect(await page.isVisible('section[data-scope="call_type:webinar"]')).toBe(true);

    await page.fill('#filter-text', 'record');
    const rows = await page.$$eval('section[data-scope="call_type:default"] tbody tr', (elements) =>
      elements
        .filter((row) => (row as HTMLElement).offsetParent !== null)
        .map((row) => (row as HTMLElement).dataset['permission'] ?? ''),
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((id) => id.includes('record'))).toBe(true);
    await page.fill('#filter-text', '');
  });

  it('renders `rolecall diff --format html` with the changed cells marked', async () => {
    const text = await readFile(EXAMPLE, 'utf8');
    const changed = text.replace(
      "call_member: ['!screenshare', '!send-event']",
      "call_member: ['!send-event', '!join-call']",
    );
    expect(changed).not.toBe(text);
    await writeFile(path.join(dir, 'old.yaml'), text);
    await writeFile(path.join(dir, 'new.yaml'), changed);
    const io = captureCliIo(dir);
    expect(await main(['diff', 'old.yaml', 'new.yaml', '--format', 'html'], io)).toBe(0);
    const file = path.join(dir, 'diff.html');
    await writeFile(file, io.out());
    await page.goto(pathToFileURL(file).href);
    const changes = await page.$$eval('td[data-change]:not([data-change="same"])', (cells) =>
      cells.map((cell) => {
        const element = cell as HTMLElement;
        return `${element.closest('section')?.dataset['scope'] ?? ''} ${element.dataset['role'] ?? ''} ${element.dataset['permission'] ?? ''} ${element.dataset['change'] ?? ''}`;
      }),
    );
    expect(changes.sort()).toEqual([
      'call:default:board-meeting call_member join-call revoked',
      'call:default:board-meeting call_member screenshare unrevoked',
    ]);
    // Only rows with changes are shown by default.
    const visibleRows = await page.$$eval(
      'tbody tr',
      (rows) => rows.filter((row) => (row as HTMLElement).offsetParent !== null).length,
    );
    expect(visibleRows).toBe(2);
    // …and only the scope that has them.
    const visibleScopes = await page.$$eval('section.scope', (sections) =>
      sections
        .filter((section) => !(section as HTMLElement).hidden)
        .map((section) => (section as HTMLElement).dataset['scope']),
    );
    expect(visibleScopes).toEqual(['call:default:board-meeting']);
  });
});
