import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { endpoints, type Endpoint, type EndpointGroup } from './attack-surface.ts';
import { mintFleetCredentials, type FleetCredentials } from './fleet-credentials.ts';
import { deepJsonText, mutatedBytes, mutatedJson, randomBytes } from './fuzz-mutations.ts';
import { isClosed, sendRaw, type RawRequest } from './raw-request.ts';
import { bySize, startServerProcess, type ServerProcess } from './server-process.ts';

/**
 * Issue #9 suite item: fast-check generated requests over real HTTP to one spawned server, for
 * every endpoint that takes a body, with no credential, an unknown or garbled one, and a valid
 * one; random methods, content types and encodings (gzip valid and broken); bodies of random
 * bytes, mutated valid messages, arbitrary and deeply nested JSON. Every answer is 2xx or 4xx
 * (the failed-auth throttle's 429 included), none takes 10 s, the server stays up and logs no
 * error. A connection the server ends without an answer is counted and allowed (a refused
 * sender's unread body may reset it), as long as no error is logged for it.
 */

const numRuns = bySize({ ci: 300, full: 10_000 });
const requestTimeoutMs = 10_000;
/** Valid callers from one address, everyone else from others: the throttle keys on the address. */
const validFrom = '127.0.40.1';

type CredentialMode = 'none' | 'unknown' | 'garbled' | 'valid';
type Encoding = 'none' | 'gzip' | 'gzip-broken' | 'gzip-truncated' | 'other';

interface FuzzCase {
  /** An endpoint's name (a name, not the object, so a counterexample prints short). */
  readonly endpoint: string;
  readonly credential: CredentialMode;
  readonly garbledAuthorization: string;
  readonly method: string | undefined;
  readonly contentType: string | undefined;
  readonly encoding: Encoding;
  readonly otherEncoding: string;
  readonly body: Uint8Array | undefined;
  readonly chunked: boolean;
  readonly fromHost: number;
}

const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 120,
});

const garbledAuthorization = fc.oneof(
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'Basic YWRtaW46YWRtaW4=',
    'Bearer lmct_',
    'Bearer lmsat_',
    'Bearer lmet_',
    `Bearer lmct_${'A'.repeat(4000)}`,
    'Bearer lmct_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    'Bearer  lmct_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  ),
  headerText,
  headerText.map((text) => `Bearer ${text}`),
);

const oddContentTypes = fc.oneof(
  fc.constantFrom(
    'text/plain',
    'application/octet-stream',
    'application/grpc',
    'application/connect+proto',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    'application/json; charset=utf-16',
    'APPLICATION/JSON',
    'application/x-protobuf; charset=utf-8',
    '',
  ),
  headerText,
);

/** The bodies worth sending to `endpoint`: its own valid messages bent, and everything else. */
function bodiesFor(endpoint: Endpoint, credentials: FleetCredentials): fc.Arbitrary<Uint8Array | undefined> {
  const binarySeeds = endpoint.binarySeeds();
  const jsonSeeds = endpoint.jsonSeeds(credentials);
  const encoder = new TextEncoder();
  const options: fc.WeightedArbitrary<Uint8Array | undefined>[] = [
    { arbitrary: randomBytes, weight: 2 },
    { arbitrary: fc.json().map((text) => encoder.encode(text)), weight: 1 },
    {
      arbitrary: fc.jsonValue({ maxDepth: 30 }).map((value) => encoder.encode(JSON.stringify(value))),
      weight: 1,
    },
    { arbitrary: deepJsonText.map((text) => encoder.encode(text)), weight: 1 },
    { arbitrary: fc.constantFrom(undefined, new Uint8Array(0)), weight: 1 },
  ];
  if (binarySeeds.length > 0) {
    options.push({ arbitrary: mutatedBytes(binarySeeds), weight: 4 });
    options.push({ arbitrary: fc.constantFrom(...binarySeeds), weight: 1 });
  }
  if (jsonSeeds.length > 0) {
    options.push({ arbitrary: mutatedJson(jsonSeeds).map((text) => encoder.encode(text)), weight: 4 });
    options.push({
      arbitrary: fc.constantFrom(...jsonSeeds).map((seed) => encoder.encode(JSON.stringify(seed))),
      weight: 1,
    });
  }
  return fc.oneof(...options);
}

