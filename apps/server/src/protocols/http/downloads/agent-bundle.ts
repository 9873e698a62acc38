import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The agent's entry point in this repository (apps/agent/src/cli.ts). */
export const AGENT_ENTRY_URL = new URL('../../../../../agent/src/cli.ts', import.meta.url);

/**
 * The first lines of the bundle: the shebang, then a real `require`. esbuild turns a bundled
 * CommonJS dependency's `require('node:fs')` into a shim that throws in an ES module unless a
 * `require` is in scope, so the banner provides one.
 */
export const AGENT_BUNDLE_BANNER = [
  '#!/usr/bin/env node',
  "import { createRequire as __linkmeshCreateRequire } from 'node:module';",
  'const require = __linkmeshCreateRequire(import.meta.url);',
].join('\n');

/**
 * The agent bundle `npm run build` writes beside the built server (scripts/build.mjs); absent
 * when the server runs from its TypeScript sources.
 */
export const PREBUILT_AGENT_URL = new URL('./linkmesh-agent.mjs', import.meta.url);

/**
 * The agent as served: the bundle made at build time when there is one (production: `npm start`
 * runs the built server), else one bundled from the sources on first use (a server run from
 * TypeScript, as in the test suite).
 */
export function agentBundleSource(entry: URL | string = AGENT_ENTRY_URL): () => Promise<string> {
  if (existsSync(PREBUILT_AGENT_URL)) {
    let cached: Promise<string> | undefined;
    return () => (cached ??= readFile(PREBUILT_AGENT_URL, 'utf8'));
  }
  return lazyAgentBundle(entry);
}

/** Bundles `entry` and everything it imports into one ES module for Node 20. */
export async function bundleAgent(entry: URL | string): Promise<string> {
  // Loaded only here: the built server serves its prebuilt bundle and never needs esbuild.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [typeof entry === 'string' ? entry : fileURLToPath(entry)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    banner: { js: AGENT_BUNDLE_BANNER },
    write: false,
    logLevel: 'silent',
    legalComments: 'eof',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no output for the agent bundle');
  return withBannerFirst(output.text);
}

/** esbuild keeps the entry's own hashbang above the banner, where a second one is a syntax error. */
function withBannerFirst(text: string): string {
  if (text.startsWith(AGENT_BUNDLE_BANNER) || !text.startsWith('#!')) return text;
  return text.slice(text.indexOf('\n') + 1);
}

/**
 * The agent bundle, built on first use and kept in memory. Concurrent first requests share one
 * build; a failed build is not kept, so the next request tries again (the agent's sources may be
 * fixed without restarting the server).
 *
 * @example
 *   const agent = lazyAgentBundle(AGENT_ENTRY_URL);
 *   const source = await agent(); // "#!/usr/bin/env node\n…"
 */
export function lazyAgentBundle(
  entry: URL | string,
  bundle: (entry: URL | string) => Promise<string> = bundleAgent,
): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= bundle(entry).catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}
