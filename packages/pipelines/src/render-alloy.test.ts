import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderServedConfig } from '@linkmesh/alloy/render';
import { alloyComponents, parseAlloy, type AlloyStatement } from '@linkmesh/alloy/syntax';
import { catalogue } from './catalogue/index.ts';
import {
  alloyComponentId,
  destinationLabel,
  parseComponentId,
  routeStepLabel,
  sourceLabel,
} from './component-ids.ts';
import type { RenderInput, ResolvedRoute } from './render-input.ts';
import { checkAlloyConfig } from './structure-checks.ts';
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
import { goldenText, renderAlloyChecked } from './testing/render-checked.ts';

const input = (routes: readonly ResolvedRoute[], version?: string): RenderInput => ({
  collector: { id: collectorId, runtime: 'alloy', ...(version === undefined ? {} : { version }) },
  routes,
  selfTelemetry,
});

function rendered(routes: readonly ResolvedRoute[], version?: string): string {
  const result = renderAlloyChecked(input(routes, version));
  assert.ok(result.ok, goldenText(result));
  return result.text;
}

/** `signal → [references]` of a component's output block. */
function outputsOf(component: AlloyStatement | undefined): Record<string, string[]> {
  const output =
    component?.kind === 'block'
      ? component.body.find((s) => s.kind === 'block' && s.name === 'output')
      : undefined;
  const result: Record<string, string[]> = {};
  for (const s of output?.kind === 'block' ? output.body : []) {
    if (s.kind === 'attribute' && s.value.kind === 'array') {
      result[s.name] = s.value.items.map((i) => (i.kind === 'ref' ? i.path.join('.') : i.kind));
    }
  }
  return result;
}

describe('renderAlloyConfig: one golden per catalogue type', () => {
  for (const [kind, entries] of [
    ['source', catalogue.sources],
    ['processor', catalogue.processors],
    ['destination', catalogue.destinations],
  ] as const) {
    for (const entry of entries) {
      it(`renders the ${kind} ${entry.type} (or refuses it, saying why)`, () => {
        // redaction ships in Alloy v1.19 (release candidates at the time of writing).
        const version = entry.type === 'redaction' ? '1.19.0-rc.1' : undefined;
        const result = renderAlloyChecked(input([routeFor(kind, entry.type)], version));
        const refusedByDesign = kind === 'destination' && entry.type === 'clickhouse';
        assert.equal(result.ok, !refusedByDesign, goldenText(result));
        assertGolden(
          `alloy/${kind}-${entry.type}.${result.ok ? 'alloy' : 'refused.txt'}`,
          goldenText(result),
        );
      });
    }
  }
});

describe('renderAlloyConfig: several routes on one collector', () => {
  const loki = typed(20, 'loki', { url: 'http://loki:3100' }, 'loki');
  const mimir = typed(21, 'prometheusremotewrite', { url: 'http://mimir:9009/api/v1/push' }, 'mimir');
  const pipeline = {
    id: uuid(30),
    name: 'standard',
    processors: [
      { type: 'memory_limiter', config: {} },
      { type: 'batch', config: {} },
    ],
    outputFilter: { logs: { logRecord: ['IsMatch(body, "healthz")'] } },
  };
  const routes = [
    route(41, otlpSource, [loki, mimir], pipeline, 'apps-to-loki-and-mimir'),
    route(40, otlpSource, [debugDestination, loki], undefined, 'apps-to-debug'),
  ];
  const text = rendered(routes);
  const components = alloyComponents(parseAlloy(text));

  it('matches its golden', () => assertGolden('alloy/multi-route.alloy', text));

  it('fans one receiver out to every route using the source, per signal', () => {
    const receiver = components.get(alloyComponentId('otelcol.receiver.otlp', sourceLabel(otlpSource.id)));
    const first = `otelcol.processor.memory_limiter.${routeStepLabel(uuid(41), 1)}.input`;
    const debug = `otelcol.exporter.debug.${destinationLabel(debugDestination.id)}.input`;
    const lokiInput = `otelcol.exporter.loki.${destinationLabel(loki.id)}.input`;
    assert.deepEqual(outputsOf(receiver), {
      logs: [debug, lokiInput, first].sort(),
      metrics: [debug, first].sort(),
      traces: [debug],
    });
  });

  it('chains the steps, output filter last, into the destinations that take each signal', () => {
    const filter = components.get(`otelcol.processor.filter.rt_${uuid(41).replaceAll('-', '')}_out`);
    assert.deepEqual(outputsOf(filter), {
      logs: [`otelcol.exporter.loki.${destinationLabel(loki.id)}.input`],
      metrics: [`otelcol.exporter.prometheus.${destinationLabel(mimir.id)}.input`],
    });
  });

  it('declares each destination once and every component label maps back to its object', () => {
    const exporters = [...components.keys()].filter((id) => id.startsWith('otelcol.exporter.loki.'));
    assert.equal(exporters.length, 1);
    for (const id of components.keys()) assert.notEqual(parseComponentId(id).kind, 'unknown', id);
  });

  it('keeps the self-telemetry pipeline and its host source first, exactly as served without routes', () => {
    const served = renderServedConfig({
      collectorId,
      externalUrl: selfTelemetry.externalUrl,
      bearerToken: selfTelemetry.bearerToken,
    });
    assert.ok(text.startsWith(served));
    assert.ok(components.has('prometheus.exporter.unix.linkmesh_host'));
  });
});

