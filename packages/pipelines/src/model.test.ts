import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogue } from './catalogue/index.ts';
import {
  destinationInputSchema,
  fieldErrors,
  groupInputSchema,
  groupMatches,
  pipelineInputSchema,
  routeInputSchema,
  routeTargets,
  sourceInputSchema,
} from './model.ts';
import { mapSecrets, secretFieldsOf } from './secrets.ts';

describe('object schemas', () => {
  it('fill a source’s config defaults from its catalogue type', () => {
    const source = sourceInputSchema.parse({ name: 'apps', type: 'otlp', config: {} });
    assert.deepEqual(source.config, {
      grpc: { enabled: true, endpoint: '0.0.0.0:4317' },
      http: { enabled: true, endpoint: '0.0.0.0:4318' },
    });
  });

  it('name the field inside config when it is wrong', () => {
    const result = destinationInputSchema.safeParse({
      name: 'd',
      type: 'otlphttp',
      config: { endpoint: 'ftp://x' },
    });
    assert.equal(result.success, false);
    assert.deepEqual(
      fieldErrors(result.error).map((e) => e.field),
      ['config.endpoint'],
    );
  });

  it('name the step of a pipeline whose processor config is wrong', () => {
    const result = pipelineInputSchema.safeParse({
      name: 'p',
      processors: [
        { type: 'batch', config: {} },
        { type: 'probabilistic_sampler', config: { samplingPercentage: 150 } },
      ],
    });
    assert.equal(result.success, false);
    assert.deepEqual(
      fieldErrors(result.error).map((e) => e.field),
      ['processors.1.config.samplingPercentage'],
    );
  });

  it('refuse an unknown type and name the type field', () => {
    const result = sourceInputSchema.safeParse({ name: 's', type: 'carrier_pigeon', config: {} });
    assert.equal(result.success, false);
    assert.ok(fieldErrors(result.error).some((e) => e.field === 'type'));
  });

  it('refuse a route without destinations, or one listing a destination twice', () => {
    for (const destinationIds of [[], ['a', 'a']]) {
      const result = routeInputSchema.safeParse({ name: 'r', sourceId: 's', destinationIds });
      assert.equal(result.success, false);
      assert.deepEqual(
        fieldErrors(result.error).map((e) => e.field),
        ['destinationIds'],
      );
    }
  });

  it('default a route to enabled with an empty target', () => {
    const route = routeInputSchema.parse({ name: 'r', sourceId: 's', destinationIds: ['d'] });
    assert.equal(route.enabled, true);
    assert.deepEqual(route.target, { collectorIds: [], groupIds: [], labels: {} });
  });

  it('refuse a matcher whose regex does not compile, naming its value', () => {
    const result = groupInputSchema.safeParse({
      name: 'g',
      matchers: [{ label: 'env', op: '=~', value: '(' }],
    });
    assert.equal(result.success, false);
    assert.deepEqual(
      fieldErrors(result.error).map((e) => e.field),
      ['matchers.0.value'],
    );
  });
});

describe('groupMatches and routeTargets', () => {
  const prod = {
    id: 'g1',
    name: 'prod',
    matchers: [{ label: 'env', op: '=~' as const, value: 'prod|stage' }],
  };
  it('anchor regexes and read a missing label as empty', () => {
    assert.equal(groupMatches(prod, { env: 'prod' }), true);
    assert.equal(groupMatches(prod, { env: 'production' }), false);
    assert.equal(groupMatches({ matchers: [{ label: 'team', op: '!=', value: 'a' }] }, {}), true);
    assert.equal(groupMatches({ matchers: [] }, { env: 'prod' }), false);
  });

  it('target by id, group or labels, never when disabled', () => {
    const collector = { id: 'c1', labels: { env: 'prod', dc: 'eu' } };
    const base = { enabled: true, target: { collectorIds: [], groupIds: [], labels: {} } };
    assert.equal(routeTargets(base, collector, [prod]), false);
    assert.equal(
      routeTargets({ ...base, target: { ...base.target, collectorIds: ['c1'] } }, collector, []),
      true,
    );
    assert.equal(
      routeTargets({ ...base, target: { ...base.target, groupIds: ['g1'] } }, collector, [prod]),
      true,
    );
    assert.equal(
      routeTargets({ ...base, target: { ...base.target, labels: { dc: 'eu' } } }, collector, []),
      true,
    );
    assert.equal(
      routeTargets({ ...base, target: { ...base.target, labels: { dc: 'us' } } }, collector, []),
      false,
    );
    assert.equal(
      routeTargets({ enabled: false, target: { ...base.target, collectorIds: ['c1'] } }, collector, []),
      false,
    );
  });
});

describe('catalogue', () => {
  it('lists the issue’s types, each carrying a signal and rendering on otelcol', () => {
    assert.deepEqual(
      catalogue.sources.map((e) => e.type),
      ['otlp', 'syslog', 'filelog', 'journald', 'prometheus', 'hostmetrics', 'kafka'],
    );
    assert.deepEqual(
      catalogue.processors.map((e) => e.type),
      [
        'batch',
        'memory_limiter',
        'filter',
        'transform',
        'redaction',
        'attributes',
        'resource',
        'probabilistic_sampler',
      ],
    );
    assert.deepEqual(
      catalogue.destinations.map((e) => e.type),
      [
        'otlp',
        'otlphttp',
        'loki',
        'prometheusremotewrite',
        'tempo',
        'grafana_cloud',
        'kafka',
        'clickhouse',
        'awss3',
        'debug',
      ],
    );
    for (const entry of [...catalogue.sources, ...catalogue.processors, ...catalogue.destinations]) {
      assert.ok(entry.signals.length > 0, entry.type);
      assert.ok(entry.otelcol !== undefined, `${entry.type} renders on otelcol`);
    }
  });

  it('declares the credential fields as secrets and masks them without touching the rest', () => {
    assert.deepEqual(secretFieldsOf('destination', 'grafana_cloud'), ['token']);
    assert.deepEqual(secretFieldsOf('destination', 'otlphttp'), [
      'basicAuth.password',
      'bearerToken',
      'headers.*',
    ]);
    assert.deepEqual(secretFieldsOf('source', 'kafka'), ['sasl.password']);
    const config = {
      endpoint: 'https://x',
      headers: { 'X-Key': 'k1', 'X-Other': 'k2' },
      basicAuth: { username: 'u', password: 'p' },
    };
    const masked = mapSecrets(config, secretFieldsOf('destination', 'otlphttp') ?? [], () => '***');
    assert.deepEqual(masked, {
      endpoint: 'https://x',
      headers: { 'X-Key': '***', 'X-Other': '***' },
      basicAuth: { username: 'u', password: '***' },
    });
    assert.equal(config.basicAuth.password, 'p');
  });
});
