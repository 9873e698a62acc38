import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

/** The one token the server replaces in `install-opamp.sh`; it sits inside a single-quoted sh string. */
export const SERVER_URL_PLACEHOLDER = '__LINKMESH_SERVER_URL__';

/** Where the OpAMP installer template lives: beside this module, shipped with the sources. */
export const INSTALL_OPAMP_TEMPLATE_URL = new URL('./install-opamp.sh', import.meta.url);

/**
 * Fills the server's external URL into the installer template.
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

/**
 * `GET /api/v1/downloads/install-opamp.sh`: the one-liner installer for otelcol-contrib + the OpAMP
 * supervisor (`curl -fsSL <server>/api/v1/downloads/install-opamp.sh | sudo sh -s -- --token …`).
 * Public: the auth hook lets `/api/v1/downloads/*` through; the script holds no secret.
 * The template is read once here, so a missing file fails start-up rather than a request.
 */
export function registerDownloadRoutes(app: FastifyInstance, deps: { externalUrl: () => string }): void {
  const template = readFileSync(INSTALL_OPAMP_TEMPLATE_URL, 'utf8');
  renderInstallScript(template, 'https://template.check'); // fails start-up if the placeholder is gone

  app.get('/api/v1/downloads/install-opamp.sh', (_request, reply) =>
    reply
      .header('content-type', 'text/x-shellscript; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(renderInstallScript(template, deps.externalUrl())),
  );
}
