import { z } from 'zod';
import { attr, block, optionalAttr, ref, type AlloyComponent } from '../alloy-writer.ts';
import { hostPort, seconds } from './fields.ts';
import { refuse, type SourceEntry } from './types.ts';

/**
 * Source types (OTel receivers). Alloy renders each as `otelcol.receiver.*` where one exists,
 * otherwise as the native component feeding an OTLP bridge (`loki.source.journal` →
 * `otelcol.receiver.loki`, `prometheus.scrape` → `otelcol.receiver.prometheus`); every component
 * of one source carries the source's label, so all of them map back to it.
 */

const otlpConfig = z
  .object({
    grpc: z
      .object({ enabled: z.boolean().default(true), endpoint: hostPort.default('0.0.0.0:4317') })
      .default({
        enabled: true,
        endpoint: '0.0.0.0:4317',
      }),
    http: z
      .object({ enabled: z.boolean().default(true), endpoint: hostPort.default('0.0.0.0:4318') })
      .default({
        enabled: true,
        endpoint: '0.0.0.0:4318',
      }),
  })
  .refine((c) => c.grpc.enabled || c.http.enabled, {
    message: 'enable grpc, http or both',
    path: ['grpc', 'enabled'],
  });

export const otlpSource: SourceEntry<z.output<typeof otlpConfig>> = {
  kind: 'source',
  type: 'otlp',
  title: 'OTLP (gRPC and/or HTTP)',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: otlpConfig,
  secretFields: [],
  otelcol: {
    render: (c) => ({
      type: 'otlp',
      config: {
        protocols: {
          ...(c.grpc.enabled ? { grpc: { endpoint: c.grpc.endpoint } } : {}),
          ...(c.http.enabled ? { http: { endpoint: c.http.endpoint } } : {}),
        },
      },
    }),
  },
  alloy: {
    render: (c, { label, output }) => [
      {
        component: 'otelcol.receiver.otlp',
        label,
        body: [
          ...(c.grpc.enabled ? [block('grpc', [attr('endpoint', c.grpc.endpoint)])] : []),
          ...(c.http.enabled ? [block('http', [attr('endpoint', c.http.endpoint)])] : []),
          output,
        ],
      },
    ],
  },
};

const syslogConfig = z.object({
  protocol: z.enum(['rfc5424', 'rfc3164']).default('rfc5424'),
  transport: z.enum(['udp', 'tcp']).default('udp'),
  listenAddress: hostPort.default('0.0.0.0:5514'),
});

export const syslogSource: SourceEntry<z.output<typeof syslogConfig>> = {
  kind: 'source',
  type: 'syslog',
  title: 'Syslog (RFC 5424 / RFC 3164)',
  signals: ['logs'],
  configSchema: syslogConfig,
  secretFields: [],
  otelcol: {
    render: (c) => ({
      type: 'syslog',
      config: { protocol: c.protocol, [c.transport]: { listen_address: c.listenAddress } },
    }),
  },
  alloy: {
    render: (c, { label, output }) => [
      {
        component: 'otelcol.receiver.syslog',
        label,
        body: [
          attr('protocol', c.protocol),
          block(c.transport, [attr('listen_address', c.listenAddress)]),
          output,
        ],
      },
    ],
  },
};

const filelogConfig = z.object({
  include: z.array(z.string().min(1)).min(1, 'list at least one file glob'),
  exclude: z.array(z.string().min(1)).default([]),
  startAt: z.enum(['end', 'beginning']).default('end'),
});

export const filelogSource: SourceEntry<z.output<typeof filelogConfig>> = {
  kind: 'source',
  type: 'filelog',
  title: 'File tail',
  signals: ['logs'],
  configSchema: filelogConfig,
  secretFields: [],
  otelcol: {
    render: (c) => ({
      type: 'filelog',
      config: {
        include: c.include,
        ...(c.exclude.length > 0 ? { exclude: c.exclude } : {}),
        start_at: c.startAt,
      },
    }),
  },
  alloy: {
    render: (c, { label, output }) => [
      {
        component: 'otelcol.receiver.filelog',
        label,
        body: [
          attr('include', c.include),
          ...optionalAttr('exclude', c.exclude),
          attr('start_at', c.startAt),
          output,
        ],
      },
    ],
  },
};

