import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bootstrapMarker, renderAlloyHash, renderBootstrapConfig, renderServedConfig } from './render.ts';
import {
  AlloySyntaxError,
  alloyComponents,
  alloyReferences,
  parseAlloy,
  type AlloyStatement,
} from './syntax.ts';

function attribute(block: AlloyStatement | undefined, path: string[]): AlloyStatement | undefined {
  let current: readonly AlloyStatement[] = block?.kind === 'block' ? block.body : [];
  for (const [i, name] of path.entries()) {
    const found = current.find((s) => s.name === name);
    if (i === path.length - 1) return found;
    current = found?.kind === 'block' ? found.body : [];
  }
  return undefined;
}

const selfTelemetryComponents = (label: string) => [
  `prometheus.exporter.self.${label}`,
  `prometheus.scrape.${label}_self`,
  `otelcol.receiver.prometheus.${label}`,
  `otelcol.exporter.otlphttp.${label}`,
  `otelcol.auth.bearer.${label}`,
  `prometheus.exporter.unix.${label}_host`,
  `prometheus.scrape.${label}_host`,
];

function stringAttribute(block: AlloyStatement | undefined, path: string[]): string | undefined {
  const found = attribute(block, path);
  return found?.kind === 'attribute' && found.value.kind === 'string' ? found.value.value : undefined;
}

/** Every reference must point at a component declared in the same file. */
function assertReferencesResolve(tree: AlloyStatement[]): void {
  const components = alloyComponents(tree);
  for (const reference of alloyReferences(tree)) {
    const owner = [...components.keys()].find((id) => reference.startsWith(`${id}.`));
    assert.ok(owner, `reference ${reference} points at no declared component`);
  }
}

describe('renderServedConfig', () => {
  const rendered = renderServedConfig({
    collectorId: 'c-1',
    externalUrl: 'https://fleet.example.com/',
    bearerToken: 'lmct_served',
  });

  it('parses and declares the seven self-telemetry components, every reference resolving', () => {
    const tree = parseAlloy(rendered);
    const components = alloyComponents(tree);
    assert.deepEqual([...components.keys()].sort(), selfTelemetryComponents('linkmesh').sort());
    assertReferencesResolve(tree);
    assert.deepEqual([...alloyReferences(tree)].sort(), [
      'otelcol.auth.bearer.linkmesh.handler',
      'otelcol.exporter.otlphttp.linkmesh.input',
      'otelcol.receiver.prometheus.linkmesh.receiver',
      'otelcol.receiver.prometheus.linkmesh.receiver',
      'prometheus.exporter.self.linkmesh.targets',
      'prometheus.exporter.unix.linkmesh_host.targets',
    ]);
  });

  it('wires the pipeline: scrape every 30 s → receiver → exporter at the external URL with the bearer', () => {
    const components = alloyComponents(parseAlloy(rendered));
    assert.equal(
      stringAttribute(components.get('prometheus.scrape.linkmesh_self'), ['scrape_interval']),
      '30s',
    );
    const exporter = components.get('otelcol.exporter.otlphttp.linkmesh');
    assert.equal(stringAttribute(exporter, ['client', 'endpoint']), 'https://fleet.example.com');
    assert.equal(stringAttribute(components.get('otelcol.auth.bearer.linkmesh'), ['token']), 'lmct_served');
  });

  it('scrapes the host’s cpu and meminfo collectors into the same receiver as Alloy’s own metrics', () => {
    const components = alloyComponents(parseAlloy(rendered));
    const unix = attribute(components.get('prometheus.exporter.unix.linkmesh_host'), ['set_collectors']);
    assert.deepEqual(
      unix?.kind === 'attribute' && unix.value.kind === 'array' ? unix.value.items : undefined,
      [
        { kind: 'string', value: 'cpu' },
        { kind: 'string', value: 'meminfo' },
      ],
    );
    const scrape = components.get('prometheus.scrape.linkmesh_host');
    assert.equal(stringAttribute(scrape, ['scrape_interval']), '30s');
    const forward = attribute(scrape, ['forward_to']);
    assert.deepEqual(
      forward?.kind === 'attribute' && forward.value.kind === 'array'
        ? forward.value.items.map((i) => (i.kind === 'ref' ? i.path.join('.') : i.kind))
        : undefined,
      ['otelcol.receiver.prometheus.linkmesh.receiver'],
    );
  });

  it('appends route lines after the self-telemetry pipeline, and nothing when there are none', () => {
    const base = { collectorId: 'c-1', externalUrl: 'https://fleet.example.com', bearerToken: 'lmct_served' };
    assert.equal(renderServedConfig({ ...base, routeLines: [] }), renderServedConfig(base));
    const withRoutes = renderServedConfig({ ...base, routeLines: ['otelcol.exporter.debug "dst_x" {}'] });
    assert.ok(withRoutes.startsWith(renderServedConfig(base)));
    assert.ok(withRoutes.endsWith('otelcol.exporter.debug "dst_x" {}\n'));
  });

  it('escapes whatever the bearer holds', () => {
    const tree = parseAlloy(
      renderServedConfig({ collectorId: 'c', externalUrl: 'http://x', bearerToken: 'lmct_a"b\\c' }),
    );
    assert.equal(
      stringAttribute(alloyComponents(tree).get('otelcol.auth.bearer.linkmesh'), ['token']),
      'lmct_a"b\\c',
    );
  });

  it('hashes as SHA-256 hex, stable for the same content and bearer, different for another bearer', () => {
    assert.match(renderAlloyHash(rendered), /^[0-9a-f]{64}$/);
    const again = renderServedConfig({
      collectorId: 'c-1',
      externalUrl: 'https://fleet.example.com',
      bearerToken: 'lmct_served',
    });
    assert.equal(renderAlloyHash(rendered), renderAlloyHash(again));
    const rotated = renderServedConfig({
      collectorId: 'c-1',
      externalUrl: 'https://fleet.example.com',
      bearerToken: 'lmct_new',
    });
    assert.notEqual(renderAlloyHash(rendered), renderAlloyHash(rotated));
  });
});

