import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { baselineOtelConfig } from '../../../apps/server/src/domain/opamp/baseline-config.ts';
import { catalogue } from './catalogue/index.ts';
import {
  destinationLabel,
  objectToken,
  otelComponentId,
  parseComponentId,
  routeOutputFilterLabel,
  routePipelineId,
  routeStepLabel,
} from './component-ids.ts';
import { renderOtelBaseline } from './render-otel.ts';
import type { RenderInput, ResolvedRoute } from './render-input.ts';
import { checkOtelConfig } from './structure-checks.ts';
import {
  collectorId,
  debugDestination,
  otlpSource,
  route,
  routeFor,
  selfTelemetry,
  typed,
  uuid,
} from './testing/fixtures.ts';
import { assertGolden } from './testing/golden.ts';
import { goldenText, renderOtelChecked } from './testing/render-checked.ts';

const input = (routes: readonly ResolvedRoute[], version?: string): RenderInput => ({
  collector: { id: collectorId, runtime: 'otelcol', ...(version === undefined ? {} : { version }) },
  routes,
  selfTelemetry,
});

const yamlOf = (text: string) => parseYaml(text) as Record<string, Record<string, Record<string, unknown>>>;

function rendered(routes: readonly ResolvedRoute[], version?: string): string {
  const result = renderOtelChecked(input(routes, version));
  assert.ok(result.ok, JSON.stringify(!result.ok && result.refusals));
  return result.text;
}

describe('renderOtelConfig: one golden per catalogue type', () => {
  for (const [kind, entries] of [
    ['source', catalogue.sources],
    ['processor', catalogue.processors],
    ['destination', catalogue.destinations],
  ] as const) {
    for (const entry of entries) {
      it(`renders the ${kind} ${entry.type}`, () => {
        const result = renderOtelChecked(input([routeFor(kind, entry.type)]));
        assert.ok(result.ok, goldenText(result));
        assertGolden(`otelcol/${kind}-${entry.type}.yaml`, result.text);
      });
    }
  }
});

