// Builds the web UI (apps/web/dist) when it is missing or older than its sources, so that
// `npm start` and `npm test` work in a fresh clone with no other step.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const web = join(root, 'apps/web');

function newestMtimeMs(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  }
  return newest;
}

export function ensureWebBuild() {
  const index = join(web, 'dist/index.html');
  if (!existsSync(join(web, 'index.html'))) return;
  const sources = Math.max(
    newestMtimeMs(join(web, 'src')),
    newestMtimeMs(join(web, 'index.html')),
    newestMtimeMs(join(root, 'packages/contracts/src')),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  process.stderr.write('Building the web UI (apps/web) …\n');
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: web,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error('web UI build failed');
}

if (import.meta.url === `file://${process.argv[1]}`) ensureWebBuild();
