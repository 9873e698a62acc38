import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { OpampWsAgent } from '../testing/opamp/opamp-ws-agent.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';

/**
 * Finding 9 of issue #9 (second half): slow headers and slow bodies are cut off at the
 * configured timeouts, an upgraded OpAMP WebSocket is not, and no address holds more than
 * `maxConnectionsPerAddress` sockets (HTTP and WebSocket alike). Every client here is a loopback
 * source address.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A raw TCP connection from `from`, with everything the server sent and when it closed. */
interface RawClient {
  readonly socket: net.Socket;
  readonly openedAtMs: number;
  received(): string;
  /** Resolves with ms since connect once the server closed the socket (or it failed). */
  readonly closed: Promise<number>;
  isClosed(): boolean;
}

async function rawConnect(url: string, from = '127.0.0.1'): Promise<RawClient> {
  const target = new URL(url);
  const socket = net.connect({ host: target.hostname, port: Number(target.port), localAddress: from });
  let text = '';
  let closedFlag = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const openedAtMs = performance.now();
  const closed = once(socket, 'close').then(() => {
    closedFlag = true;
    return performance.now() - openedAtMs;
  });
  return { socket, openedAtMs, received: () => text, closed, isClosed: () => closedFlag };
}

/** Writes `chunks` one per `intervalMs` until the socket closes or they run out. */
async function trickle(client: RawClient, chunks: string[], intervalMs: number): Promise<void> {
  for (const chunk of chunks) {
    if (client.isClosed() || client.socket.destroyed) return;
    client.socket.write(chunk);
    await sleep(intervalMs);
  }
}

