// A hostile HTTP answer for size-cap tests: `totalBytes` of valid JSON, written as fast as the
// client reads it (backpressure) and stopped when the client hangs up.
import type { ServerResponse } from 'node:http';

/** `sent` counts the bytes handed to the socket; `closed` resolves when the connection is gone. */
export interface EndlessProgress {
  sent: number;
  closed: Promise<void>;
}

/** Answers `{"<key>": ["xxx…", …]}` of about `totalBytes` on `response`, counting into `progress`. */
export function answerEndlessJson(
  response: ServerResponse,
  options: {
    totalBytes: number;
    key: string;
    progress: EndlessProgress;
    headers?: Record<string, string>;
  },
): void {
  const { totalBytes, key, progress } = options;
  let hungUp = false;
  progress.closed = new Promise((resolve) => {
    response.on('close', () => {
      hungUp = true;
      resolve();
    });
  });
  response.writeHead(200, { 'content-type': 'application/json', ...options.headers });
  const item = `"${'x'.repeat(64 * 1024 - 3)}",`;
  const write = (text: string) => {
    progress.sent += Buffer.byteLength(text);
    return response.write(text);
  };
  write(`{"${key}":[`);
  const pump = () => {
    while (!hungUp && progress.sent < totalBytes) {
      if (!write(item)) {
        response.once('drain', pump);
        return;
      }
    }
    if (!hungUp) response.end('""]}');
  };
  pump();
}