function casesFor(group: readonly Endpoint[], credentials: FleetCredentials): fc.Arbitrary<FuzzCase> {
  return fc.constantFrom(...group).chain((endpoint) =>
    fc.record({
      endpoint: fc.constant(endpoint.name),
      credential: fc.constantFrom<CredentialMode>('none', 'unknown', 'garbled', 'valid', 'valid', 'valid'),
      garbledAuthorization,
      method: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 9 },
        {
          arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'POST', 'PROPFIND'),
          weight: 1,
        },
      ),
      contentType: fc.oneof(
        { arbitrary: fc.constantFrom(...endpoint.contentTypes), weight: 6 },
        { arbitrary: oddContentTypes, weight: 2 },
        { arbitrary: fc.constant(undefined), weight: 1 },
      ),
      encoding: fc.constantFrom<Encoding>(
        'none',
        'none',
        'none',
        'gzip',
        'gzip',
        'gzip-broken',
        'gzip-truncated',
        'other',
      ),
      otherEncoding: fc.oneof(
        fc.constantFrom('deflate', 'br', 'zstd', 'GZIP', 'gzip, gzip', 'identity', 'x-gzip'),
        headerText,
      ),
      body: bodiesFor(endpoint, credentials),
      chunked: fc.boolean(),
      fromHost: fc.integer({ min: 1, max: 254 }),
    }),
  );
}

function endpointNamed(name: string): Endpoint {
  const endpoint = endpoints.find((candidate) => candidate.name === name);
  if (endpoint === undefined) throw new Error(`no endpoint ${name}`);
  return endpoint;
}

/** The request a fuzz case describes. */
function requestOf(c: FuzzCase, credentials: FleetCredentials): RawRequest {
  const endpoint = endpointNamed(c.endpoint);
  const headers: Record<string, string> = {};
  const authorization =
    c.credential === 'valid'
      ? endpoint.validAuthorization(credentials)
      : c.credential === 'unknown'
        ? endpoint.unknownAuthorization()
        : c.credential === 'garbled'
          ? c.garbledAuthorization
          : undefined;
  if (authorization !== undefined) headers.authorization = authorization;
  if (c.contentType !== undefined) headers['content-type'] = c.contentType;
  let body = c.body;
  if (c.encoding !== 'none') {
    const plain = body ?? new Uint8Array(0);
    headers['content-encoding'] = c.encoding === 'other' ? c.otherEncoding : 'gzip';
    if (c.encoding === 'gzip') body = gzipSync(plain);
    if (c.encoding === 'gzip-truncated') body = gzipSync(plain).subarray(0, Math.max(1, plain.length >> 1));
  }
  return {
    method: c.method ?? endpoint.method,
    path: endpoint.path(credentials),
    headers,
    ...(body === undefined ? {} : { body }),
    chunked: c.chunked,
    from: c.credential === 'valid' ? validFrom : `127.0.41.${c.fromHost}`,
    timeoutMs: requestTimeoutMs,
  };
}

/** How a fuzz case is shown when it fails: enough to send it again by hand. */
function reproduction(request: RawRequest): string {
  const body = request.body ?? new Uint8Array(0);
  return JSON.stringify({
    method: request.method,
    path: request.path,
    headers: request.headers,
    chunked: request.chunked,
    bodyBytes: body.length,
    bodyBase64: Buffer.from(body.subarray(0, 4096)).toString('base64'),
  });
}

/** Log lines at pino level error (50) or fatal (60). */
function errorLines(server: ServerProcess): string[] {
  return server.logs().filter((line) => /"level":(50|60)/.test(line));
}

void describe('fuzzed requests to every endpoint get a 2xx or a clear 4xx from one real server', () => {
  let server: ServerProcess;
  let credentials: FleetCredentials;
  before(async () => {
    server = await startServerProcess();
    credentials = await mintFleetCredentials(server);
  });
  after(async () => {
    await server.stop();
    server.cleanUp();
  });

  const groups: readonly EndpointGroup[] = ['otlp', 'opamp', 'connect', 'rest'];
  for (const group of groups) {
    const members = endpoints.filter((endpoint) => endpoint.group === group);
    void it(`${group} (${members.map((e) => e.name).join(', ')}): never a 5xx, never a hang, the server stays up`, async () => {
      const statuses = new Map<string, number>();
      const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
      const errorsBefore = errorLines(server).length;
      await fc.assert(
        fc.asyncProperty(casesFor(members, credentials), async (c) => {
          const request = requestOf(c, credentials);
          const outcome = await sendRaw(server.url, request);
          const status = outcome.status;
          count(isClosed(outcome) ? `closed(${outcome.closed})` : String(outcome.status));
          assert.ok(
            status === undefined || (status >= 200 && status < 500),
            `${c.endpoint} answered ${status} (${c.credential} credential) to ${reproduction(request)}`,
          );
        }),
        // The assertion's message (status and a replayable request) goes into the report.
        { numRuns, includeErrorInReport: true },
      );
      const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(1000) });
      assert.equal(health.status, 200, 'the server still answers /healthz');
      const newErrors = errorLines(server).slice(errorsBefore);
      console.log(
        `${group}: ${numRuns} requests, answers ${[...statuses].map(([key, n]) => `${key}×${n}`).join(' ')}`,
      );
      assert.deepEqual(newErrors.slice(0, 5), [], 'no error logged by the server');
    });
  }
});
