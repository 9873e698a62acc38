import { z } from 'zod';
import { attr, block, optionalAttr, ref, type AlloyNode } from '../alloy-writer.ts';
import { otelcolHas } from '../known-lookup.ts';
import {
  headers,
  hostPort,
  httpAuth,
  httpAuthSecrets,
  httpUrl,
  oneCredential,
  oneCredentialIssue,
  requestHeaders,
  trimSlashes,
} from './fields.ts';
import { refuse, type DestinationEntry } from './types.ts';

/**
 * Destination types (OTel exporters), one exporter per destination however many routes use it.
 * Credentials go in request headers (basic or bearer `Authorization`), which every runtime and
 * version accepts, rather than in auth extensions.
 */

const compression = z.enum(['gzip', 'zstd', 'none']).default('gzip');

const alloyHeaders = (h: Record<string, string>): AlloyNode[] =>
  Object.keys(h).length > 0 ? [attr('headers', { map: h })] : [];
const otelHeaders = (h: Record<string, string>) => (Object.keys(h).length > 0 ? { headers: h } : {});

const otlpGrpcConfig = z
  .object({
    endpoint: hostPort,
    /** Plaintext gRPC (no TLS), e.g. to a collector on the same network. */
    insecure: z.boolean().default(false),
    compression,
    headers,
    ...httpAuth,
  })
  .refine(oneCredential, oneCredentialIssue);
type OtlpGrpcConfig = z.output<typeof otlpGrpcConfig>;

function otlpGrpcOtel(c: OtlpGrpcConfig & { tenantId?: string | undefined }) {
  return {
    type: 'otlp',
    config: {
      compression: c.compression,
      endpoint: c.endpoint,
      ...otelHeaders(requestHeaders(c)),
      tls: { insecure: c.insecure },
    },
  };
}

function otlpGrpcAlloy(c: OtlpGrpcConfig & { tenantId?: string | undefined }, label: string) {
  return {
    components: [
      {
        component: 'otelcol.exporter.otlp',
        label,
        body: [
          block('client', [
            attr('endpoint', c.endpoint),
            attr('compression', c.compression),
            ...alloyHeaders(requestHeaders(c)),
            block('tls', [attr('insecure', c.insecure)]),
          ]),
        ],
      },
    ],
    input: `otelcol.exporter.otlp.${label}.input`,
  };
}

export const otlpDestination: DestinationEntry<OtlpGrpcConfig> = {
  kind: 'destination',
  type: 'otlp',
  title: 'OTLP (gRPC)',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: otlpGrpcConfig,
  secretFields: httpAuthSecrets,
  otelcol: { render: (c) => otlpGrpcOtel(c) },
  alloy: { render: (c, { label }) => otlpGrpcAlloy(c, label) },
};

const otlpHttpConfig = z
  .object({
    /** Base URL; the exporter appends `/v1/logs`, `/v1/metrics`, `/v1/traces`. */
    endpoint: httpUrl,
    compression,
    headers,
    ...httpAuth,
  })
  .refine(oneCredential, oneCredentialIssue);

interface OtlpHttpShape {
  readonly endpoint: string;
  readonly compression: 'gzip' | 'zstd' | 'none';
  readonly headers: Record<string, string>;
}

function otlpHttpOtel(c: OtlpHttpShape) {
  return {
    type: 'otlphttp',
    config: { compression: c.compression, endpoint: trimSlashes(c.endpoint), ...otelHeaders(c.headers) },
  };
}

function otlpHttpAlloy(c: OtlpHttpShape, label: string) {
  return {
    components: [
      {
        component: 'otelcol.exporter.otlphttp',
        label,
        body: [
          block('client', [
            attr('endpoint', trimSlashes(c.endpoint)),
            attr('compression', c.compression),
            ...alloyHeaders(c.headers),
          ]),
        ],
      },
    ],
    input: `otelcol.exporter.otlphttp.${label}.input`,
  };
}

export const otlphttpDestination: DestinationEntry<z.output<typeof otlpHttpConfig>> = {
  kind: 'destination',
  type: 'otlphttp',
  title: 'OTLP (HTTP)',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: otlpHttpConfig,
  secretFields: httpAuthSecrets,
  otelcol: { render: (c) => otlpHttpOtel({ ...c, headers: requestHeaders(c) }) },
  alloy: { render: (c, { label }) => otlpHttpAlloy({ ...c, headers: requestHeaders(c) }, label) },
};