/** syslog severities in journald's numbering (PRIORITY=0 is emerg). */
const journaldPriorities = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

const journaldConfig = z.object({
  /** systemd units to read; empty = every unit. */
  units: z.array(z.string().min(1)).default([]),
  /** Least severe priority kept (the receiver's own default is `info`). */
  priority: z.enum(journaldPriorities).default('info'),
  /** Journal directory; absent = the system journal. */
  directory: z.string().min(1).optional(),
});

export const journaldSource: SourceEntry<z.output<typeof journaldConfig>> = {
  kind: 'source',
  type: 'journald',
  title: 'systemd journal',
  signals: ['logs'],
  configSchema: journaldConfig,
  secretFields: [],
  otelcol: {
    render: (c) => ({
      type: 'journald',
      config: {
        ...(c.directory === undefined ? {} : { directory: c.directory }),
        priority: c.priority,
        ...(c.units.length > 0 ? { units: c.units } : {}),
      },
    }),
  },
  alloy: {
    // Alloy has no journald receiver in otelcol form: loki.source.journal feeds an OTLP bridge.
    // Its `matches` go to sd_journal_add_match one by one, so several values of one field are
    // alternatives and different fields must all match (systemd's rule) — units OR'd, AND a
    // priority among 0…n.
    render: (c, { label, output }) => {
      const rank = journaldPriorities.indexOf(c.priority);
      const matches = [
        ...c.units.map((unit) => `_SYSTEMD_UNIT=${unit}`),
        ...(rank === journaldPriorities.length - 1
          ? []
          : Array.from({ length: rank + 1 }, (_, p) => `PRIORITY=${p}`)),
      ];
      if (matches.some((m) => /\s/.test(m)))
        return refuse('a journald unit name cannot contain whitespace on Alloy');
      const components: AlloyComponent[] = [
        {
          component: 'loki.source.journal',
          label,
          body: [
            attr('forward_to', [ref(`otelcol.receiver.loki.${label}.receiver`)]),
            ...optionalAttr('matches', matches.length > 0 ? matches.join(' ') : undefined),
            ...optionalAttr('path', c.directory),
          ],
        },
        { component: 'otelcol.receiver.loki', label, body: [output] },
      ];
      return components;
    },
  },
};

const prometheusConfig = z.object({
  /** `host:port` targets scraped over HTTP. */
  targets: z.array(hostPort).min(1, 'list at least one scrape target'),
  scrapeIntervalSeconds: z.number().int().min(1).max(3600).default(30),
  metricsPath: z.string().startsWith('/').default('/metrics'),
  /** The `job` label; defaults to the source's label. */
  jobName: z.string().min(1).optional(),
});

export const prometheusSource: SourceEntry<z.output<typeof prometheusConfig>> = {
  kind: 'source',
  type: 'prometheus',
  title: 'Prometheus scrape',
  signals: ['metrics'],
  configSchema: prometheusConfig,
  secretFields: [],
  otelcol: {
    render: (c, { label }) => ({
      type: 'prometheus',
      config: {
        config: {
          scrape_configs: [
            {
              job_name: c.jobName ?? label,
              metrics_path: c.metricsPath,
              scrape_interval: seconds(c.scrapeIntervalSeconds),
              static_configs: [{ targets: c.targets }],
            },
          ],
        },
      },
    }),
  },
  alloy: {
    render: (c, { label, output }) => [
      {
        component: 'prometheus.scrape',
        label,
        body: [
          attr(
            'targets',
            c.targets.map((t) => ({ map: { __address__: t } })),
          ),
          attr('job_name', c.jobName ?? label),
          attr('metrics_path', c.metricsPath),
          attr('scrape_interval', seconds(c.scrapeIntervalSeconds)),
          attr('forward_to', [ref(`otelcol.receiver.prometheus.${label}.receiver`)]),
        ],
      },
      { component: 'otelcol.receiver.prometheus', label, body: [output] },
    ],
  },
};

/** hostmetrics scrapers and the node_exporter collectors that cover the same ground. */
const hostScrapers = {
  cpu: 'cpu',
  memory: 'meminfo',
  disk: 'diskstats',
  filesystem: 'filesystem',
  load: 'loadavg',
  network: 'netdev',
  paging: 'vmstat',
} as const;

