// The `rolecall` SDK entry point: browser-safe exports only (no node:* and no undici) — the
// browser entry plus the server-side client, which needs the app secret and so not a page.
export * from './browser.js';
export * from './clients/index.js';
