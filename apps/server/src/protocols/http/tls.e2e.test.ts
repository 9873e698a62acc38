import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  GetConfigRequestSchema,
  GetConfigResponseSchema,
} from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import { makeSelfSignedCert, selfSignedCertUnavailable } from '../../testing/self-signed-cert.ts';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

/** One HTTPS request trusting the test's self-signed certificate. */
function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: Uint8Array | string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, rejectUnauthorized: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The server built on our own server object (serverFactory) must still serve HTTPS, raw routes included. */
describe('HTTPS when tlsCertFile/tlsKeyFile are set', { skip: selfSignedCertUnavailable }, () => {
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

  it('serves Fastify routes and the raw GetConfig route over TLS', async () => {
    assert.match(t.url, /^https:\/\//);
    assert.equal((await request(`${t.url}/healthz`, {})).status, 200);
    const created = await request(`${t.url}/api/v1/collectors`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'tls-alloy', runtime: 'alloy' }),
    });
    assert.equal(created.status, 201);
    const { id } = JSON.parse(created.body.toString()) as { id: string };
    const minted = await request(`${t.url}/api/v1/collectors/${id}/token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    const { token } = JSON.parse(minted.body.toString()) as { token: string };
    const answer = await request(`${t.url}/collector.v1.CollectorService/GetConfig`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/proto',
        'connect-protocol-version': '1',
      },
      body: toBinary(GetConfigRequestSchema, create(GetConfigRequestSchema, { id: 'tls-1' })),
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/proto');
    const response = fromBinary(GetConfigResponseSchema, answer.body);
    assert.ok(response.content.includes(`endpoint = "${t.server.externalUrl}"`));
  });
});
