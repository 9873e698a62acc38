import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why TLS tests skip, or false when `openssl` is there to make their certificate. */
export const selfSignedCertUnavailable: string | false =
  spawnSync('openssl', ['version']).status === 0 ? false : 'openssl not installed';

/**
 * A one-day self-signed P-256 certificate for 127.0.0.1, written with `openssl` to a temporary
 * directory; pass its paths as LINKMESH_TLS_CERT_FILE / LINKMESH_TLS_KEY_FILE.
 *
 * @example const cert = makeSelfSignedCert(); … cert.remove();
 */
export function makeSelfSignedCert(): { certFile: string; keyFile: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'linkmesh-cert-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const made = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
  return { certFile, keyFile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