const lokiConfig = z
  .object({
    /** Loki's base URL, e.g. `http://loki:3100` (push and OTLP paths are appended). */
    url: httpUrl,
    /** Multi-tenant Loki: sent as `X-Scope-OrgID`. */
    tenantId: z.string().min(1).optional(),
    headers,
    ...httpAuth,
  })
  .refine(oneCredential, oneCredentialIssue);

export const lokiDestination: DestinationEntry<z.output<typeof lokiConfig>> = {
  kind: 'destination',
  type: 'loki',
  title: 'Loki',
  signals: ['logs'],
  configSchema: lokiConfig,
  secretFields: httpAuthSecrets,
  otelcol: {
    // The `loki` exporter is gone from otelcol-contrib (absent in v0.122, removed in v0.131):
    // where the collector lacks it, logs go to Loki's native OTLP endpoint (Loki 3.0+).
    render: (c, { version }) =>
      otelcolHas('exporter', 'loki', version)
        ? {
            type: 'loki',
            config: { endpoint: `${trimSlashes(c.url)}/loki/api/v1/push`, ...otelHeaders(requestHeaders(c)) },
          }
        : otlpHttpOtel({
            endpoint: `${trimSlashes(c.url)}/otlp`,
            compression: 'gzip',
            headers: requestHeaders(c),
          }),
  },
  alloy: {
    // otelcol.exporter.loki converts OTLP logs to Loki entries for loki.write (any Loki version).
    render: (c, { label }) => ({
      components: [
        {
          component: 'otelcol.exporter.loki',
          label,
          body: [attr('forward_to', [ref(`loki.write.${label}.receiver`)])],
        },
        {
          component: 'loki.write',
          label,
          body: [
            block('endpoint', [
              attr('url', `${trimSlashes(c.url)}/loki/api/v1/push`),
              ...optionalAttr('tenant_id', c.tenantId),
              ...alloyHeaders(c.headers),
              ...optionalAttr('bearer_token', c.bearerToken),
              ...(c.basicAuth === undefined
                ? []
                : [
                    block('basic_auth', [
                      attr('username', c.basicAuth.username),
                      attr('password', c.basicAuth.password),
                    ]),
                  ]),
            ]),
          ],
        },
      ],
      input: `otelcol.exporter.loki.${label}.input`,
    }),
  },
};

const remoteWriteConfig = z
  .object({
    /** The remote-write URL, e.g. `http://mimir:9009/api/v1/push`. */
    url: httpUrl,
    /** Mimir / Cortex tenant: sent as `X-Scope-OrgID`. */
    tenantId: z.string().min(1).optional(),
    headers,
    ...httpAuth,
  })
  .refine(oneCredential, oneCredentialIssue);

export const prometheusRemoteWriteDestination: DestinationEntry<z.output<typeof remoteWriteConfig>> = {
  kind: 'destination',
  type: 'prometheusremotewrite',
  title: 'Prometheus remote-write (Mimir, Prometheus)',
  signals: ['metrics'],
  configSchema: remoteWriteConfig,
  secretFields: httpAuthSecrets,
  otelcol: {
    render: (c) => ({
      type: 'prometheusremotewrite',
      config: { endpoint: c.url, ...otelHeaders(requestHeaders(c)) },
    }),
  },
  alloy: {
    render: (c, { label }) => ({
      components: [
        {
          component: 'otelcol.exporter.prometheus',
          label,
          body: [attr('forward_to', [ref(`prometheus.remote_write.${label}.receiver`)])],
        },
        {
          component: 'prometheus.remote_write',
          label,
          body: [block('endpoint', [attr('url', c.url), ...alloyHeaders(requestHeaders(c))])],
        },
      ],
      input: `otelcol.exporter.prometheus.${label}.input`,
    }),
  },
};

const tempoConfig = z
  .object({
    /** Tempo's OTLP gRPC `host:port` (distributor, default 4317). */
    endpoint: hostPort,
    insecure: z.boolean().default(false),
    tenantId: z.string().min(1).optional(),
    compression,
    headers,
    ...httpAuth,
  })
  .refine(oneCredential, oneCredentialIssue);

