import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { ServerErrorResponseType, ServerToAgentSchema } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import WebSocket from 'ws';
import { OpampWsAgent } from '../../testing/opamp/opamp-ws-agent.ts';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

const maxMessageBytes = 64 * 1024;

/** Bad OpAMP input of every kind gets a clear answer, and the server stays up. */
describe('OpAMP under bad input', () => {
  let t: TestServer;
  let agent: OpampWsAgent;
  let bearer = '';
  before(async () => {
    t = await startTestServer({ env: { LINKMESH_OPAMP_MAX_MESSAGE_BYTES: String(maxMessageBytes) } });
    const token = (
      (await (await t.api('/api/v1/enrollment-tokens', { method: 'POST', json: {} })).json()) as {
        token: string;
      }
    ).token;
    agent = new OpampWsAgent({
      url: wsUrl(),
      headers: { Authorization: `Bearer ${token}` },
      heartbeatIntervalMs: 0,
    });
    await agent.connect();
    await agent.waitFor((m) => m.connectionSettings !== undefined, { timeoutMs: 5000 });
    await agent
      .waitFor(() => agent.connections >= 2 && agent.isConnected, { timeoutMs: 5000 })
      .catch(() => undefined);
    bearer = agent.headers.Authorization ?? '';
    assert.match(bearer, /^Bearer lmct_/);
  });
  after(async () => {
    agent.terminate();
    await t.close();
  });

  function wsUrl(): string {
    return `${t.url.replace(/^http/, 'ws')}/v1/opamp`;
  }

  /** A raw WebSocket with the agent's bearer; resolves with the first reply or the close. */
  async function rawExchange(frame: Uint8Array): Promise<{ reply?: Uint8Array; close?: number }> {
    const ws = new WebSocket(wsUrl(), { headers: { Authorization: bearer } });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const outcome = new Promise<{ reply?: Uint8Array; close?: number }>((resolve) => {
      ws.once('message', (data: Buffer) => resolve({ reply: new Uint8Array(data) }));
      ws.once('close', (code) => resolve({ close: code }));
    });
    ws.send(frame);
    const result = await outcome;
    ws.terminate();
    return result;
  }

  const errorTypeOf = (reply: Uint8Array | undefined) => {
    assert.ok(reply, 'a reply');
    assert.equal(reply[0], 0, 'replies carry the 0x00 header');
    return fromBinary(ServerToAgentSchema, reply.subarray(1)).errorResponse?.type;
  };

  it('answers garbage frames with error_response BadRequest', async () => {
    for (const frame of [
      Uint8Array.of(0x00, 0xff, 0xff, 0xff),
      Uint8Array.from({ length: 300 }, (_, i) => (i * 31 + 7) % 256),
      Uint8Array.of(0x01, 0x0a, 0x10),
    ]) {
      const { reply } = await rawExchange(frame);
      assert.equal(errorTypeOf(reply), ServerErrorResponseType.ServerErrorResponseType_BadRequest);
    }
  });

  it('answers a wrong instance_uid length and a missing ReportsStatus capability with BadRequest', async () => {
    const fields: Array<Parameters<OpampWsAgent['send']>[0]> = [
      { instanceUid: new Uint8Array(5) },
      { capabilities: 0x2n },
    ];
    for (const override of fields) {
      const from = agent.received.length;
      agent.send(override);
      const reply = await agent.waitFor((m) => m.errorResponse !== undefined, {
        fromIndex: from,
        timeoutMs: 3000,
      });
      assert.equal(reply.errorResponse?.type, ServerErrorResponseType.ServerErrorResponseType_BadRequest);
    }
  });

  it('closes with 1009 on an oversized WebSocket message and answers 413 over HTTP', async () => {
    const { close } = await rawExchange(new Uint8Array(maxMessageBytes * 2));
    assert.equal(close, 1009);
    const http = await fetch(`${t.url}/v1/opamp`, {
      method: 'POST',
      headers: {
        authorization: bearer,
        'content-type': 'application/x-protobuf',
        'content-encoding': 'gzip',
      },
      body: gzipSync(Buffer.alloc(maxMessageBytes * 4)),
    });
    assert.equal(http.status, 413);
  });

  it('answers HTTP garbage with 400, other media types with 415, and no bearer with 401', async () => {
    const post = (body: Uint8Array, headers: Record<string, string>) =>
      fetch(`${t.url}/v1/opamp`, { method: 'POST', headers: { authorization: bearer, ...headers }, body });
    assert.equal(
      (await post(Uint8Array.of(0xff, 0x01), { 'content-type': 'application/x-protobuf' })).status,
      400,
    );
    assert.equal((await post(Uint8Array.of(1), { 'content-type': 'application/json' })).status, 415);
    const anonymous = await fetch(`${t.url}/v1/opamp`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Uint8Array.of(),
    });
    assert.equal(anonymous.status, 401);
  });

  it('answers every message of a flood', async () => {
    const from = agent.received.length;
    const count = 500;
    for (let i = 0; i < count; i++) agent.send({});
    await agent.received.waitForCount(from + count, { timeoutMs: 15_000 });
    assert.ok(agent.received.items.slice(from).every((m) => m.errorResponse === undefined));
  });

  it('survives a socket closed in the middle of a message', async () => {
    const ws = new WebSocket(wsUrl(), { headers: { Authorization: bearer } });
    await new Promise((resolve) => ws.once('open', resolve));
    // A frame header announcing 1 MB, then the connection dies.
    const socket = (ws as unknown as { _socket: { write(b: Buffer): void; destroy(): void } })._socket;
    socket.write(Buffer.from([0x82, 0xff, 0, 0, 0, 0, 0, 0x0f, 0x42, 0x40, 1, 2, 3, 4, 0x00, 0x0a]));
    socket.destroy();
    assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
    const from = agent.received.length;
    agent.send({});
    await agent.received.waitForCount(from + 1, { timeoutMs: 3000 });
  });
});
