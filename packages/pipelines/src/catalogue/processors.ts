import { z } from 'zod';
import { attr, block, optionalAttr, type AlloyNode } from '../alloy-writer.ts';
import { milliseconds, seconds } from './fields.ts';
import type { ProcessorEntry } from './types.ts';

/** Processor types: the steps of a pipeline, rendered per route as `<type>/rt_<t>_<n>`. */

const batchConfig = z.object({
  timeoutMilliseconds: z.number().int().min(1).max(600_000).default(200),
  sendBatchSize: z.number().int().min(1).default(8192),
  /** 0 = no upper bound. */
  sendBatchMaxSize: z.number().int().min(0).default(0),
});

export const batchProcessor: ProcessorEntry<z.output<typeof batchConfig>> = {
  kind: 'processor',
  type: 'batch',
  title: 'Batch',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: batchConfig,
  secretFields: [],
  otelcol: {
    render: (c) => ({
      type: 'batch',
      config: {
        send_batch_max_size: c.sendBatchMaxSize,
        send_batch_size: c.sendBatchSize,
        timeout: milliseconds(c.timeoutMilliseconds),
      },
    }),
  },
  alloy: {
    render: (c, { label, output }) => ({
      component: 'otelcol.processor.batch',
      label,
      body: [
        attr('timeout', milliseconds(c.timeoutMilliseconds)),
        attr('send_batch_size', c.sendBatchSize),
        attr('send_batch_max_size', c.sendBatchMaxSize),
        output,
      ],
    }),
  },
};

const memoryLimiterConfig = z
  .object({
    checkIntervalSeconds: z.number().int().min(1).max(60).default(1),
    limitPercentage: z.number().int().min(1).max(100).default(80),
    spikeLimitPercentage: z.number().int().min(0).max(100).default(20),
  })
  .refine((c) => c.spikeLimitPercentage < c.limitPercentage, {
    message: 'spikeLimitPercentage must be below limitPercentage',
    path: ['spikeLimitPercentage'],
  });

export const memoryLimiterProcessor: ProcessorEntry<z.output<typeof memoryLimiterConfig>> = {
  kind: 'processor',
  type: 'memory_limiter',
  title: 'Memory limiter',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: memoryLimiterConfig,
  secretFields: [],
  otelcol: {
    render: (c) => ({
      type: 'memory_limiter',
      config: {
        check_interval: seconds(c.checkIntervalSeconds),
        limit_percentage: c.limitPercentage,
        spike_limit_percentage: c.spikeLimitPercentage,
      },
    }),
  },
  alloy: {
    render: (c, { label, output }) => ({
      component: 'otelcol.processor.memory_limiter',
      label,
      body: [
        attr('check_interval', seconds(c.checkIntervalSeconds)),
        attr('limit_percentage', c.limitPercentage),
        attr('spike_limit_percentage', c.spikeLimitPercentage),
        output,
      ],
    }),
  },
};

const errorMode = z.enum(['ignore', 'silent', 'propagate']).default('ignore');
const conditions = z.array(z.string().min(1)).default([]);

/** OTTL conditions; a record matching any of them is dropped. Also a pipeline's output filter. */
export const filterConfig = z
  .object({
    errorMode,
    logs: z.object({ logRecord: conditions }).default({ logRecord: [] }),
    metrics: z.object({ metric: conditions, datapoint: conditions }).default({ metric: [], datapoint: [] }),
    traces: z.object({ span: conditions, spanevent: conditions }).default({ span: [], spanevent: [] }),
  })
  .refine(
    (c) =>
      c.logs.logRecord.length +
        c.metrics.metric.length +
        c.metrics.datapoint.length +
        c.traces.span.length +
        c.traces.spanevent.length >
      0,
    { message: 'give at least one OTTL condition', path: ['logs', 'logRecord'] },
  );
export type FilterConfig = z.output<typeof filterConfig>;

function filterSections(c: FilterConfig): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  const put = (signal: string, context: string, list: string[]) => {
    if (list.length > 0) (sections[signal] ??= {})[context] = list;
  };
  put('logs', 'log_record', c.logs.logRecord);
  put('metrics', 'datapoint', c.metrics.datapoint);
  put('metrics', 'metric', c.metrics.metric);
  put('traces', 'span', c.traces.span);
  put('traces', 'spanevent', c.traces.spanevent);
  return sections;
}

export function renderFilterOtel(c: FilterConfig): { type: string; config: Record<string, unknown> } {
  return { type: 'filter', config: { error_mode: c.errorMode, ...filterSections(c) } };
}