export const tempoDestination: DestinationEntry<z.output<typeof tempoConfig>> = {
  kind: 'destination',
  type: 'tempo',
  title: 'Tempo (OTLP gRPC)',
  signals: ['traces'],
  configSchema: tempoConfig,
  secretFields: httpAuthSecrets,
  otelcol: { render: (c) => otlpGrpcOtel(c) },
  alloy: { render: (c, { label }) => otlpGrpcAlloy(c, label) },
};

const grafanaCloudConfig = z.object({
  /** The stack's OTLP endpoint (Connections → OpenTelemetry), e.g. `https://otlp-gateway-prod-eu-west-2.grafana.net/otlp`. */
  otlpEndpoint: httpUrl,
  /** The stack's instance ID (the basic-auth user). */
  instanceId: z.string().regex(/^\d+$/, 'the instance ID is a number'),
  /** An access-policy token with the write scopes (the basic-auth password). */
  token: z.string().min(1),
});

/** Grafana Cloud takes all three signals on its OTLP gateway, with basic auth. */
const grafanaCloudHttp = (c: z.output<typeof grafanaCloudConfig>): OtlpHttpShape => ({
  endpoint: c.otlpEndpoint,
  compression: 'gzip',
  headers: requestHeaders({ headers: {}, basicAuth: { username: c.instanceId, password: c.token } }),
});

export const grafanaCloudDestination: DestinationEntry<z.output<typeof grafanaCloudConfig>> = {
  kind: 'destination',
  type: 'grafana_cloud',
  title: 'Grafana Cloud',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: grafanaCloudConfig,
  secretFields: ['token'],
  otelcol: { render: (c) => otlpHttpOtel(grafanaCloudHttp(c)) },
  alloy: { render: (c, { label }) => otlpHttpAlloy(grafanaCloudHttp(c), label) },
};

const kafkaDestinationConfig = z.object({
  brokers: z.array(hostPort).min(1, 'list at least one broker'),
  topics: z
    .object({
      logs: z.string().min(1).default('otlp_logs'),
      metrics: z.string().min(1).default('otlp_metrics'),
      traces: z.string().min(1).default('otlp_spans'),
    })
    .default({ logs: 'otlp_logs', metrics: 'otlp_metrics', traces: 'otlp_spans' }),
  encoding: z.enum(['otlp_proto', 'otlp_json']).default('otlp_proto'),
  protocolVersion: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/)
    .default('2.1.0'),
  sasl: z
    .object({
      mechanism: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']),
      username: z.string().min(1),
      password: z.string().min(1),
    })
    .optional(),
});

export const kafkaDestination: DestinationEntry<z.output<typeof kafkaDestinationConfig>> = {
  kind: 'destination',
  type: 'kafka',
  title: 'Kafka',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: kafkaDestinationConfig,
  secretFields: ['sasl.password'],
  otelcol: {
    render: (c, { signals, version }) => {
      // Signal-specific topics since v0.123.0; before, one `topic` for every signal.
      const perSignal = version[0] > 0 || version[1] >= 123;
      if (!perSignal && signals.length > 1) {
        return refuse(
          'a Kafka destination before otelcol-contrib v0.123.0 writes one topic: use it for one signal only',
        );
      }
      const only = signals[0] ?? 'logs';
      return {
        type: 'kafka',
        config: {
          brokers: c.brokers,
          protocol_version: c.protocolVersion,
          ...(perSignal
            ? Object.fromEntries(signals.map((s) => [s, { encoding: c.encoding, topic: c.topics[s] }]))
            : { encoding: c.encoding, topic: c.topics[only] }),
          ...(c.sasl === undefined ? {} : { auth: { sasl: { ...c.sasl } } }),
        },
      };
    },
  },
  alloy: {
    render: (c, { label, signals, version }) => {
      const perSignal = version[0] > 1 || version[1] >= 9;
      if (!perSignal && signals.length > 1) {
        return refuse('a Kafka destination before Alloy v1.9.0 writes one topic: use it for one signal only');
      }
      const only = signals[0] ?? 'logs';
      return {
        components: [
          {
            component: 'otelcol.exporter.kafka',
            label,
            body: [
              attr('brokers', c.brokers),
              attr('protocol_version', c.protocolVersion),
              ...(perSignal
                ? signals.map((s) => block(s, [attr('topic', c.topics[s]), attr('encoding', c.encoding)]))
                : [attr('topic', c.topics[only]), attr('encoding', c.encoding)]),
              ...(c.sasl === undefined
                ? []
                : [
                    block('authentication', [
                      block('sasl', [
                        attr('mechanism', c.sasl.mechanism),
                        attr('username', c.sasl.username),
                        attr('password', c.sasl.password),
                      ]),
                    ]),
                  ]),
            ],
          },
        ],
        input: `otelcol.exporter.kafka.${label}.input`,
      };
    },
  },
};