/** Whichever comes first: `promise`, or undefined after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, sleep(ms).then(() => undefined)]);
}

/** GET `path` on a fresh connection from `from`; the status, or the error's code. */
function getFrom(url: string, from: string, path = '/healthz'): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest(new URL(path, url), { localAddress: from, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

async function enrollmentToken(server: ServerProcess): Promise<string> {
  const response = await server.api('/api/v1/enrollment-tokens', { method: 'POST', json: {} });
  assert.equal(response.status, 201, await response.clone().text());
  return ((await response.json()) as { token: string }).token;
}

/** An OpAMP WebSocket upgrade from `from` with an enrollment token; resolves open or the error. */
function openWebSocket(url: string, token: string, from: string): Promise<WebSocket | Error> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/opamp`, {
      headers: { authorization: `Bearer ${token}` },
      localAddress: from,
      perMessageDeflate: false,
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', (error) => resolve(error));
    ws.once('unexpected-response', (_request, response) => {
      resolve(new Error(`upgrade refused with HTTP ${response.statusCode ?? 0}`));
      ws.terminate();
    });
  });
}

const cap = 50;
let servers: Promise<[ServerProcess, ServerProcess]> | undefined;
/** Both servers start side by side on the first call (each start loads the TypeScript sources). */
const startServers = () =>
  (servers ??= Promise.all([
    startServerProcess({
      env: {
        LINKMESH_HTTP_HEADERS_TIMEOUT_SECONDS: '2',
        LINKMESH_HTTP_REQUEST_TIMEOUT_SECONDS: '3',
        LINKMESH_HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '2',
      },
    }),
    // Default timeouts (10 s headers): idle sockets stay open while each cap case runs.
    startServerProcess({ env: { LINKMESH_MAX_CONNECTIONS_PER_ADDRESS: String(cap) } }),
  ]));

// The cases wait on separate connections, so they run side by side.
describe(
  'slow clients are cut off at the configured timeouts; an upgraded WebSocket is not',
  { concurrency: true },
  () => {
    let server: ServerProcess;
    before(async () => {
      [server] = await startServers();
    });
    after(async () => {
      await server.stop();
      server.cleanUp();
    });

    it('closes a connection whose headers trickle in one byte every 500 ms after about 2 s', async (t) => {
      const client = await rawConnect(server.url);
      client.socket.write('GET /healthz HT');
      const header = 'TP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(40);
      void trickle(
        client,
        Array.from({ length: header.length }, (_, i) => header.charAt(i)),
        500,
      );
      const closedAfterMs = await within(client.closed, 8000);
      assert.ok(closedAfterMs !== undefined, 'the server closed the connection');
      assert.ok(
        closedAfterMs >= 1500 && closedAfterMs <= 4000,
        `closed after ${Math.round(closedAfterMs)} ms (headers timeout 2 s)`,
      );
      t.diagnostic(`slow headers closed after ${Math.round(closedAfterMs)} ms`);
      assert.match(client.received(), /^(HTTP\/1\.1 408 |$)/, 'a 408 or nothing, never a 200');
    });

    it('answers 408 and closes when an authenticated body arrives at 10 bytes a second', async (t) => {
      const client = await rawConnect(server.url);
      client.socket.write(
        'POST /api/v1/enrollment-tokens HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
          `Authorization: Bearer ${server.adminToken}\r\nContent-Type: application/json\r\n` +
          'Content-Length: 100000\r\n\r\n',
      );
      const body = '{"ttlSeconds": 3600, "pad": "' + 'x'.repeat(200);
      const chunks = Array.from({ length: Math.ceil(body.length / 10) }, (_, i) =>
        body.slice(i * 10, i * 10 + 10),
      );
      void trickle(client, chunks, 1000);
      const closedAfterMs = await within(client.closed, 10_000);
      assert.ok(closedAfterMs !== undefined, 'the server closed the connection');
      assert.ok(
        closedAfterMs >= 2000 && closedAfterMs <= 5000,
        `closed after ${Math.round(closedAfterMs)} ms (request timeout 3 s)`,
      );
      t.diagnostic(`slow body answered 408 and closed after ${Math.round(closedAfterMs)} ms`);
      assert.match(client.received(), /^HTTP\/1\.1 408 /, `answered: ${client.received().slice(0, 80)}`);
    });

    it('closes an idle keep-alive connection after the keep-alive timeout', async (t) => {
      const client = await rawConnect(server.url);
      client.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      for (let i = 0; i < 100 && !client.received().includes('"ok"'); i++) await sleep(20);
      assert.match(client.received(), /^HTTP\/1\.1 200 /);
      const answeredAtMs = performance.now() - client.openedAtMs;
      const closedAfterMs = await within(client.closed, 8000);
      assert.ok(closedAfterMs !== undefined, 'the server closed the idle connection');
      const idleMs = closedAfterMs - answeredAtMs;
      assert.ok(
        idleMs >= 1500 && idleMs <= 4000,
        `closed after ${Math.round(idleMs)} ms idle (keep-alive 2 s; node adds 1 s)`,
      );
      t.diagnostic(`idle keep-alive closed after ${Math.round(idleMs)} ms`);
    });

    it('keeps an idle OpAMP WebSocket open past the headers and request timeouts', async () => {
      const token = await enrollmentToken(server);
      const agent = new OpampWsAgent({
        url: `${server.url.replace(/^http/, 'ws')}/v1/opamp`,
        headers: { Authorization: `Bearer ${token}` },
        heartbeatIntervalMs: 0,
      });
      try {
        await agent.connect();
        // Enrolment: the agent takes the offered bearer and reconnects once.
        await agent.waitFor((m) => m.connectionSettings !== undefined, { timeoutMs: 5000 });
        for (let i = 0; i < 250 && !(agent.connections >= 2 && agent.isConnected); i++) await sleep(20);
        assert.ok(agent.isConnected, 'connected with its own bearer');
        const closesBefore = agent.closes.length;
        const connectionsBefore = agent.connections;
        // The offered heartbeat (30 s) is longer than this wait: nothing is sent on the socket.
        await sleep(6000);
        assert.ok(agent.isConnected, 'still connected 6 s later (request timeout 3 s)');
        assert.equal(agent.closes.length, closesBefore, 'that connection never closed');
        assert.equal(agent.connections, connectionsBefore, 'and was not replaced');
      } finally {
        await agent.close();
      }
    });
  },
);

describe('per-address connection caps hold for HTTP and WebSocket', () => {
  let server: ServerProcess;
  const clients: RawClient[] = [];
  before(async () => {
    [, server] = await startServers();
  });
  after(async () => {
    for (const client of clients) client.socket.destroy();
    await server.stop();
    server.cleanUp();
  });

  /** Opens `count` idle sockets from `from` one after another; those the server closed at once. */
  async function openIdle(count: number, from: string): Promise<RawClient[]> {
    const opened: RawClient[] = [];
    for (let i = 0; i < count; i++) opened.push(await rawConnect(server.url, from));
    clients.push(...opened);
    // A refused socket is destroyed on arrival; give the last of them a moment to show it.
    await sleep(300);
    return opened;
  }

  it('destroys the connections above the cap from one address, not those of another', async () => {
    // First case on this server: nothing else holds a connection from 127.0.0.1 yet.
    const opened = await openIdle(60, '127.0.0.1');
    const closed = opened.map((client) => client.isClosed());
    assert.equal(closed.filter(Boolean).length, 10, 'ten of sixty refused');
    assert.ok(
      closed.slice(0, cap).every((isClosed) => !isClosed),
      'the first fifty stay open',
    );
    assert.ok(
      opened.slice(cap).every((client) => client.received() === ''),
      'refused before any answer',
    );

    assert.equal(await getFrom(server.url, '127.0.0.2'), 200, 'another address is served meanwhile');
    assert.notEqual(await getFrom(server.url, '127.0.0.1'), 200, 'the capped address is not');
    let refusedGets = 1;

    for (const client of opened) client.socket.destroy();
    await Promise.all(opened.map((client) => client.closed));
    // The server may see the closes a moment after the client does.
    let status: number | string = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = await getFrom(server.url, '127.0.0.1');
      if (status !== 200) {
        refusedGets += 1;
        await sleep(20);
      }
    }
    assert.equal(status, 200, 'after closing them, 127.0.0.1 connects again');

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const refused = /^linkmesh_http_connections_refused_total\{reason="per_address_cap"\} (\d+)/m.exec(
      metrics,
    );
    assert.equal(Number(refused?.[1]), 10 + refusedGets, 'every refused socket counted');
    const logLines = server
      .logs()
      .filter((line) => line.includes('http.connection: refused reason=per_address_cap'));
    assert.equal(logLines.length, 1, `one log line for ${10 + refusedGets} refusals: ${logLines.join('\n')}`);
    assert.match(logLines[0] ?? '', /"ip":"127\.0\.0\.1"/);
    assert.match(logLines[0] ?? '', /"level":"?(40|warn)"?/);
  });

  it('counts an OpAMP WebSocket against the same cap for as long as it is open', async () => {
    const from = '127.0.0.3';
    const token = await enrollmentToken(server);
    const ws = await openWebSocket(server.url, token, from);
    assert.ok(ws instanceof WebSocket, `upgraded: ${ws instanceof Error ? ws.message : ''}`);
    const idle = await openIdle(cap - 1, from);
    assert.ok(
      idle.every((client) => !client.isClosed()),
      'the WebSocket and 49 idle sockets fit',
    );
    const [over] = await openIdle(1, from);
    assert.ok(over?.isClosed(), 'the fifty-first connection is refused');
    const second = await openWebSocket(server.url, await enrollmentToken(server), from);
    assert.ok(second instanceof Error, 'so is a second WebSocket upgrade');

    ws.close(1000);
    await once(ws, 'close');
    let freed = false;
    for (let i = 0; i < 50 && !freed; i++) {
      const [client] = await openIdle(1, from);
      freed = client !== undefined && !client.isClosed();
    }
    assert.ok(freed, 'its closing frees the slot');
    for (const client of idle) client.socket.destroy();
  });
});
