import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CollectorEventView, CollectorView, EnrollmentTokenView } from '@linkmesh/contracts/api';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

const evilOrigin = 'https://evil.example';
const refusedBody = { error: { code: 'forbidden', message: 'cross-origin request refused' } };
const credentials = { username: 'admin', password: 'test-admin-password' };

/** Logs in as the seeded admin (no Origin: a non-browser client) and returns `lm_session=…`. */
async function sessionCookie(t: TestServer): Promise<string> {
  const response = await fetch(`${t.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';', 1)[0] ?? '')
    .find((pair) => pair.startsWith('lm_session='));
  assert.ok(cookie, 'login set no lm_session cookie');
  return cookie;
}

describe('CSRF protection of cookie-authenticated writes (real server)', () => {
  let t: TestServer;
  let cookie: string;
  let collector: CollectorView;

  before(async () => {
    t = await startTestServer();
    cookie = await sessionCookie(t);
    const created = await t.api('/api/v1/collectors', {
      method: 'POST',
      json: { name: 'csrf-target', runtime: 'alloy' },
    });
    assert.equal(created.status, 201);
    collector = (await created.json()) as CollectorView;
    assert.equal((await t.api(`/api/v1/collectors/${collector.id}/token`, { method: 'POST' })).status, 201);
  });
  after(async () => t.close());

  const enrollmentTokens = async () =>
    ((await (await t.api('/api/v1/enrollment-tokens')).json()) as { items: EnrollmentTokenView[] }).items;
  const rotations = async () =>
    (
      (await (await t.api(`/api/v1/collectors/${collector.id}/events`)).json()) as {
        items: CollectorEventView[];
      }
    ).items.filter((event) => event.type === 'token_rotated').length;

  /** A write as a browser would send it, with the session cookie and no Authorization. */
  const browserWrite = (path: string, headers: Record<string, string>, body?: string) =>
    fetch(`${t.url}${path}`, { method: 'POST', headers: { cookie, ...headers }, body: body ?? null });

  it('refuses a cross-origin text/plain POST minting an enrollment token and mints nothing', async () => {
    const before = (await enrollmentTokens()).length;
    const response = await browserWrite(
      '/api/v1/enrollment-tokens',
      { origin: evilOrigin, 'content-type': 'text/plain;charset=UTF-8' },
      '{"ttlSeconds":600}',
    );
    assert.equal(response.status, 403);
    assert.deepEqual(await response.json(), refusedBody);
    assert.equal((await enrollmentTokens()).length, before);
  });

  it('refuses a cross-origin text/plain POST rotating a collector bearer and rotates nothing', async () => {
    const before = await rotations();
    const response = await browserWrite(
      `/api/v1/collectors/${collector.id}/rotate-token`,
      { origin: evilOrigin, 'content-type': 'text/plain' },
      'x',
    );
    assert.equal(response.status, 403);
    assert.deepEqual(await response.json(), refusedBody);
    assert.equal(await rotations(), before);
  });

  it('refuses a write whose Sec-Fetch-Site is cross-site or same-site, whatever its Origin says', async () => {
    for (const site of ['cross-site', 'same-site', 'none']) {
      const response = await browserWrite(
        '/api/v1/enrollment-tokens',
        { 'sec-fetch-site': site, origin: t.url, 'content-type': 'application/json' },
        '{}',
      );
      assert.equal(response.status, 403, site);
      assert.deepEqual(await response.json(), refusedBody);
    }
  });

  it('refuses an Origin of null and one differing only in scheme or port', async () => {
    const url = new URL(t.url);
    for (const origin of ['null', `https://${url.host}`, `http://${url.hostname}:1`]) {
      const response = await browserWrite(
        '/api/v1/enrollment-tokens',
        { origin, 'content-type': 'application/json' },
        '{}',
      );
      assert.equal(response.status, 403, origin);
    }
  });

  it('accepts same-origin JSON writes with the cookie, by Sec-Fetch-Site or by Origin', async () => {
    const before = (await enrollmentTokens()).length;
    const bySecFetch = await browserWrite(
      '/api/v1/enrollment-tokens',
      { 'sec-fetch-site': 'same-origin', origin: t.url, 'content-type': 'application/json' },
      '{"ttlSeconds":600}',
    );
    assert.equal(bySecFetch.status, 201, await bySecFetch.clone().text());
    const byOrigin = await browserWrite(
      '/api/v1/enrollment-tokens',
      { origin: t.url, 'content-type': 'application/json; charset=utf-8' },
      '{}',
    );
    assert.equal(byOrigin.status, 201, await byOrigin.clone().text());
    assert.equal((await enrollmentTokens()).length, before + 2);
    // A write without a body needs no Content-Type.
    const rotated = await browserWrite(`/api/v1/collectors/${collector.id}/rotate-token`, {
      'sec-fetch-site': 'same-origin',
    });
    assert.equal(rotated.status, 201, await rotated.clone().text());
  });

  it('accepts a cookie write from a client that sends neither Origin nor Sec-Fetch-Site (not a browser)', async () => {
    const response = await browserWrite(
      '/api/v1/enrollment-tokens',
      { 'content-type': 'application/json' },
      '{}',
    );
    assert.equal(response.status, 201);
  });

  it('refuses a same-origin write with the cookie whose body is text/plain', async () => {
    const before = (await enrollmentTokens()).length;
    for (const headers of [
      { 'sec-fetch-site': 'same-origin', 'content-type': 'text/plain' },
      { origin: t.url, 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      { origin: t.url },
    ]) {
      const response = await browserWrite('/api/v1/enrollment-tokens', headers, '{"ttlSeconds":600}');
      assert.equal(response.status, 403, JSON.stringify(headers));
      const body = (await response.json()) as typeof refusedBody;
      assert.equal(body.error.code, 'forbidden');
      assert.match(body.error.message, /^cross-origin request refused: .*Content-Type: application\/json/);
    }
    assert.equal((await enrollmentTokens()).length, before);
  });

  it('leaves an lmsat_ bearer caller alone: the same cross-origin text/plain requests go through', async () => {
    const before = await rotations();
    const rotated = await fetch(`${t.url}/api/v1/collectors/${collector.id}/rotate-token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, origin: evilOrigin, 'content-type': 'text/plain' },
      body: 'x',
    });
    assert.equal(rotated.status, 201, await rotated.clone().text());
    assert.equal(await rotations(), before + 1);
    // The bearer wins even when a cookie rides along: the caller chose its credential.
    const minted = await fetch(`${t.url}/api/v1/enrollment-tokens`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${t.adminToken}`,
        cookie,
        'sec-fetch-site': 'cross-site',
        origin: evilOrigin,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    assert.equal(minted.status, 201, await minted.clone().text());
  });

  it('refuses a cross-origin login (login CSRF) and sets no session cookie', async () => {
    for (const path of ['/api/v1/auth/login', '/api/v1/auth/%6Cogin']) {
      const response = await fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: { origin: evilOrigin, 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
      });
      assert.equal(response.status, 403, path);
      assert.deepEqual(await response.json(), refusedBody);
      assert.deepEqual(response.headers.getSetCookie(), []);
    }
    const formLogin = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(credentials),
    });
    assert.equal(formLogin.status, 403);
    const sameOrigin = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'sec-fetch-site': 'same-origin', origin: t.url, 'content-type': 'application/json' },
      body: JSON.stringify(credentials),
    });
    assert.equal(sameOrigin.status, 200);
  });

  it('lets cookie reads through from anywhere: only writes are checked', async () => {
    const response = await fetch(`${t.url}/api/v1/collectors`, {
      headers: { cookie, 'sec-fetch-site': 'cross-site', origin: evilOrigin },
    });
    assert.equal(response.status, 200);
  });

  it('logs each refusal at warn with the path and what the browser sent, never the cookie', () => {
    const refusals = t.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.msg === 'http.csrf: refused');
    assert.ok(refusals.length > 0);
    const rotation = refusals.find(
      (entry) => entry.path === `/api/v1/collectors/${collector.id}/rotate-token`,
    );
    assert.ok(rotation, JSON.stringify(refusals));
    assert.equal(rotation.level, 'warn');
    assert.equal(rotation.origin, evilOrigin);
    assert.equal(rotation.reason, 'origin');
    assert.ok(
      refusals.some((entry) => entry.secFetchSite === 'cross-site' && entry.reason === 'sec-fetch-site'),
    );
    const session = cookie.slice('lm_session='.length);
    assert.ok(!t.logs.some((line) => line.includes(session)), 'a log line carries the session cookie');
  });
});