export function renderFilterAlloyBody(c: FilterConfig): AlloyNode[] {
  return [
    attr('error_mode', c.errorMode),
    ...Object.entries(filterSections(c)).map(([signal, contexts]) =>
      block(
        signal,
        Object.entries(contexts).map(([context, list]) => attr(context, list)),
      ),
    ),
  ];
}

export const filterProcessor: ProcessorEntry<FilterConfig> = {
  kind: 'processor',
  type: 'filter',
  title: 'Filter (OTTL conditions, matching records are dropped)',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: filterConfig,
  secretFields: [],
  otelcol: { render: (c) => renderFilterOtel(c) },
  alloy: {
    render: (c, { label, output }) => ({
      component: 'otelcol.processor.filter',
      label,
      body: [...renderFilterAlloyBody(c), output],
    }),
  },
};

const statementGroup = <C extends readonly [string, ...string[]]>(contexts: C) =>
  z.array(
    z.object({
      context: z.enum(contexts),
      statements: z.array(z.string().min(1)).min(1, 'give at least one OTTL statement'),
    }),
  );

const transformConfig = z
  .object({
    errorMode,
    logStatements: statementGroup(['resource', 'scope', 'log'] as const).default([]),
    metricStatements: statementGroup(['resource', 'scope', 'metric', 'datapoint'] as const).default([]),
    traceStatements: statementGroup(['resource', 'scope', 'span', 'spanevent'] as const).default([]),
  })
  .refine((c) => c.logStatements.length + c.metricStatements.length + c.traceStatements.length > 0, {
    message: 'give at least one statement group',
    path: ['logStatements'],
  });

const transformGroups = [
  ['logStatements', 'log_statements'],
  ['metricStatements', 'metric_statements'],
  ['traceStatements', 'trace_statements'],
] as const;

export const transformProcessor: ProcessorEntry<z.output<typeof transformConfig>> = {
  kind: 'processor',
  type: 'transform',
  title: 'Transform (OTTL statements)',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: transformConfig,
  secretFields: [],
  otelcol: {
    render: (c) => ({
      type: 'transform',
      config: {
        error_mode: c.errorMode,
        ...Object.fromEntries(
          transformGroups
            .filter(([key]) => c[key].length > 0)
            .map(([key, name]) => [
              name,
              c[key].map((g) => ({ context: g.context, statements: g.statements })),
            ]),
        ),
      },
    }),
  },
  alloy: {
    render: (c, { label, output }) => ({
      component: 'otelcol.processor.transform',
      label,
      body: [
        attr('error_mode', c.errorMode),
        ...transformGroups.flatMap(([key, name]) =>
          c[key].map((g) => block(name, [attr('context', g.context), attr('statements', g.statements)])),
        ),
        output,
      ],
    }),
  },
};

const redactionConfig = z.object({
  /** Keep every attribute key (only values are masked); false = drop keys not in allowedKeys. */
  allowAllKeys: z.boolean().default(true),
  allowedKeys: z.array(z.string().min(1)).default([]),
  /** Regular expressions; matching value substrings are masked. */
  blockedValues: z.array(z.string().min(1)).default([]),
  ignoredKeys: z.array(z.string().min(1)).default([]),
  summary: z.enum(['silent', 'info', 'debug']).default('silent'),
});

export const redactionProcessor: ProcessorEntry<z.output<typeof redactionConfig>> = {
  kind: 'processor',
  type: 'redaction',
  title: 'Mask / redact',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: redactionConfig,
  secretFields: [],
  otelcol: {
    render: (c) => ({
      type: 'redaction',
      config: {
        allow_all_keys: c.allowAllKeys,
        ...(c.allowedKeys.length > 0 ? { allowed_keys: c.allowedKeys } : {}),
        ...(c.blockedValues.length > 0 ? { blocked_values: c.blockedValues } : {}),
        ...(c.ignoredKeys.length > 0 ? { ignored_keys: c.ignoredKeys } : {}),
        summary: c.summary,
      },
    }),
  },
  alloy: {
    render: (c, { label, output }) => ({
      component: 'otelcol.processor.redaction',
      label,
      body: [
        attr('allow_all_keys', c.allowAllKeys),
        ...optionalAttr('allowed_keys', c.allowedKeys),
        ...optionalAttr('blocked_values', c.blockedValues),
        ...optionalAttr('ignored_keys', c.ignoredKeys),
        attr('summary', c.summary),
        output,
      ],
    }),
  },
};