describe('renderAlloyConfig: determinism, versions and refusals', () => {
  it('gives the same bytes and hash whatever order routes and map keys come in', () => {
    const dst = (headers: Record<string, string>) =>
      typed(61, 'otlphttp', { endpoint: 'https://a.example.com', headers });
    const a = renderAlloyChecked(
      input([
        route(60, otlpSource, [dst({ 'X-A': '1', 'X-B': '2' }), debugDestination]),
        route(62, typed(4, 'syslog', {}), [debugDestination]),
      ]),
    );
    const b = renderAlloyChecked(
      input([
        route(62, typed(4, 'syslog', {}), [debugDestination]),
        route(60, otlpSource, [debugDestination, dst({ 'X-B': '2', 'X-A': '1' })]),
      ]),
    );
    assert.ok(a.ok && b.ok);
    assert.equal(a.text, b.text);
    assert.equal(a.hashHex, b.hashHex);
  });

  it('serves exactly the self-telemetry content when no enabled route targets the collector', () => {
    const result = renderAlloyChecked(
      input([{ ...route(63, otlpSource, [debugDestination]), enabled: false }]),
    );
    assert.ok(result.ok);
    assert.equal(
      result.text,
      renderServedConfig({
        collectorId,
        externalUrl: selfTelemetry.externalUrl,
        bearerToken: selfTelemetry.bearerToken,
      }),
    );
  });

  it('refuses a component the Alloy version does not ship, naming the route and the version window', () => {
    const syslog = route(64, typed(5, 'syslog', {}), [debugDestination], undefined, 'syslog-in');
    assert.ok(renderAlloyChecked(input([syslog], 'v1.6.0')).ok);
    const old = renderAlloyChecked(input([syslog], 'v1.5.1'));
    assert.match(
      goldenText(old),
      /route "syslog-in" .*: source "syslog" \(syslog\): cannot run on Alloy 1\.5\.1: otelcol\.receiver\.syslog ships only in Alloy >= 1\.6\.0/,
    );
    const redaction = routeFor('processor', 'redaction');
    assert.equal(
      renderAlloyChecked(input([redaction])).ok,
      false,
      'unknown version = current release, which lacks it',
    );
    assert.equal(renderAlloyChecked(input([redaction], '1.19.0')).ok, true);
  });

  it('refuses a type Alloy cannot run at all', () => {
    const result = renderAlloyChecked(
      input([
        route(65, otlpSource, [typed(66, 'clickhouse', { endpoint: 'tcp://ch:9000' })], undefined, 'to-ch'),
      ]),
    );
    assert.match(
      goldenText(result),
      /route "to-ch" .*: destination "clickhouse" \(clickhouse\) cannot run on Alloy: it has no such component/,
    );
  });

  it('writes one Kafka topic per signal from v1.9, and refuses several signals on older Alloy', () => {
    const kafka = typed(67, 'kafka', { brokers: ['k:9092'] });
    assert.match(rendered([route(68, otlpSource, [kafka])], '1.9.0'), /logs {\n\s+topic\s+= "otlp_logs"/);
    assert.equal(renderAlloyChecked(input([route(68, otlpSource, [kafka])], '1.8.0')).ok, false);
    assert.match(
      rendered([route(69, typed(6, 'syslog', {}), [kafka])], '1.8.0'),
      /\n\s+topic\s+= "otlp_logs"/,
    );
  });

  it('renders a resource step as a transform with resource-context OTTL, still named as the step', () => {
    const text = rendered([routeFor('processor', 'resource')]);
    assert.match(text, /otelcol\.processor\.transform "rt_[0-9a-f]{32}_1"/);
    assert.match(
      text,
      /set\(resource\.attributes\[\\"service\.namespace\\"\], \\"shop\\"\) where resource\.attributes\[\\"service\.namespace\\"\] == nil/,
    );
  });

  it('refuses an otelcol collector', () => {
    assert.equal(
      renderAlloyChecked({
        ...input([routeFor('source', 'otlp')]),
        collector: { id: 'c', runtime: 'otelcol' },
      }).ok,
      false,
    );
  });
});

describe('checkAlloyConfig', () => {
  const good = rendered([routeFor('destination', 'debug')]);
  it('passes a rendered config and fails broken ones, saying why', () => {
    assert.deepEqual(checkAlloyConfig(good), []);
    const debug = `otelcol.exporter.debug "${destinationLabel(uuid(12))}"`;
    const cases: [string, RegExp][] = [
      [`${good}\notelcol.exporter.debug "x" {\n`, /Alloy syntax/],
      [
        good.replace(debug, `otelcol.exporter.nope "${destinationLabel(uuid(12))}"`),
        /ships no component otelcol\.exporter\.nope/,
      ],
      [good.replace(`${debug} {`, 'otelcol.exporter.debug "default" {'), /maps to no LinkMesh object/],
      [`${good}\n${debug} {}\n`, /declared 2 times/],
      [
        good.replace(/\n {4}metrics = \[otelcol\.exporter\.otlphttp\.linkmesh\.input\]/, ''),
        /linkmesh has no output/,
      ],
      [
        good.replace('otelcol.exporter.otlphttp.linkmesh.input', 'otelcol.exporter.otlphttp.gone.input'),
        /no declared component exports/,
      ],
      [`${good}\notelcol.exporter.debug "dst_x61" {}\n`, /fed by no receiver/],
      [`${good}\nloki.source.journal "src_x61" {\n  forward_to = []\n}\n`, /reaches no exporter/],
    ];
    for (const [text, expected] of cases) {
      const problems = checkAlloyConfig(text);
      assert.ok(
        problems.some((p) => expected.test(p)),
        `${expected}: ${problems.join(' | ')}`,
      );
    }
    const syslog = rendered([routeFor('source', 'syslog')]);
    assert.ok(
      checkAlloyConfig(syslog, { version: '1.5.0' }).some((p) => /ships only in Alloy >= 1\.6\.0/.test(p)),
    );
  });
});
