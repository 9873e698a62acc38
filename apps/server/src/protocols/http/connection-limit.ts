import type { Server, Socket } from 'node:net';
import { boundedCache } from '../../domain/shared/bounded-cache.ts';

export interface ConnectionLimitOptions {
  /** Open TCP connections one remote address may hold; the next one is destroyed at once. */
  readonly maxPerAddress: number;
  /** Addresses never counted nor refused (trusted reverse proxies carry many clients). */
  readonly isExempt: (address: string) => boolean;
  /** Called for every refused socket (a metric), with the address. */
  readonly refused: (address: string) => void;
  /** Called for the first refusal of an address in each `logIntervalMs` (a log line). */
  readonly refusedFirstInInterval: (address: string, maxPerAddress: number) => void;
  /** Default 60 000. */
  readonly logIntervalMs?: number;
}

export interface ConnectionLimit {
  /** Open connections counted for `address` now (0 when none, or exempt). */
  openConnections(address: string): number;
  /** Addresses with at least one counted connection (the map never holds an address at zero). */
  readonly trackedAddresses: number;
}

/**
 * Caps open TCP connections per remote address on `server`'s `connection` event, before TLS or
 * HTTP parsing has read a byte. An upgraded WebSocket is the same TCP socket, so it counts too
 * for as long as it stays open. Why: ~20,000 idle sockets from one address used to exhaust the
 * descriptor limit (issue #9, finding 9).
 *
 * Memory: one map entry per address with an open connection (removed at zero), and a bounded
 * cache of addresses logged in the last interval (10 000; an address pushed out early may be
 * logged again sooner, never once per socket).
 *
 * @example
 * limitConnectionsPerAddress(server, {
 *   maxPerAddress: 2048,
 *   isExempt: () => false,
 *   refused: () => metrics.httpConnectionsRefused.labels('per_address_cap').inc(),
 *   refusedFirstInInterval: (ip, max) => logger.warn({ ip, max }, 'http.connection: refused reason=per_address_cap'),
 * });
 */
export function limitConnectionsPerAddress(server: Server, options: ConnectionLimitOptions): ConnectionLimit {
  const open = new Map<string, number>();
  const recentlyLogged = boundedCache<string, true>(10_000, { ttl: options.logIntervalMs ?? 60_000 });
  // For an HTTPS server this is the raw TCP socket, before the TLS handshake.
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    // Undefined when the peer already went away; nothing to count.
    if (address === undefined || options.isExempt(address)) return;
    const count = open.get(address) ?? 0;
    if (count >= options.maxPerAddress) {
      socket.destroy();
      options.refused(address);
      if (!recentlyLogged.has(address)) {
        recentlyLogged.set(address, true);
        options.refusedFirstInInterval(address, options.maxPerAddress);
      }
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
  return {
    openConnections: (address) => open.get(address) ?? 0,
    get trackedAddresses() {
      return open.size;
    },
  };
}
