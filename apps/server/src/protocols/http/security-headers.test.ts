import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeSelfSignedCert, selfSignedCertUnavailable } from '../../testing/self-signed-cert.ts';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

/** The UI the harness serves (main.ts's default web root). */
const webIndex = fileURLToPath(new URL('../../../../web/dist/index.html', import.meta.url));
const skipUi = existsSync(webIndex)
  ? false
  : 'apps/web/dist is not built (`npm run build:web`; `npm test` builds it)';

type HeaderOf = (name: string) => string | undefined;

const headersOf =
  (response: Response): HeaderOf =>
  (name) =>
    response.headers.get(name) ?? undefined;

/** The CSP header as directive → sources. */
function cspOf(header: HeaderOf): Map<string, string[]> {
  const value = header('content-security-policy');
  assert.ok(value, 'no Content-Security-Policy header');
  return new Map(
    value
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name = '', ...sources]) => [name, sources]),
  );
}

/** What every browser-facing answer carries, with or without TLS. */
function assertBrowserHeaders(header: HeaderOf): void {
  const csp = cspOf(header);
  assert.deepEqual(csp.get('default-src'), ["'self'"]);
  assert.deepEqual(csp.get('script-src'), ["'self'"]);
  assert.deepEqual(csp.get('style-src'), ["'self'"]);
  assert.deepEqual(csp.get('img-src'), ["'self'", 'data:']);
  assert.deepEqual(csp.get('connect-src'), ["'self'"]);
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
  assert.deepEqual(csp.get('base-uri'), ["'self'"]);
  assert.deepEqual(csp.get('form-action'), ["'self'"]);
  assert.deepEqual(csp.get('object-src'), ["'none'"]);
  const everySource = [...csp.values()].flat();
  for (const unsafe of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", '*', 'https:', 'http:'])
    assert.ok(!everySource.includes(unsafe), `CSP allows ${unsafe}`);
  assert.equal(header('x-frame-options'), 'DENY');
  assert.equal(header('x-content-type-options'), 'nosniff');
  assert.equal(header('referrer-policy'), 'no-referrer');
}

describe('security headers over plain HTTP', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.close());

  it(
    'puts the CSP and frame, sniffing and referrer headers on the UI page, without HSTS',
    { skip: skipUi },
    async () => {
      for (const path of ['/', '/collectors/some-id']) {
        const response = await fetch(`${t.url}${path}`);
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
        assertBrowserHeaders(headersOf(response));
        assert.equal(response.headers.get('strict-transport-security'), null);
      }
    },
  );

  it('puts them on the built script and stylesheet the page loads', { skip: skipUi }, async () => {
    const html = readFileSync(webIndex, 'utf8');
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]);
    assert.ok(assets.length >= 2, `no script and stylesheet in ${html}`);
    for (const asset of assets) {
      const response = await fetch(`${t.url}${asset ?? ''}`);
      assert.equal(response.status, 200, asset);
      assertBrowserHeaders(headersOf(response));
    }
  });

  it('puts them on REST API JSON answers, refusals and unknown paths included', async () => {
    const listed = await t.api('/api/v1/collectors');
    assert.equal(listed.status, 200);
    assert.match(listed.headers.get('content-type') ?? '', /^application\/json/);
    assertBrowserHeaders(headersOf(listed));

    const refused = await fetch(`${t.url}/api/v1/collectors`);
    assert.equal(refused.status, 401);
    assertBrowserHeaders(headersOf(refused));

    const unknown = await t.api('/api/v1/no-such-thing');
    assert.equal(unknown.status, 404);
    assertBrowserHeaders(headersOf(unknown));
    assert.equal(listed.headers.get('strict-transport-security'), null);
  });

  it('leaves the collector protocol answers (OTLP) without browser headers', async () => {
    const response = await fetch(`${t.url}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array(),
    });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('content-security-policy'), null);
  });
});

/** One HTTPS request trusting the test's self-signed certificate. */
function httpsGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; header: HeaderOf }> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { headers, rejectUnauthorized: false }, (response) => {
      response.resume();
      response.on('end', () => {
        resolve({
          status: response.statusCode ?? 0,
          header: (name) => {
            const value = response.headers[name];
            return Array.isArray(value) ? value.join(', ') : value;
          },
        });
      });
    });
    request.on('error', reject);
    request.end();
  });
}

describe('security headers under TLS', { skip: selfSignedCertUnavailable }, () => {
  let t: TestServer;
  let cert: ReturnType<typeof makeSelfSignedCert>;
  before(async () => {
    cert = makeSelfSignedCert();
    t = await startTestServer({
      env: { LINKMESH_TLS_CERT_FILE: cert.certFile, LINKMESH_TLS_KEY_FILE: cert.keyFile },
    });
  });
  after(async () => {
    await t.close();
    cert.remove();
  });

  it('adds HSTS for one year, without subdomains, to the UI and the API', async () => {
    assert.match(t.url, /^https:\/\//);
    const paths = [...(skipUi ? [] : ['/']), '/api/v1/collectors'];
    for (const path of paths) {
      const { status, header } = await httpsGet(`${t.url}${path}`, {
        authorization: `Bearer ${t.adminToken}`,
      });
      assert.equal(status, 200, path);
      assertBrowserHeaders(header);
      assert.equal(header('strict-transport-security'), 'max-age=31536000', path);
    }
  });
});