describe('renderBootstrapConfig', () => {
  const rendered = renderBootstrapConfig({
    collectorId: 'c-9',
    hostname: 'edge-01',
    externalUrl: 'https://fleet.example.com/',
    bearerToken: 'lmct_boot',
  });

  it('starts with the // linkmesh-bootstrap marker', () => {
    assert.ok(rendered.startsWith(`${bootstrapMarker} `));
    assert.equal(rendered.split('\n')[0]?.startsWith('// linkmesh-bootstrap'), true);
  });

  it('holds the remotecfg block and the self-telemetry pipeline, both with the bearer', () => {
    const tree = parseAlloy(rendered);
    assertReferencesResolve(tree);
    const remotecfg = tree.find((s) => s.kind === 'block' && s.name === 'remotecfg');
    assert.equal(stringAttribute(remotecfg, ['url']), 'https://fleet.example.com');
    assert.equal(stringAttribute(remotecfg, ['id']), 'c-9');
    assert.equal(stringAttribute(remotecfg, ['name']), 'edge-01');
    assert.equal(stringAttribute(remotecfg, ['poll_frequency']), '60s');
    assert.equal(stringAttribute(remotecfg, ['bearer_token']), 'lmct_boot');
    const components = alloyComponents(tree);
    for (const id of selfTelemetryComponents('linkmesh_bootstrap'))
      assert.ok(components.has(id), `missing ${id}`);
    assert.equal(
      stringAttribute(components.get('otelcol.auth.bearer.linkmesh_bootstrap'), ['token']),
      'lmct_boot',
    );
  });
});

describe('parseAlloy', () => {
  it('accepts calls, arrays, objects, numbers, comments and escapes', () => {
    const tree = parseAlloy(
      [
        '/* header */',
        'remotecfg {',
        '  url        = sys.env("URL") // trailing',
        '  attributes = {"env" = "prod", cluster = "eu\\u00e91"}',
        '  list       = [1, 2.5, true, null,]',
        '}',
      ].join('\n'),
    );
    assert.equal(tree.length, 1);
    const block = tree[0];
    assert.equal(block?.kind === 'block' && block.body.length, 3);
  });

  for (const [source, line, column] of [
    ['a "x" {\n  b = \n}', 3, 1],
    ['a "x" {\n  b = "unterminated\n}', 2, 7],
    ['a "x" {\n  b = [1 2]\n}', 2, 10],
    ['a "x" {\n  b = 1 c = 2\n}', 2, 9],
    ['a "x" {\n  b = "\\q"\n}', 2, 8],
    ['a "x" {\n  b = 1\n', 3, 1],
    ['a.b = 1', 1, 1],
    ['a "x" \n  b = 1', 2, 3],
    ['a = 1 +', 1, 7],
  ] as const) {
    it(`rejects ${JSON.stringify(source)} at ${line}:${column}`, () => {
      assert.throws(
        () => parseAlloy(source),
        (error: unknown) =>
          error instanceof AlloySyntaxError && error.line === line && error.column === column,
      );
    });
  }
});
