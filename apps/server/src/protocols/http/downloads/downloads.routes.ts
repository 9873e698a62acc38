import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { errorBody } from '../api-errors.ts';
import { agentBundleSource, lazyAgentBundle } from './agent-bundle.ts';

/** The one token the server replaces in an install script; it sits inside a single-quoted sh string. */
export const SERVER_URL_PLACEHOLDER = '__LINKMESH_SERVER_URL__';

/**
 * The installer scripts served as `GET /api/v1/downloads/<name>`, each a template beside this
 * module: `install.sh` (Managed mode: Alloy + linkmesh-agent) and `install-opamp.sh`
 * (otelcol-contrib + the OpAMP supervisor).
 */
export const INSTALL_SCRIPTS = ['install.sh', 'install-opamp.sh'] as const;
export type InstallScriptName = (typeof INSTALL_SCRIPTS)[number];

/** Where an installer template lives: beside this module, shipped with the sources. */
export const installScriptTemplateUrl = (name: InstallScriptName): URL =>
  new URL(`./${name}`, import.meta.url);

/** The shared helpers both installers include (`# @include installer-lib.sh`). */
const INSTALLER_LIB = 'installer-lib.sh';
const includeLine = `# @include ${INSTALLER_LIB}`;

/**
 * Reads an installer template, inlines the shared helpers where it says `# @include
 * installer-lib.sh` (each download stays one self-contained file), and checks that it can be
 * rendered (the placeholder is there once).
 */
export function loadInstallScriptTemplate(name: InstallScriptName): string {
  const source = readFileSync(installScriptTemplateUrl(name), 'utf8');
  const parts = source.split(`${includeLine}\n`);
  if (parts.length !== 2)
    throw new Error(`${name} must contain "${includeLine}" exactly once, on its own line`);
  const lib = readFileSync(new URL(`./${INSTALLER_LIB}`, import.meta.url), 'utf8');
  const template = parts.join(lib.endsWith('\n') ? lib : `${lib}\n`);
  renderInstallScript(template, 'https://template.check');
  return template;
}

/**
 * Fills the server's external URL into an installer template.
 *
 * The placeholder sits inside `'…'` in the script, so the URL is escaped for a single-quoted sh
 * string (`'` becomes `'\''`). Control characters are refused outright: a newline could end the
 * assignment line and start a command. The script itself validates the URL again at run time.
 *
 * @example
 *   renderInstallScript(template, 'https://fleet.example.com')
 *   // …LINKMESH_SERVER_URL='https://fleet.example.com'…
 */
export function renderInstallScript(template: string, externalUrl: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(externalUrl)) {
    throw new Error('externalUrl contains a control character and cannot be put into the install script');
  }
  const parts = template.split(SERVER_URL_PLACEHOLDER);
  if (parts.length !== 2) {
    throw new Error(`install script template must contain ${SERVER_URL_PLACEHOLDER} exactly once`);
  }
  // split/join instead of String.replace: a `$&` or `$'` in the URL must stay literal.
  return parts.join(externalUrl.replaceAll("'", "'\\''"));
}

export interface DownloadRouteDeps {
  externalUrl: () => string;
  /** The agent's entry point to bundle (default: apps/agent/src/cli.ts); tests point elsewhere. */
  agentEntry?: URL | string;
  /** Where a failed agent bundle is reported; the HTTP answer carries no details. */
  logger?: Pick<Logger, 'error'>;
}

/**
 * The public downloads (the auth hook lets `/api/v1/downloads/*` through; nothing here is secret):
 *
 * - `GET /api/v1/downloads/install.sh` and `…/install-opamp.sh`: the one-line installers
 *   (`curl -fsSL <server>/api/v1/downloads/install.sh | sudo sh -s -- --token …`) with the
 *   external URL filled in. Templates are read here, so a missing one fails start-up.
 * - `GET /api/v1/downloads/linkmesh-agent.mjs`: the Managed-mode agent as one ES module — the
 *   bundle `npm run build` made, or (running from sources) one bundled on the first request;
 *   served from memory; 503 while it cannot be built.
 */
export function registerDownloadRoutes(app: FastifyInstance, deps: DownloadRouteDeps): void {
  for (const name of INSTALL_SCRIPTS) {
    const template = loadInstallScriptTemplate(name);
    app.get(`/api/v1/downloads/${name}`, (_request, reply) =>
      reply
        .header('content-type', 'text/x-shellscript; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(renderInstallScript(template, deps.externalUrl())),
    );
  }

  const agentBundle = deps.agentEntry === undefined ? agentBundleSource() : lazyAgentBundle(deps.agentEntry);
  app.get('/api/v1/downloads/linkmesh-agent.mjs', async (_request, reply) => {
    let source: string;
    try {
      source = await agentBundle();
    } catch (error) {
      deps.logger?.error({ err: error }, 'downloads: the linkmesh-agent bundle could not be built');
      return reply
        .code(503)
        .header('cache-control', 'no-store')
        .send(errorBody('unavailable', 'the linkmesh-agent bundle could not be built; see the server log'));
    }
    // no-store: the bundle changes with the server's version, and install.sh must get this one.
    return reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(source);
  });
}
