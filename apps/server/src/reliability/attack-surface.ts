/**
 * Every endpoint that takes a request body, as the fuzzing and bomb tests attack it: where it
 * is, which credential it takes from the headers, what a valid body looks like, and the body caps
 * the server is configured with (the defaults of config.schema.ts and the routes' own limits).
 */
import { mintCredential } from '../domain/shared/credentials.ts';
import type { FleetCredentials } from './fleet-credentials.ts';
import {
  agentHeartbeatBytes,
  agentToServerBytes,
  connectSeeds,
  otlpJsonSeeds,
  otlpProtobufSeeds,
  type ConnectMethod,
} from './valid-messages.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

export type EndpointGroup = 'otlp' | 'opamp' | 'connect' | 'rest';

export interface Endpoint {
  /** `METHOD /path` as printed in results. */
  readonly name: string;
  readonly group: EndpointGroup;
  readonly method: 'POST' | 'PUT';
  path(credentials: FleetCredentials): string;
  /** The Authorization header a legitimate caller sends; undefined: the credential is in the body. */
  validAuthorization(credentials: FleetCredentials): string | undefined;
  /** A well-formed credential of the same kind that the server never issued. */
  unknownAuthorization(): string;
  /** Content types the endpoint decodes. */
  readonly contentTypes: readonly string[];
  /** Valid binary bodies (protobuf endpoints). */
  binarySeeds(): Uint8Array[];
  /** Valid JSON bodies, as values (JSON endpoints). */
  jsonSeeds(credentials: FleetCredentials): unknown[];
  /** Largest body accepted as sent; with gzip, `maxInflatedBytes` bounds it again after inflation. */
  readonly maxBodyBytes: number;
  readonly maxInflatedBytes: number;
}

const bearer = (token: string) => `Bearer ${token}`;

const otlp: Endpoint = {
  name: 'POST /v1/metrics',
  group: 'otlp',
  method: 'POST',
  path: () => '/v1/metrics',
  validAuthorization: (c) => bearer(c.alloyBearer),
  unknownAuthorization: () => bearer(mintCredential('collector')),
  contentTypes: ['application/x-protobuf', 'application/json'],
  binarySeeds: otlpProtobufSeeds,
  jsonSeeds: otlpJsonSeeds,
  // otlpMaxCompressedBodyBytes and otlpMaxBodyBytes.
  maxBodyBytes: 16 * MiB,
  maxInflatedBytes: 16 * MiB,
};

const opamp: Endpoint = {
  name: 'POST /v1/opamp',
  group: 'opamp',
  method: 'POST',
  path: () => '/v1/opamp',
  validAuthorization: (c) => bearer(c.otelcolBearer),
  unknownAuthorization: () => bearer(mintCredential('collector')),
  contentTypes: ['application/x-protobuf'],
  binarySeeds: () => [agentToServerBytes(), agentHeartbeatBytes()],
  jsonSeeds: () => [],
  // opampMaxMessageBytes.
  maxBodyBytes: 64 * MiB,
  maxInflatedBytes: 64 * MiB,
};

function connect(method: ConnectMethod): Endpoint {
  return {
    name: `POST /collector.v1.CollectorService/${method}`,
    group: 'connect',
    method: 'POST',
    path: () => `/collector.v1.CollectorService/${method}`,
    validAuthorization: (c) => bearer(method === 'UnregisterCollector' ? c.unregisterBearer : c.alloyBearer),
    unknownAuthorization: () => bearer(mintCredential('collector')),
    contentTypes: ['application/proto', 'application/json'],
    binarySeeds: () => [connectSeeds[method].binary],
    jsonSeeds: () => [connectSeeds[method].json],
    // remotecfgMaxBodyBytes, before and after gzip.
    maxBodyBytes: 8 * MiB,
    maxInflatedBytes: 8 * MiB,
  };
}

function rest(
  method: 'POST' | 'PUT',
  /** `{id}` stands for the rotation collector's id. */
  path: string,
  jsonSeeds: (c: FleetCredentials) => unknown[],
  options: { maxBodyBytes?: number; credential?: 'operator' | 'collector' | 'enrollment' | 'login' } = {},
): Endpoint {
  const credential = options.credential ?? 'operator';
  return {
    name: `${method} ${path}`,
    group: 'rest',
    method,
    path: (c) => path.replace('{id}', c.rotationCollectorId),
    validAuthorization: (c) => {
      switch (credential) {
        case 'operator':
          return bearer(c.admin);
        case 'collector':
          return bearer(c.managedBearer);
        case 'enrollment':
          return bearer(c.enrollmentTokens[0] ?? '');
        case 'login':
          return undefined;
      }
    },
    unknownAuthorization: () => {
      switch (credential) {
        case 'operator':
        case 'login':
          return bearer(mintCredential('serviceAccount'));
        case 'collector':
          return bearer(mintCredential('collector'));
        case 'enrollment':
          return bearer(mintCredential('enrollment'));
      }
    },
    contentTypes: ['application/json'],
    binarySeeds: () => [],
    jsonSeeds,
    // apiMaxBodyBytes unless the route sets its own.
    maxBodyBytes: options.maxBodyBytes ?? 1 * MiB,
    maxInflatedBytes: options.maxBodyBytes ?? 1 * MiB,
  };
}

const agentReport = {
  agentVersion: '0.1.0',
  host: {
    hostname: 'fuzz-managed-host',
    os: 'linux',
    osRelease: '6.8.0',
    arch: 'x64',
    cpuCount: 2,
    cpuModel: 'cpu',
    memoryTotalBytes: 8 * 2 ** 30,
    memoryFreeBytes: 2 ** 30,
    uptimeSeconds: 100,
    loadAverage1m: 0.5,
  },
  collector: {
    binary: '/usr/bin/alloy',
    version: 'v1.11.0',
    running: true,
    pid: 1234,
    restartCount: 0,
    uptimeSeconds: 90,
    lastExitCode: null,
    lastExitSignal: null,
    lastExitAt: null,
    nextStartInSeconds: null,
  },
};

export const endpoints: readonly Endpoint[] = [
  otlp,
  opamp,
  connect('GetConfig'),
  connect('RegisterCollector'),
  connect('UnregisterCollector'),
  rest(
    'POST',
    '/api/v1/auth/login',
    (c) => [c.login, { username: c.login.username, password: 'not-the-password' }],
    { credential: 'login' },
  ),
  rest('POST', '/api/v1/enrollment-tokens', () => [{}, { ttlSeconds: 600 }]),
  rest('POST', '/api/v1/collectors', () => [
    { name: 'fuzzed', runtime: 'alloy' },
    { name: 'fuzzed', runtime: 'otelcol' },
  ]),
  rest(
    'POST',
    '/api/v1/bootstrap',
    (c) => [
      { token: c.enrollmentTokens[0] ?? '', hostname: 'fuzz-host', runtime: 'alloy', hostId: 'fuzz-host-id' },
    ],
    { credential: 'enrollment', maxBodyBytes: 16 * KiB },
  ),
  rest('POST', '/api/v1/agent/report', () => [agentReport], {
    credential: 'collector',
    maxBodyBytes: 64 * KiB,
  }),
  rest('PUT', '/api/v1/settings/otel-default-config', () => [{ yaml: 'receivers:\n  otlp: {}\n' }], {
    maxBodyBytes: 2 * MiB,
  }),
  rest('POST', '/api/v1/collectors/{id}/rotate-token', () => [{}]),
];
