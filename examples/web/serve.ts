// Starts the demo for a person: npx tsx examples/web/serve.ts [--port 5173], then open the URL.
import { parseArgs } from 'node:util';
import { startDemo } from './demo.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '5173' } } });
const demo = await startDemo({ port: Number(values.port), logs: 'stdout' });
console.log(`rolecall demo: ${demo.url} (reference server at ${demo.serverUrl}); Ctrl-C stops it`);
process.once('SIGINT', () => {
  void demo.close().then(() => process.exit(0));
});