describe('renderOtelConfig: several routes on one collector', () => {
  const logsOnly = typed(20, 'loki', { url: 'http://loki:3100' }, 'loki');
  const metricsOnly = typed(21, 'prometheusremotewrite', { url: 'http://mimir:9009/api/v1/push' }, 'mimir');
  const batch = { type: 'batch', config: {} };
  const pipeline = {
    id: uuid(30),
    name: 'standard',
    processors: [{ type: 'memory_limiter', config: {} }, batch],
    outputFilter: { logs: { logRecord: ['IsMatch(body, "healthz")'] } },
  };
  const routes = [
    route(41, otlpSource, [logsOnly, metricsOnly], pipeline, 'apps-to-loki-and-mimir'),
    route(40, otlpSource, [debugDestination, logsOnly], undefined, 'apps-to-debug'),
    route(42, typed(3, 'hostmetrics', {}, 'host'), [metricsOnly], {
      id: uuid(31),
      name: 'batched',
      processors: [batch],
    }),
  ];
  const text = rendered(routes);
  const doc = yamlOf(text);

  it('matches its golden', () => assertGolden('otelcol/multi-route.yaml', text));

  it('renders a source used by two routes as one receiver listed in both routes’ pipelines', () => {
    const otlpReceivers = Object.keys(doc['receivers'] ?? {}).filter((id) => id.startsWith('otlp/'));
    assert.equal(otlpReceivers.length, 1);
    const pipelines = doc['service']?.['pipelines'] as Record<string, { receivers: string[] }>;
    const using = Object.entries(pipelines).filter(([, p]) => p.receivers.includes(otlpReceivers[0] ?? ''));
    assert.deepEqual(
      using
        .map(([name]) => parseComponentId(name))
        .map((p) => (p.kind === 'route' ? `${p.signal}:${p.routeId}` : p.kind)),
      [
        `logs:${uuid(40)}`,
        `metrics:${uuid(40)}`,
        `traces:${uuid(40)}`,
        `logs:${uuid(41)}`,
        `metrics:${uuid(41)}`,
      ],
    );
  });

  it('renders a destination used by two routes as one exporter', () => {
    const lokiExporters = Object.keys(doc['exporters'] ?? {}).filter(
      (id) => parseComponentId(id).kind === 'destination',
    );
    assert.equal(lokiExporters.length, 3);
    assert.equal(new Set(lokiExporters.map((id) => JSON.stringify(parseComponentId(id)))).size, 3);
  });

  it('splits a route per signal, each pipeline exporting only to the destinations that take it', () => {
    const pipelines = doc['service']?.['pipelines'] as Record<
      string,
      { processors?: string[]; exporters: string[] }
    >;
    const r = (n: number, signal: 'logs' | 'metrics' | 'traces') => routePipelineId(uuid(n), signal);
    assert.deepEqual(pipelines[r(41, 'logs')]?.exporters, [
      otelComponentId('otlphttp', destinationLabel(uuid(20))),
    ]);
    assert.deepEqual(pipelines[r(41, 'metrics')]?.exporters, [
      otelComponentId('prometheusremotewrite', destinationLabel(uuid(21))),
    ]);
    assert.equal(pipelines[r(41, 'traces')], undefined, 'neither destination takes traces');
    assert.deepEqual(pipelines[r(41, 'logs')]?.processors, [
      otelComponentId('memory_limiter', routeStepLabel(uuid(41), 1)),
      otelComponentId('batch', routeStepLabel(uuid(41), 2)),
      otelComponentId('filter', routeOutputFilterLabel(uuid(41))),
    ]);
    assert.deepEqual(
      Object.keys(pipelines).filter((p) => p.endsWith(objectToken(uuid(42)))),
      [r(42, 'metrics')],
    );
  });

  it('names each route its own processors even when routes share a pipeline object', () => {
    const shared = rendered([
      route(50, otlpSource, [debugDestination], pipeline),
      route(51, otlpSource, [debugDestination], pipeline),
    ]);
    const steps = Object.keys(yamlOf(shared)['processors'] ?? {}).map((id) => parseComponentId(id));
    assert.equal(steps.length, 6);
    assert.deepEqual(
      new Set(steps.map((s) => (s.kind === 'processor' || s.kind === 'output_filter' ? s.routeId : ''))),
      new Set([uuid(50), uuid(51)]),
    );
  });

  it('carries the host source in every config', () => {
    assert.ok('hostmetrics/linkmesh' in (doc['receivers'] ?? {}));
    assert.deepEqual((doc['service']?.['pipelines'] as Record<string, unknown>)['metrics/linkmesh_host'], {
      receivers: ['hostmetrics/linkmesh'],
      exporters: ['otlphttp/linkmesh'],
    });
  });
});

describe('renderOtelConfig: determinism', () => {
  const dst = (n: number, headers: Record<string, string>) =>
    typed(n, 'otlphttp', { endpoint: 'https://a.example.com', headers });
  const a = [
    route(60, otlpSource, [dst(61, { 'X-A': '1', 'X-B': '2' }), debugDestination]),
    route(62, typed(4, 'syslog', {}), [dst(61, { 'X-A': '1', 'X-B': '2' })]),
  ];
  const b = [
    route(62, typed(4, 'syslog', {}), [dst(61, { 'X-B': '2', 'X-A': '1' })]),
    route(60, otlpSource, [debugDestination, dst(61, { 'X-B': '2', 'X-A': '1' })]),
  ];

  it('gives byte-identical text and the same hash whatever order routes, destinations and keys come in', () => {
    const first = renderOtelChecked(input(a));
    const second = renderOtelChecked(input(b));
    assert.ok(first.ok && second.ok);
    assert.equal(first.text, second.text);
    assert.equal(first.hashHex, second.hashHex);
    assert.match(first.hashHex, /^[0-9a-f]{64}$/);
  });

  it('changes the hash when anything rendered changes', () => {
    const first = renderOtelChecked(input(a));
    const other = renderOtelChecked(input([route(60, otlpSource, [debugDestination])]));
    assert.ok(first.ok && other.ok);
    assert.notEqual(first.hashHex, other.hashHex);
  });

  it('escapes $ so the collector expands nothing the operator typed', () => {
    const text = rendered([route(63, otlpSource, [dst(64, { 'X-Key': '${env:HOME}' })])]);
    assert.match(text, /X-Key: \$\$\{env:HOME\}/);
  });
});