const hostmetricsConfig = z.object({
  collectionIntervalSeconds: z.number().int().min(1).max(3600).default(60),
  scrapers: z
    .array(z.enum(Object.keys(hostScrapers) as [keyof typeof hostScrapers, ...(keyof typeof hostScrapers)[]]))
    .min(1, 'pick at least one scraper')
    .default(['cpu', 'memory', 'load']),
});

export const hostmetricsSource: SourceEntry<z.output<typeof hostmetricsConfig>> = {
  kind: 'source',
  type: 'hostmetrics',
  title: 'Host metrics',
  signals: ['metrics'],
  configSchema: hostmetricsConfig,
  secretFields: [],
  otelcol: {
    render: (c) => ({
      type: 'hostmetrics',
      config: {
        collection_interval: seconds(c.collectionIntervalSeconds),
        scrapers: Object.fromEntries([...new Set(c.scrapers)].sort().map((s) => [s, {}])),
      },
    }),
  },
  alloy: {
    // Alloy's default engine has no otelcol.receiver.hostmetrics: node_exporter's collectors,
    // scraped and bridged to OTLP (metric names are node_exporter's, not hostmetrics').
    render: (c, { label, output }) => [
      {
        component: 'prometheus.exporter.unix',
        label,
        body: [
          attr(
            'set_collectors',
            [...new Set(c.scrapers)].sort().map((s) => hostScrapers[s]),
          ),
        ],
      },
      {
        component: 'prometheus.scrape',
        label,
        body: [
          attr('targets', ref(`prometheus.exporter.unix.${label}.targets`)),
          attr('scrape_interval', seconds(c.collectionIntervalSeconds)),
          attr('forward_to', [ref(`otelcol.receiver.prometheus.${label}.receiver`)]),
        ],
      },
      { component: 'otelcol.receiver.prometheus', label, body: [output] },
    ],
  },
};

const kafkaSourceConfig = z.object({
  brokers: z.array(hostPort).min(1, 'list at least one broker'),
  topics: z
    .object({
      logs: z.string().min(1).default('otlp_logs'),
      metrics: z.string().min(1).default('otlp_metrics'),
      traces: z.string().min(1).default('otlp_spans'),
    })
    .default({ logs: 'otlp_logs', metrics: 'otlp_metrics', traces: 'otlp_spans' }),
  encoding: z.enum(['otlp_proto', 'otlp_json']).default('otlp_proto'),
  groupId: z.string().min(1).default('otel-collector'),
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

export const kafkaSource: SourceEntry<z.output<typeof kafkaSourceConfig>> = {
  kind: 'source',
  type: 'kafka',
  title: 'Kafka',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: kafkaSourceConfig,
  secretFields: ['sasl.password'],
  otelcol: {
    render: (c, { signals, version }) => {
      // Signal-specific topic/encoding came with v0.123.0 (contrib PR #38985); before, one
      // `topic` served every signal, which only works for a single one.
      const perSignal = version[0] > 0 || version[1] >= 123;
      if (!perSignal && signals.length > 1) {
        return refuse(
          'a Kafka source before otelcol-contrib v0.123.0 reads one topic: use it for one signal only',
        );
      }
      const only = signals[0] ?? 'logs';
      return {
        type: 'kafka',
        config: {
          brokers: c.brokers,
          group_id: c.groupId,
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
    render: (c, { label, output, signals, version }) => {
      // Alloy's `logs { … }` style blocks arrived in v1.9.0.
      const perSignal = version[0] > 1 || version[1] >= 9;
      if (!perSignal && signals.length > 1) {
        return refuse('a Kafka source before Alloy v1.9.0 reads one topic: use it for one signal only');
      }
      const only = signals[0] ?? 'logs';
      return [
        {
          component: 'otelcol.receiver.kafka',
          label,
          body: [
            attr('brokers', c.brokers),
            attr('protocol_version', c.protocolVersion),
            attr('group_id', c.groupId),
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
            output,
          ],
        },
      ];
    },
  },
};

export const sourceEntries = [
  otlpSource,
  syslogSource,
  filelogSource,
  journaldSource,
  prometheusSource,
  hostmetricsSource,
  kafkaSource,
] as const;
