import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { after, describe, it } from 'node:test';
import { makeSelfSignedCert, selfSignedCertUnavailable } from '../../testing/self-signed-cert.ts';
import { limitConnectionsPerAddress, type ConnectionLimitOptions } from './connection-limit.ts';

interface Recorded {
  readonly refusedAddresses: string[];
  readonly logged: string[];
}

function options(max: number, exempt: string[] = []): ConnectionLimitOptions & Recorded {
  const refused: string[] = [];
  const logged: string[] = [];
  return {
    maxPerAddress: max,
    isExempt: (address) => exempt.includes(address),
    refused: (address) => void refused.push(address),
    refusedFirstInInterval: (address) => void logged.push(address),
    refusedAddresses: refused,
    logged,
  };
}

async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return address.port;
}

/** Connects from `from`; resolves `closed` true when the server dropped it within `waitMs`. */
async function connectAndWatch(
  port: number,
  from: string,
  waitMs = 300,
): Promise<{ socket: net.Socket; closed: boolean }> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const closed = await Promise.race([
    once(socket, 'close').then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), waitMs)),
  ]);
  return { socket, closed };
}

async function until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadlineMs) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('per-address connection limit', () => {
  const servers: net.Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });

  it('destroys the connection above the cap, counts per address, and frees the slot on close', async () => {
    const server = net.createServer();
    servers.push(server);
    const settings = options(2);
    const limit = limitConnectionsPerAddress(server, settings);
    const port = await listen(server);

    const first = await connectAndWatch(port, '127.0.0.1');
    const second = await connectAndWatch(port, '127.0.0.1');
    const third = await connectAndWatch(port, '127.0.0.1');
    assert.deepEqual([first.closed, second.closed, third.closed], [false, false, true]);
    const elsewhere = await connectAndWatch(port, '127.0.0.2');
    assert.equal(elsewhere.closed, false, 'another address has its own budget');
    assert.equal(limit.openConnections('127.0.0.1'), 2);
    assert.deepEqual(settings.refusedAddresses, ['127.0.0.1']);

    first.socket.destroy();
    await until(() => limit.openConnections('127.0.0.1') === 1);
    const again = await connectAndWatch(port, '127.0.0.1');
    assert.equal(again.closed, false, 'a freed slot can be taken again');

    for (const socket of [second.socket, again.socket, elsewhere.socket]) socket.destroy();
    await until(() => limit.trackedAddresses === 0);
  });

  it('logs the first refusal of an address per interval, counts every one', async () => {
    const server = net.createServer();
    servers.push(server);
    const settings = options(1);
    limitConnectionsPerAddress(server, settings);
    const port = await listen(server);
    const kept = await connectAndWatch(port, '127.0.0.1');
    for (let i = 0; i < 5; i++) assert.equal((await connectAndWatch(port, '127.0.0.1')).closed, true);
    assert.equal(settings.refusedAddresses.length, 5);
    assert.deepEqual(settings.logged, ['127.0.0.1']);
    kept.socket.destroy();
  });

  it('never counts nor refuses an exempt address (a trusted proxy)', async () => {
    const server = net.createServer();
    servers.push(server);
    const limit = limitConnectionsPerAddress(server, options(1, ['127.0.0.1']));
    const port = await listen(server);
    const sockets = await Promise.all([1, 2, 3].map(() => connectAndWatch(port, '127.0.0.1')));
    assert.deepEqual(
      sockets.map((s) => s.closed),
      [false, false, false],
    );
    assert.equal(limit.trackedAddresses, 0);
    for (const s of sockets) s.socket.destroy();
  });

  it(
    'refuses on an HTTPS server before the TLS handshake completes',
    { skip: selfSignedCertUnavailable },
    async () => {
      const cert = makeSelfSignedCert();
      try {
        const server = https.createServer(
          { cert: readFileSync(cert.certFile), key: readFileSync(cert.keyFile) },
          (_request, response) => response.end('ok'),
        );
        servers.push(server);
        const limit = limitConnectionsPerAddress(server, options(1));
        const port = await listen(server);
        const handshake = () =>
          new Promise<tls.TLSSocket | Error>((resolve) => {
            const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
            socket.once('secureConnect', () => resolve(socket));
            socket.once('error', (error: Error) => resolve(error));
          });
        const kept = await handshake();
        assert.ok(kept instanceof tls.TLSSocket, 'the first connection completes its handshake');
        const refused = await handshake();
        assert.ok(refused instanceof Error, 'the second never completes one');
        assert.equal(limit.openConnections('127.0.0.1'), 1);
        kept.destroy();
        await until(() => limit.trackedAddresses === 0);
      } finally {
        cert.remove();
      }
    },
  );
});
