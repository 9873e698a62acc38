import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  alloyComponentId,
  destinationLabel,
  objectIdFromToken,
  objectToken,
  otelComponentId,
  parseComponentId,
  routeOutputFilterLabel,
  routePipelineId,
  routeStepLabel,
  sourceLabel,
} from './component-ids.ts';

const uuid = '3f2a0c1e-7b6d-4e8f-9a0b-1c2d3e4f5a6b';
const token = '3f2a0c1e7b6d4e8f9a0b1c2d3e4f5a6b';

describe('objectToken', () => {
  it('writes a server UUID as its 32 hex digits and reads it back', () => {
    assert.equal(objectToken(uuid), token);
    assert.equal(objectIdFromToken(token), uuid);
  });

  it('round-trips IDs of any shape, never producing a character Alloy identifiers refuse or an underscore', () => {
    for (const id of [
      'web-1',
      'A',
      'x',
      'with space',
      'ümlaut/ß',
      'a_b',
      uuid.toUpperCase(),
      token,
      randomUUID(),
    ]) {
      const t = objectToken(id);
      assert.match(t, /^[0-9a-z]+$/, id);
      assert.equal(objectIdFromToken(t), id, id);
    }
  });

  it('keeps the two forms apart: a 32-hex-digit non-UUID ID is hex-encoded', () => {
    assert.notEqual(objectToken(token), token);
    assert.equal(objectIdFromToken(objectToken(token)), token);
  });

  it('rejects tokens it could not have produced', () => {
    for (const bad of ['', 'x', 'x1', 'xzz', 'abc', `x${Buffer.from(uuid).toString('hex')}`, 'xff']) {
      assert.equal(objectIdFromToken(bad), undefined, bad);
    }
  });
});

describe('parseComponentId', () => {
  const route = 'route-7';
  it('maps every OTel form back to its object', () => {
    assert.deepEqual(parseComponentId(otelComponentId('otlp', sourceLabel(uuid))), {
      kind: 'source',
      objectId: uuid,
    });
    assert.deepEqual(parseComponentId(otelComponentId('otlphttp', destinationLabel(uuid))), {
      kind: 'destination',
      objectId: uuid,
    });
    assert.deepEqual(parseComponentId(otelComponentId('batch', routeStepLabel(route, 12))), {
      kind: 'processor',
      objectId: route,
      routeId: route,
      stepIndex: 12,
    });
    assert.deepEqual(parseComponentId(otelComponentId('filter', routeOutputFilterLabel(route))), {
      kind: 'output_filter',
      objectId: route,
      routeId: route,
    });
    assert.deepEqual(parseComponentId(routePipelineId(route, 'metrics')), {
      kind: 'route',
      objectId: route,
      routeId: route,
      signal: 'metrics',
    });
  });

  it('maps Alloy component_id values and the upstream attribute Alloy reports', () => {
    const id = alloyComponentId('otelcol.exporter.otlphttp', destinationLabel(uuid));
    assert.equal(id, `otelcol.exporter.otlphttp.dst_${token}`);
    assert.deepEqual(parseComponentId(id), { kind: 'destination', objectId: uuid });
    assert.deepEqual(parseComponentId(`otlphttp/${id}`), { kind: 'destination', objectId: uuid });
    assert.deepEqual(parseComponentId(`loki.source.journal.${sourceLabel('s')}`), {
      kind: 'source',
      objectId: 's',
    });
  });

  it('reads LinkMesh’s own components as internal', () => {
    for (const id of [
      'hostmetrics/linkmesh',
      'otlphttp/linkmesh',
      'metrics/linkmesh_host',
      'metrics/linkmesh-baseline',
      'nop',
      'otelcol.receiver.prometheus.linkmesh',
      'prometheus.scrape.linkmesh_bootstrap_self',
      'prometheus/otelcol.receiver.prometheus.linkmesh',
    ]) {
      assert.deepEqual(parseComponentId(id), { kind: 'internal' }, id);
    }
  });

  it('answers unknown for anything else', () => {
    for (const id of [
      'otlp',
      'otlp/2',
      'batch/rt_x61',
      'batch/rt_x61_0',
      'batch/rt_x61_01',
      'logs/src_x61',
      'otlp/src_x61_1',
      'otlp/src_nothex',
      'otelcol.receiver.otlp.default',
      'linkmeshy/x',
      '',
    ]) {
      assert.deepEqual(parseComponentId(id), { kind: 'unknown' }, id);
    }
  });
});