describe('renderOtelConfig: versions', () => {
  const loki = typed(70, 'loki', { url: 'http://loki:3100/' });
  const lokiRoute = route(71, typed(5, 'filelog', { include: ['/var/log/*.log'] }), [loki]);
  const exporterOf = (version?: string) =>
    Object.keys(yamlOf(rendered([lokiRoute], version))['exporters'] ?? {})[0];

  it('uses the loki exporter where the collector still ships it', () => {
    assert.match(exporterOf('0.130.0') ?? '', /^loki\/dst_/);
    assert.match(exporterOf('v0.121.0') ?? '', /^loki\/dst_/);
    assertGolden('otelcol/destination-loki-v0.130.yaml', rendered([lokiRoute], '0.130.0'));
  });

  it('sends to Loki’s OTLP endpoint from v0.131 on, in v0.122, and when the version is unknown', () => {
    for (const version of ['0.131.0', '0.122.1', '0.159.0', undefined, 'not-a-version']) {
      assert.match(exporterOf(version) ?? '', /^otlphttp\/dst_/, String(version));
    }
    const doc = yamlOf(rendered([lokiRoute], '0.131.0'));
    assert.equal(Object.values(doc['exporters'] ?? {})[0]?.['endpoint'], 'http://loki:3100/otlp');
  });

  it('refuses a component the collector’s version does not ship, naming the route', () => {
    const result = renderOtelChecked(input([route(72, otlpSource, [debugDestination])], '0.95.0'));
    assert.ok(result.ok, 'debug is in every version read');
    const kafka = typed(73, 'kafka', { brokers: ['k:9092'] });
    const old = renderOtelChecked(input([route(74, otlpSource, [kafka], undefined, 'to-kafka')], '0.120.0'));
    assert.equal(old.ok, false);
    assert.match(
      goldenText(old),
      /route "to-kafka" .*: destination "kafka" \(kafka\): .*before otelcol-contrib v0\.123\.0/,
    );
    const single = renderOtelChecked(input([route(75, typed(6, 'syslog', {}), [kafka])], '0.120.0'));
    assert.ok(single.ok);
    assert.match(single.text, /topic: otlp_logs/);
  });
});

describe('renderOtelConfig: refusals', () => {
  it('refuses a route with no signal common to source, steps and destinations', () => {
    const result = renderOtelChecked(
      input([
        route(
          80,
          typed(7, 'hostmetrics', {}),
          [typed(81, 'loki', { url: 'http://l:3100' })],
          undefined,
          'host-to-loki',
        ),
      ]),
    );
    assert.ok(!result.ok);
    assert.equal(result.refusals[0]?.routeId, uuid(80));
    assert.match(goldenText(result), /route "host-to-loki" .*no signal is carried end to end/);
  });

  it('refuses a destination the route can send nothing to', () => {
    const sampled = {
      id: uuid(82),
      name: 'sampled',
      processors: [{ type: 'probabilistic_sampler', config: { samplingPercentage: 10 } }],
    };
    const result = renderOtelChecked(
      input([
        route(
          83,
          otlpSource,
          [debugDestination, typed(84, 'prometheusremotewrite', { url: 'http://m/api' })],
          sampled,
        ),
      ]),
    );
    assert.equal(result.ok, false);
    assert.match(
      goldenText(result),
      /destination "prometheusremotewrite" \(prometheusremotewrite\) takes metrics, which this route does not carry \(logs\/traces\)/,
    );
  });

  it('refuses an invalid config, naming the field, and reports every refused route', () => {
    const result = renderOtelChecked(
      input([
        route(85, otlpSource, [typed(86, 'otlphttp', { endpoint: 'not a url' })], undefined, 'bad-endpoint'),
        route(87, typed(8, 'filelog', {}), [debugDestination], undefined, 'no-include'),
      ]),
    );
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.refusals.map((r) => r.routeId),
      [uuid(85), uuid(87)],
    );
    assert.match(result.refusals[0]?.message ?? '', /config\.endpoint: expected an http/);
    assert.match(result.refusals[1]?.message ?? '', /config\.include/);
  });

  it('refuses an Alloy collector', () => {
    const result = renderOtelChecked({
      ...input([routeFor('source', 'otlp')]),
      collector: { id: 'c', runtime: 'alloy' },
    });
    assert.equal(result.ok, false);
  });
});

