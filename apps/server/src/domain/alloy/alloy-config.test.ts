import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderAlloyConfig, renderAlloyHash } from './alloy-config.ts';
import {
  AlloySyntaxError,
  alloyComponents,
  alloyReferences,
  parseAlloy,
  type AlloyStatement,
} from './alloy-syntax.ts';

function attribute(block: AlloyStatement | undefined, path: string[]): AlloyStatement | undefined {
  let current: readonly AlloyStatement[] = block?.kind === 'block' ? block.body : [];
  for (const [i, name] of path.entries()) {
    const found = current.find((s) => s.name === name);
    if (i === path.length - 1) return found;
    current = found?.kind === 'block' ? found.body : [];
  }
  return undefined;
}

describe('renderAlloyConfig', () => {
  const rendered = renderAlloyConfig({ collectorId: 'c-1', externalUrl: 'https://fleet.example.com/' });

  it('parses and declares the five self-telemetry components, every reference resolving', () => {
    const tree = parseAlloy(rendered);
    const components = alloyComponents(tree);
    for (const id of [
      'prometheus.exporter.self.linkmesh',
      'prometheus.scrape.linkmesh_self',
      'otelcol.receiver.prometheus.linkmesh',
      'otelcol.exporter.otlphttp.linkmesh',
      'otelcol.auth.bearer.linkmesh',
      'local.file.linkmesh_token',
    ]) {
      assert.ok(components.has(id), `missing ${id}`);
    }
    const references = alloyReferences(tree);
    assert.ok(references.length >= 5);
    for (const reference of references) {
      const owner = [...components.keys()].find((id) => reference.startsWith(`${id}.`));
      assert.ok(owner, `reference ${reference} points at no declared component`);
    }
    assert.deepEqual([...references].sort(), [
      'local.file.linkmesh_token.content',
      'otelcol.auth.bearer.linkmesh.handler',
      'otelcol.exporter.otlphttp.linkmesh.input',
      'otelcol.receiver.prometheus.linkmesh.receiver',
      'prometheus.exporter.self.linkmesh.targets',
    ]);
  });

  it('wires the pipeline: scrape → receiver → exporter at the external URL with the bearer', () => {
    const components = alloyComponents(parseAlloy(rendered));
    const scrape = components.get('prometheus.scrape.linkmesh_self');
    assert.deepEqual(attribute(scrape, ['scrape_interval']), {
      kind: 'attribute',
      name: 'scrape_interval',
      value: { kind: 'string', value: '30s' },
      line: (attribute(scrape, ['scrape_interval']) as { line: number }).line,
      column: 3,
    });
    const exporter = components.get('otelcol.exporter.otlphttp.linkmesh');
    const endpoint = attribute(exporter, ['client', 'endpoint']);
    assert.equal(
      endpoint?.kind === 'attribute' && endpoint.value.kind === 'string' && endpoint.value.value,
      'https://fleet.example.com',
    );
    const file = attribute(components.get('local.file.linkmesh_token'), ['is_secret']);
    assert.deepEqual(file?.kind === 'attribute' && file.value, { kind: 'bool', value: true });
  });

  it('embeds a bearer only when given one (bootstrap), as an escaped string', () => {
    const withToken = renderAlloyConfig({
      collectorId: 'c',
      externalUrl: 'http://x',
      bearerToken: 'lmct_a"b',
    });
    const tree = parseAlloy(withToken);
    const components = alloyComponents(tree);
    assert.ok(!components.has('local.file.linkmesh_token'));
    const token = attribute(components.get('otelcol.auth.bearer.linkmesh'), ['token']);
    assert.deepEqual(token?.kind === 'attribute' && token.value, { kind: 'string', value: 'lmct_a"b' });
  });

  it('hashes as SHA-256 hex, stable for the same content', () => {
    assert.match(renderAlloyHash(rendered), /^[0-9a-f]{64}$/);
    assert.equal(
      renderAlloyHash(rendered),
      renderAlloyHash(renderAlloyConfig({ collectorId: 'c-1', externalUrl: 'https://fleet.example.com' })),
    );
    assert.notEqual(renderAlloyHash(rendered), renderAlloyHash(`${rendered} `));
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