const clickhouseConfig = z.object({
  /** e.g. `tcp://clickhouse:9000` or `https://host:8443`. */
  endpoint: z
    .string()
    .regex(/^(tcp|clickhouse|http|https):\/\/[^\s]+$/, 'expected tcp://, clickhouse://, http:// or https://'),
  database: z.string().min(1).default('otel'),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  /** Row TTL in hours; 0 = keep forever. */
  ttlHours: z.number().int().min(0).default(0),
  createSchema: z.boolean().default(true),
});

export const clickhouseDestination: DestinationEntry<z.output<typeof clickhouseConfig>> = {
  kind: 'destination',
  type: 'clickhouse',
  title: 'ClickHouse',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: clickhouseConfig,
  secretFields: ['password'],
  otelcol: {
    render: (c) => ({
      type: 'clickhouse',
      config: {
        create_schema: c.createSchema,
        database: c.database,
        endpoint: c.endpoint,
        ...(c.password === undefined ? {} : { password: c.password }),
        ...(c.ttlHours > 0 ? { ttl: `${c.ttlHours}h` } : {}),
        ...(c.username === undefined ? {} : { username: c.username }),
      },
    }),
  },
  // Alloy ships no ClickHouse exporter: routes to it on Alloy are refused.
};

const awss3Config = z.object({
  region: z.string().min(1).default('us-east-1'),
  bucket: z.string().min(1),
  prefix: z.string().default(''),
  /** strftime layout of the partition path. */
  partitionFormat: z.string().min(1).default('year=%Y/month=%m/day=%d/hour=%H/minute=%M'),
  marshaler: z.enum(['otlp_json', 'otlp_proto']).default('otlp_json'),
});

export const awss3Destination: DestinationEntry<z.output<typeof awss3Config>> = {
  kind: 'destination',
  type: 'awss3',
  title: 'Amazon S3',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: awss3Config,
  // Credentials come from the host's AWS environment (role, profile), never from LinkMesh.
  secretFields: [],
  otelcol: {
    render: (c) => ({
      type: 'awss3',
      config: {
        marshaler: c.marshaler,
        s3uploader: {
          region: c.region,
          s3_bucket: c.bucket,
          s3_partition_format: c.partitionFormat,
          ...(c.prefix === '' ? {} : { s3_prefix: c.prefix }),
        },
      },
    }),
  },
  alloy: {
    render: (c, { label }) => ({
      components: [
        {
          component: 'otelcol.exporter.awss3',
          label,
          body: [
            block('s3_uploader', [
              attr('region', c.region),
              attr('s3_bucket', c.bucket),
              ...optionalAttr('s3_prefix', c.prefix === '' ? undefined : c.prefix),
              attr('s3_partition_format', c.partitionFormat),
            ]),
            block('marshaler', [attr('type', c.marshaler)]),
          ],
        },
      ],
      input: `otelcol.exporter.awss3.${label}.input`,
    }),
  },
};

const debugConfig = z.object({ verbosity: z.enum(['basic', 'normal', 'detailed']).default('basic') });

export const debugDestination: DestinationEntry<z.output<typeof debugConfig>> = {
  kind: 'destination',
  type: 'debug',
  title: 'Debug (collector log)',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: debugConfig,
  secretFields: [],
  otelcol: { render: (c) => ({ type: 'debug', config: { verbosity: c.verbosity } }) },
  alloy: {
    render: (c, { label }) => ({
      components: [{ component: 'otelcol.exporter.debug', label, body: [attr('verbosity', c.verbosity)] }],
      input: `otelcol.exporter.debug.${label}.input`,
    }),
  },
};

export const destinationEntries = [
  otlpDestination,
  otlphttpDestination,
  lokiDestination,
  prometheusRemoteWriteDestination,
  tempoDestination,
  grafanaCloudDestination,
  kafkaDestination,
  clickhouseDestination,
  awss3Destination,
  debugDestination,
] as const;