describe('renderOtelConfig: the baseline', () => {
  it('renders the baseline when no enabled route targets the collector, with the host source', () => {
    const disabled = { ...route(90, otlpSource, [debugDestination]), enabled: false };
    const result = renderOtelChecked(input([disabled]));
    assert.ok(result.ok);
    assert.equal(result.text, renderOtelBaseline({ collectorId, selfTelemetry }));
    assertGolden('otelcol/baseline.yaml', result.text);
  });

  it('keeps the server’s baseline text, only adding the host pipeline, and never service::telemetry', () => {
    const withoutHost = baselineOtelConfig('c-1');
    assert.equal(
      withoutHost,
      [
        '# Rendered by LinkMesh for collector c-1.',
        '# Baseline: no pipeline targets this collector yet.',
        'receivers:',
        '  nop: {}',
        'exporters:',
        '  nop: {}',
        'service:',
        '  pipelines:',
        '    metrics/linkmesh-baseline:',
        '      receivers: [nop]',
        '      exporters: [nop]',
        '',
      ].join('\n'),
    );
    const withHost = baselineOtelConfig('c-1', selfTelemetry);
    const doc = yamlOf(withHost);
    assert.equal(doc['service']?.['telemetry'], undefined);
    assert.deepEqual(doc['exporters']?.['otlphttp/linkmesh'], {
      compression: 'gzip',
      endpoint: 'https://fleet.example.com',
      headers: { Authorization: 'Bearer lmct_test_bearer' },
    });
    assert.deepEqual(doc['receivers']?.['hostmetrics/linkmesh'], {
      collection_interval: '30s',
      scrapers: {
        cpu: {
          metrics: { 'system.cpu.time': { enabled: false }, 'system.cpu.utilization': { enabled: true } },
        },
        memory: {
          metrics: {
            'system.memory.usage': { enabled: false },
            'system.memory.utilization': { enabled: true },
          },
        },
      },
    });
    assert.deepEqual(checkOtelConfig(withHost), []);
  });
});

describe('checkOtelConfig', () => {
  const good = rendered([routeFor('destination', 'debug')]);
  it('passes a rendered config and fails broken ones, saying why', () => {
    assert.deepEqual(checkOtelConfig(good), []);
    const cases: [string, RegExp][] = [
      ['receivers: [\n', /does not parse/],
      [good.replace('service:\n', 'service:\n  telemetry:\n    logs: {}\n'), /service::telemetry/],
      [good.replace(/(\n {6}exporters: \[)debug\//, '$1nope/'), /not defined/],
      [good.replace('  debug/', '  debugx/'), /ships no exporter "debugx"/],
      [good.replace(/\n {6}exporters: \[otlphttp\/linkmesh\]/, '\n      exporters: []'), /has no exporter/],
      [
        good.replace('otlp/src_', 'otlp/other_').replace('[otlp/src_', '[otlp/other_'),
        /maps to no LinkMesh object/,
      ],
      [good + 'extensions:\n  zpages: {}\n', /ships no extension "zpages"/],
    ];
    for (const [text, expected] of cases) {
      const problems = checkOtelConfig(text);
      assert.ok(
        problems.some((p) => expected.test(p)),
        `${expected}: ${problems.join(' | ')}`,
      );
    }
    const loki = rendered([route(95, otlpSource, [typed(96, 'loki', { url: 'http://l:3100' })])], '0.130.0');
    assert.deepEqual(checkOtelConfig(loki, { version: '0.130.0' }), []);
    assert.ok(
      checkOtelConfig(loki, { version: '0.131.0' }).some((p) => /ships only in otelcol-contrib/.test(p)),
    );
  });
});
