#!/usr/bin/env node
// `npm run build`: the server, linkmesh-agent and linkmesh-sim to plain JavaScript (one ES module
// each, esbuild), so production runs no TypeScript loader. Third-party packages stay external
// (resolved from node_modules at run time, native ones included); the workspace packages
// (@linkmesh/*, TypeScript sources) are bundled in. The server's installer templates and the
// agent bundle it serves are written beside the server bundle, where the code looks for them.
//
//   apps/server/dist/bin.mjs               the server (npm start runs this)
//   apps/server/dist/linkmesh-agent.mjs    the agent bundle served at /api/v1/downloads/linkmesh-agent.mjs
//   apps/server/dist/install*.sh, installer-lib.sh
//   apps/agent/dist/linkmesh-agent.mjs     the agent CLI
//   tools/sim/dist/linkmesh-sim.mjs        the simulator CLI
import { copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

/** The banner every bundle starts with: a real `require` for CommonJS code bundled into ESM. */
const banner = [
  "import { createRequire as __linkmeshCreateRequire } from 'node:module';",
  'const require = __linkmeshCreateRequire(import.meta.url);',
].join('\n');

/** Keeps every bare import external except the workspace's own TypeScript packages. */
const externalDependencies = {
  name: 'external-dependencies',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@linkmesh/') ? undefined : { path: args.path, external: true },
    );
  },
};

async function bundle(entry, outfile, { allDependencies = false, shebang = false } = {}) {
  await build({
    entryPoints: [join(root, entry)],
    outfile: join(root, outfile),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    banner: { js: (shebang ? '#!/usr/bin/env node\n' : '') + banner },
    plugins: allDependencies ? [] : [externalDependencies],
    logLevel: 'warning',
    legalComments: 'eof',
    sourcemap: allDependencies ? false : 'linked',
  });
}

/** Drops the entry's own hashbang when esbuild kept it below the banner (a syntax error there). */
async function bundleAgent(outfile) {
  const { readFileSync } = await import('node:fs');
  await bundle('apps/agent/src/cli.ts', outfile, { allDependencies: true, shebang: true });
  const path = join(root, outfile);
  const lines = readFileSync(path, 'utf8').split('\n');
  const second = lines.findIndex((line, index) => index > 0 && line.startsWith('#!'));
  if (second > 0) lines.splice(second, 1);
  writeFileSync(path, lines.join('\n'), { mode: 0o755 });
}

export async function buildAll() {
  const startedMs = Date.now();
  const serverDist = join(root, 'apps/server/dist');
  mkdirSync(serverDist, { recursive: true });
  await bundle('apps/server/src/bin.ts', 'apps/server/dist/bin.mjs');
  const downloads = join(root, 'apps/server/src/protocols/http/downloads');
  for (const name of readdirSync(downloads).filter((file) => file.endsWith('.sh')))
    copyFileSync(join(downloads, name), join(serverDist, name));
  // The agent served to hosts carries every dependency: the host has no node_modules.
  await bundleAgent('apps/server/dist/linkmesh-agent.mjs');
  await bundleAgent('apps/agent/dist/linkmesh-agent.mjs');
  await bundle('tools/sim/src/cli.ts', 'tools/sim/dist/linkmesh-sim.mjs', { shebang: true });
  writeFileSync(join(serverDist, 'BUILD'), `${new Date().toISOString()}\n`);
  return Date.now() - startedMs;
}

/** Sources whose change makes the build stale. */
const buildSources = [
  'apps/server/src',
  'apps/agent/src',
  'packages/contracts/src',
  'packages/alloy/src',
  'tools/sim/src',
];

function newestMtimeMs(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  }
  return newest;
}

/** Builds when the server bundle is missing or older than any source (npm start's first step). */
export async function ensureBuild() {
  const marker = join(root, 'apps/server/dist/BUILD');
  let builtMs = 0;
  try {
    builtMs = statSync(marker).mtimeMs;
  } catch {
    // never built
  }
  const newest = Math.max(...buildSources.map((dir) => newestMtimeMs(join(root, dir))));
  if (builtMs >= newest) return false;
  process.stderr.write('Building the server, agent and simulator (npm run build) …\n');
  await buildAll();
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ms = await buildAll();
  process.stdout.write(`built in ${ms} ms\n`);
}
