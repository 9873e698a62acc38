import type { ResolvedRoute, TypedObject } from '../render-input.ts';

/** Test data factories: fixed, readable UUIDs so goldens stay stable. */

export const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export const collectorId = uuid(0xc0);
export const selfTelemetry = {
  externalUrl: 'https://fleet.example.com/',
  bearerToken: 'lmct_test_bearer',
} as const;

export const typed = (id: number, type: string, config: unknown, name = type): TypedObject => ({
  id: uuid(id),
  name,
  type,
  config,
});

export function route(
  id: number,
  source: TypedObject,
  destinations: readonly TypedObject[],
  pipeline?: ResolvedRoute['pipeline'],
  name = `route-${id}`,
): ResolvedRoute {
  return { id: uuid(id), name, enabled: true, source, destinations, ...(pipeline ? { pipeline } : {}) };
}

/** One example config per catalogue type, with credentials where the type takes them. */
export const exampleSources: Record<string, unknown> = {
  otlp: {},
  syslog: { transport: 'tcp', listenAddress: '0.0.0.0:1514' },
  filelog: { include: ['/var/log/app/*.log'], exclude: ['/var/log/app/debug.log'] },
  journald: { units: ['nginx.service', 'sshd.service'], priority: 'warning' },
  prometheus: { targets: ['localhost:9100', 'localhost:9256'], scrapeIntervalSeconds: 15 },
  hostmetrics: {},
  kafka: {
    brokers: ['kafka-1:9092'],
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'otel', password: 'kafka-secret' },
  },
};

export const exampleProcessors: Record<string, unknown> = {
  batch: {},
  memory_limiter: {},
  filter: { logs: { logRecord: ['severity_number < SEVERITY_NUMBER_WARN'] } },
  transform: { logStatements: [{ context: 'log', statements: ['set(attributes["env"], "prod")'] }] },
  redaction: { blockedValues: ['^4[0-9]{15}$'] },
  attributes: {
    actions: [
      { key: 'env', action: 'upsert', value: 'prod' },
      { key: 'user.email', action: 'hash' },
    ],
  },
  resource: {
    actions: [
      { key: 'service.namespace', action: 'insert', value: 'shop' },
      { key: 'host.ip', action: 'delete' },
    ],
  },
  probabilistic_sampler: { samplingPercentage: 25 },
};

export const exampleDestinations: Record<string, unknown> = {
  otlp: { endpoint: 'gateway.internal:4317', insecure: true },
  otlphttp: { endpoint: 'https://otlp.example.com/', bearerToken: 'otlp-secret' },
  loki: {
    url: 'http://loki:3100',
    tenantId: 'team-a',
    basicAuth: { username: 'loki', password: 'loki-secret' },
  },
  prometheusremotewrite: { url: 'http://mimir:9009/api/v1/push', tenantId: 'team-a' },
  tempo: { endpoint: 'tempo:4317', insecure: true },
  grafana_cloud: {
    otlpEndpoint: 'https://otlp-gateway-prod-eu-west-2.grafana.net/otlp',
    instanceId: '123456',
    token: 'glc_secret',
  },
  kafka: { brokers: ['kafka-1:9092'] },
  clickhouse: { endpoint: 'tcp://clickhouse:9000', username: 'otel', password: 'ch-secret', ttlHours: 72 },
  awss3: { bucket: 'telemetry', prefix: 'otel' },
  debug: {},
};

/** A source that carries every signal, and a destination that takes every signal. */
export const otlpSource = typed(1, 'otlp', {}, 'apps');
export const debugDestination = typed(2, 'debug', {}, 'debug');

/** The route that shows one catalogue type in isolation. */
export function routeFor(kind: 'source' | 'processor' | 'destination', type: string): ResolvedRoute {
  if (kind === 'source') return route(10, typed(11, type, exampleSources[type]), [debugDestination]);
  if (kind === 'destination') return route(10, otlpSource, [typed(12, type, exampleDestinations[type])]);
  return route(10, otlpSource, [debugDestination], {
    id: uuid(13),
    name: 'p',
    processors: [{ type, config: exampleProcessors[type] }],
  });
}