const keyValueAction = (actions: readonly [string, ...string[]]) =>
  z
    .object({
      key: z.string().min(1),
      action: z.enum(actions),
      value: z.string().optional(),
    })
    .refine((a) => a.action === 'delete' || a.action === 'hash' || a.value !== undefined, {
      message: 'this action needs a value',
      path: ['value'],
    });

const attributesConfig = z.object({
  actions: z
    .array(keyValueAction(['insert', 'update', 'upsert', 'delete', 'hash']))
    .min(1, 'give at least one action'),
});

const otelActions = (actions: readonly { key: string; action: string; value?: string | undefined }[]) =>
  actions.map((a) => ({
    action: a.action,
    key: a.key,
    ...(a.value === undefined ? {} : { value: a.value }),
  }));

export const attributesProcessor: ProcessorEntry<z.output<typeof attributesConfig>> = {
  kind: 'processor',
  type: 'attributes',
  title: 'Enrich / attributes',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: attributesConfig,
  secretFields: [],
  otelcol: { render: (c) => ({ type: 'attributes', config: { actions: otelActions(c.actions) } }) },
  alloy: {
    render: (c, { label, output }) => ({
      component: 'otelcol.processor.attributes',
      label,
      body: [
        ...c.actions.map((a) =>
          block('action', [attr('key', a.key), ...optionalAttr('value', a.value), attr('action', a.action)]),
        ),
        output,
      ],
    }),
  },
};

const resourceConfig = z.object({
  actions: z
    .array(keyValueAction(['insert', 'update', 'upsert', 'delete']))
    .min(1, 'give at least one action'),
});

/** OTTL for one resource action (Alloy has no resource processor; transform does the same). */
function resourceStatement(a: { key: string; action: string; value?: string | undefined }): string {
  const target = `resource.attributes[${JSON.stringify(a.key)}]`;
  const value = JSON.stringify(a.value ?? '');
  switch (a.action) {
    case 'insert':
      return `set(${target}, ${value}) where ${target} == nil`;
    case 'update':
      return `set(${target}, ${value}) where ${target} != nil`;
    case 'upsert':
      return `set(${target}, ${value})`;
    default:
      return `delete_key(resource.attributes, ${JSON.stringify(a.key)})`;
  }
}

export const resourceProcessor: ProcessorEntry<z.output<typeof resourceConfig>> = {
  kind: 'processor',
  type: 'resource',
  title: 'Resource attributes',
  signals: ['logs', 'metrics', 'traces'],
  configSchema: resourceConfig,
  secretFields: [],
  otelcol: { render: (c) => ({ type: 'resource', config: { attributes: otelActions(c.actions) } }) },
  alloy: {
    render: (c, { label, output, signals }) => {
      const statements = c.actions.map(resourceStatement);
      const groups = {
        logs: 'log_statements',
        metrics: 'metric_statements',
        traces: 'trace_statements',
      } as const;
      return {
        component: 'otelcol.processor.transform',
        label,
        body: [
          attr('error_mode', 'ignore'),
          ...signals.map((s) =>
            block(groups[s], [attr('context', 'resource'), attr('statements', statements)]),
          ),
          output,
        ],
      };
    },
  },
};

const samplerConfig = z.object({
  samplingPercentage: z.number().min(0).max(100),
  hashSeed: z.number().int().min(0).max(4_294_967_295).default(0),
});

export const probabilisticSamplerProcessor: ProcessorEntry<z.output<typeof samplerConfig>> = {
  kind: 'processor',
  type: 'probabilistic_sampler',
  title: 'Probabilistic sampling',
  signals: ['logs', 'traces'],
  configSchema: samplerConfig,
  secretFields: [],
  otelcol: {
    render: (c) => ({
      type: 'probabilistic_sampler',
      config: { hash_seed: c.hashSeed, sampling_percentage: c.samplingPercentage },
    }),
  },
  alloy: {
    render: (c, { label, output }) => ({
      component: 'otelcol.processor.probabilistic_sampler',
      label,
      body: [attr('sampling_percentage', c.samplingPercentage), attr('hash_seed', c.hashSeed), output],
    }),
  },
};

export const processorEntries = [
  batchProcessor,
  memoryLimiterProcessor,
  filterProcessor,
  transformProcessor,
  redactionProcessor,
  attributesProcessor,
  resourceProcessor,
  probabilisticSamplerProcessor,
] as const;
