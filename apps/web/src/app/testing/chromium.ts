import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium package; LINKMESH_CHROMIUM points elsewhere (an absent path makes a suite skip). */
export const chromiumPath = process.env.LINKMESH_CHROMIUM ?? '/usr/bin/chromium';

/** `false`, or why the browser suites skip: what `describe(…, { skip })` takes. */
export const chromiumSkip: false | string = existsSync(chromiumPath)
  ? false
  : `no Chromium at ${chromiumPath} (install the Debian package: apt-get install -y chromium)`;

/** apps/web/. */
export const webDir = fileURLToPath(new URL('../../..', import.meta.url));

/** The server reads dist/ once at start-up, so the UI must be built before it starts. */
export function ensureWebBuilt(): void {
  if (existsSync(join(webDir, 'dist/index.html'))) return;
  // vite's package exports hide bin/; workspaces hoist it to the root node_modules.
  const vite = join(webDir, '../../node_modules/vite/bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: webDir,
    stdio: 'inherit',
  });
  assert.equal(result.status, 0, 'building apps/web failed; run `npm run build:web` to see why');
}

/** Headless Chromium as every browser suite and bench runs it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
}