describe('CSRF protection behind a reverse proxy', () => {
  let t: TestServer;
  let cookie: string;
  before(async () => {
    t = await startTestServer({
      env: { LINKMESH_EXTERNAL_URL: 'https://linkmesh.example.com', LINKMESH_TRUSTED_PROXIES: '127.0.0.1' },
    });
    cookie = await sessionCookie(t);
  });
  after(async () => t.close());

  const write = (headers: Record<string, string>) =>
    fetch(`${t.url}/api/v1/enrollment-tokens`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', ...headers },
      body: '{}',
    });

  it('accepts the configured external URL as the origin even when Host names the listener', async () => {
    assert.equal((await write({ origin: 'https://linkmesh.example.com' })).status, 201);
    assert.equal((await write({ origin: 'https://linkmesh.example.com:443' })).status, 201);
    assert.equal((await write({ origin: 'http://linkmesh.example.com' })).status, 403);
  });

  it('accepts the origin a trusted proxy forwards in X-Forwarded-Host and X-Forwarded-Proto', async () => {
    const forwarded = { 'x-forwarded-host': 'ops.example.net', 'x-forwarded-proto': 'https' };
    assert.equal((await write({ ...forwarded, origin: 'https://ops.example.net' })).status, 201);
    assert.equal((await write({ ...forwarded, origin: 'https://other.example.net' })).status, 403);
  });
});
