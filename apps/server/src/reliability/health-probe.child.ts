// Test helper run as a separate process: watchHealth() on the URL in argv[2], driven by lines on
// stdin ("start", then "stop"), printing its result as one JSON line. In its own process the
// probe's answer times are the server's, not those of a test process busy with thousands of
// simulated agents. Prints "ready" once loaded, so the caller can start it at an exact moment.
import { createInterface } from 'node:readline';
import { watchHealth } from './server-process.ts';

const url = process.argv[2] ?? '';
let watch: ReturnType<typeof watchHealth> | undefined;
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) {
  if (line === 'start') watch ??= watchHealth(url);
  if (line === 'stop' && watch) {
    process.stdout.write(`${JSON.stringify(await watch.stop())}\n`);
    break;
  }
}
lines.close();
