/**
 * A lean closed-loop HTTP/1.1 load generator for benchmarks: `connections` keep-alive sockets,
 * each with one request in flight, sending pre-encoded request bytes (request line, headers and
 * body) round-robin and parsing only the status line, `content-length` (or a chunked body) and
 * the body bytes. Every target gets byte-identical requests, and the generator costs a few
 * microseconds per request, so a bare server is not measured against the client's own overhead
 * (Node's `http` client or `fetch` spend more per request than a trivial server does).
 */
import net from 'node:net';

export interface LoadOptions {
  readonly host: string;
  readonly port: number;
  /** Complete HTTP/1.1 requests, sent in turn (request i goes to the next free connection). */
  readonly requests: readonly Buffer[];
  readonly connections: number;
  /** Completed before the measured window opens (connections warm, JIT settled). */
  readonly warmupMs: number;
  readonly durationMs: number;
  /** When given, a 200 whose body differs from this counts as unexpected. */
  readonly expectedBody?: Buffer;
}

export interface LoadResult {
  /** Answers completed inside the measured window. */
  readonly requests: number;
  readonly elapsedSeconds: number;
  /** Non-200 answers and connection errors inside the window. */
  readonly errors: number;
  /** 200 answers with a body other than `expectedBody`. */
  readonly unexpected: number;
  readonly statuses: ReadonlyMap<number, number>;
  /** Latency of every measured request, milliseconds. */
  readonly latenciesMs: readonly number[];
}

const headerEnd = Buffer.from('\r\n\r\n');
const contentLengthPattern = /\r\ncontent-length:\s*(\d+)/i;
const chunkedPattern = /\r\ntransfer-encoding:\s*chunked/i;

/** A parsed answer, or undefined while `data` holds only part of one. */
function parseResponse(data: Buffer): { status: number; body: Buffer; length: number } | undefined {
  const end = data.indexOf(headerEnd);
  if (end === -1) return undefined;
  const head = data.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  const bodyStart = end + 4;
  const length = contentLengthPattern.exec(head);
  if (length?.[1] !== undefined) {
    const bodyEnd = bodyStart + Number(length[1]);
    if (data.length < bodyEnd) return undefined;
    return { status, body: data.subarray(bodyStart, bodyEnd), length: bodyEnd };
  }
  if (chunkedPattern.test(head)) return parseChunked(data, status, bodyStart);
  return { status, body: Buffer.alloc(0), length: bodyStart };
}

function parseChunked(
  data: Buffer,
  status: number,
  bodyStart: number,
): { status: number; body: Buffer; length: number } | undefined {
  const chunks: Buffer[] = [];
  let at = bodyStart;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd === -1) return undefined;
    const size = parseInt(data.toString('latin1', at, lineEnd), 16);
    const chunkStart = lineEnd + 2;
    if (data.length < chunkStart + size + 2) return undefined;
    if (size === 0) return { status, body: Buffer.concat(chunks), length: chunkStart + 2 };
    chunks.push(data.subarray(chunkStart, chunkStart + size));
    at = chunkStart + size + 2;
  }
}

/** Runs the closed loop: warm-up, a measured window, then waits for the answers in flight. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  let measuring = false;
  let stopping = false;
  let requests = 0;
  let errors = 0;
  let unexpected = 0;
  let open = 0;
  const sockets = new Set<net.Socket>();
  let allClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (allClosed = resolve));

  const connect = (): void => {
    const socket = net.connect({ host: options.host, port: options.port, noDelay: true });
    open += 1;
    sockets.add(socket);
    let pending: Buffer | undefined;
    let sentAt = 0;
    const send = () => {
      if (stopping) {
        socket.end();
        return;
      }
      const request = options.requests[next++ % options.requests.length];
      if (!request) throw new Error('no requests to send');
      sentAt = performance.now();
      socket.write(request);
    };
    socket.on('connect', send);
    socket.on('data', (chunk: Buffer) => {
      pending = pending ? Buffer.concat([pending, chunk]) : chunk;
      const response = parseResponse(pending);
      if (!response) return;
      pending = response.length < pending.length ? pending.subarray(response.length) : undefined;
      if (measuring) {
        requests += 1;
        latenciesMs.push(performance.now() - sentAt);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status !== 200) errors += 1;
        else if (options.expectedBody && !response.body.equals(options.expectedBody)) unexpected += 1;
      }
      send();
    });
    socket.on('error', () => {
      if (measuring) errors += 1;
    });
    socket.on('close', () => {
      open -= 1;
      sockets.delete(socket);
      if (!stopping) connect();
      else if (open === 0) allClosed();
    });
  };

  for (let i = 0; i < options.connections; i++) connect();
  await new Promise((resolve) => setTimeout(resolve, options.warmupMs));
  measuring = true;
  const startedMs = performance.now();
  await new Promise((resolve) => setTimeout(resolve, options.durationMs));
  measuring = false;
  const elapsedSeconds = (performance.now() - startedMs) / 1000;
  stopping = true;
  // A server that stopped answering must not hang the benchmark.
  const giveUp = setTimeout(() => {
    for (const socket of sockets) socket.destroy();
  }, 5000);
  await closed;
  clearTimeout(giveUp);
  return { requests, elapsedSeconds, errors, unexpected, statuses, latenciesMs };
}
