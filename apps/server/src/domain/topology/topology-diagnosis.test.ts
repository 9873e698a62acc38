import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnosisCodes, type DiagnosisCode, type TopologyNodeView } from '@linkmesh/contracts/topology-api';
import type { ComponentView } from '../telemetry/throughput.query.ts';
import { diagnose, type DiagnosisFacts } from './topology-diagnosis.ts';

const nowMs = 1_800_000_000_000;

function node(recordsPerSec: number | null): TopologyNodeView {
  return {
    id: 'otlp/src_a',
    kind: 'source',
    componentId: 'otlp/src_a',
    name: 'app',
    type: 'otlp',
    signals: ['traces'],
    recordsPerSec,
    errorsPerSec: recordsPerSec === null ? null : 0,
    sparkline: [],
    errorSparkline: [],
    flags: recordsPerSec === null ? ['no_data'] : [],
  };
}

function series(overrides: Partial<ComponentView> = {}): ComponentView {
  return {
    kind: 'receiver',
    componentId: 'otlp/src_a',
    signal: 'traces',
    recordsPerSec: null,
    errorsPerSec: null,
    incomingPerSec: null,
    droppedPerSec: null,
    queueSize: null,
    queueCapacity: null,
    sparkline: [],
    errorSparkline: [],
    samples: 1,
    restartsInWindow: 0,
    lastSampleAtMs: nowMs - 1_000,
    ...overrides,
  };
}

/** A collector that pushes host metrics, with one element and no numbers yet. */
const base: DiagnosisFacts = {
  runtime: 'otelcol',
  mode: 'opamp',
  nowMs,
  windowMs: 15 * 60_000,
  ownMetricsOffered: true,
  lastTelemetryAtMs: nowMs - 5_000,
  hostMetricsSeen: true,
  components: [],
  nodes: [node(null)],
  mismatches: [],
  lastAuthRejection: null,
};

/** One situation per code, in the troubleshooting page's order. */
const situations: Record<DiagnosisCode, Partial<DiagnosisFacts>> = {
  no_pipelines: { nodes: [] },
  no_own_metrics_offer: { ownMetricsOffered: false, lastTelemetryAtMs: null },
  no_push_received: { lastTelemetryAtMs: null },
  no_component_metrics: { hostMetricsSeen: false },
  pipeline_idle: {},
  one_sample_only: { components: [series({ samples: 1 })] },
  naming_mismatch: {
    components: [series({ componentId: 'otlp/hand_edit', recordsPerSec: 5, samples: 2 })],
    mismatches: [{ detail: 'unknown component', kind: 'receiver', componentId: 'otlp/hand_edit' }],
  },
  counters_reset: { components: [series({ samples: 3, restartsInWindow: 1 })] },
  ok: { components: [series({ samples: 2, recordsPerSec: 4 })], nodes: [node(4)] },
};

describe('topology diagnosis', () => {
  for (const code of diagnosisCodes) {
    it(`reaches ${code} with a sentence and, unless ok, a next step`, () => {
      const diagnosis = diagnose({ ...base, ...situations[code] });
      assert.equal(diagnosis.code, code);
      assert.ok(diagnosis.message.endsWith('.'), diagnosis.message);
      if (code === 'ok') assert.equal(diagnosis.nextStep, null);
      else assert.ok((diagnosis.nextStep ?? '').length > 10, String(diagnosis.nextStep));
    });
  }

  it('asks only OpAMP collectors about the own_metrics offer (Alloy has none: Check 2 next)', () => {
    const facts = { ...base, ownMetricsOffered: false, lastTelemetryAtMs: null };
    assert.equal(diagnose({ ...facts, mode: 'alloy-remotecfg', runtime: 'alloy' }).code, 'no_push_received');
    assert.equal(diagnose({ ...facts, mode: 'managed', runtime: 'alloy' }).code, 'no_push_received');
  });

  it('names the last refusal of its credentials and says to re-enrol', () => {
    const diagnosis = diagnose({
      ...base,
      lastTelemetryAtMs: null,
      lastAuthRejection: {
        reason: 'otlp.auth: rejected reason=token_unknown_or_revoked_or_expired',
        atMs: nowMs,
      },
    });
    assert.equal(diagnosis.code, 'no_push_received');
    assert.match(diagnosis.message, /token_unknown_or_revoked_or_expired/);
    assert.match(diagnosis.nextStep ?? '', /Re-enrol/);
    assert.deepEqual(diagnosis.lastAuthRejection, {
      reason: 'otlp.auth: rejected reason=token_unknown_or_revoked_or_expired',
      at: new Date(nowMs).toISOString(),
    });
  });

  it('tells pushes that stopped before the window from pushes that never came', () => {
    const diagnosis = diagnose({ ...base, lastTelemetryAtMs: nowMs - 2 * 3_600_000 });
    assert.equal(diagnosis.code, 'no_push_received');
    assert.match(diagnosis.message, /2 h ago/);
  });

  it('gives the Alloy check for a collector whose pushes carry nothing LinkMesh reads', () => {
    const diagnosis = diagnose({ ...base, runtime: 'alloy', mode: 'managed', hostMetricsSeen: false });
    assert.equal(diagnosis.code, 'no_component_metrics');
    assert.match(diagnosis.nextStep ?? '', /prometheus\.exporter\.self/);
  });

  it('counts elements with numbers: some, and the idle ones named by count', () => {
    const diagnosis = diagnose({
      ...base,
      components: [series({ samples: 2, recordsPerSec: 4 })],
      nodes: [node(4), { ...node(null), id: 'debug/dst_b', componentId: 'debug/dst_b', kind: 'destination' }],
    });
    assert.equal(diagnosis.numbers, 'some');
    assert.equal(diagnosis.code, 'pipeline_idle');
    assert.match(diagnosis.message, /^1 of 2 elements/);
  });

  it('reports a naming mismatch even when every element has numbers', () => {
    const diagnosis = diagnose({
      ...base,
      ...situations.ok,
      mismatches: [{ detail: 'orphan throughput', kind: 'exporter', componentId: 'otlphttp/dst_gone' }],
    });
    assert.equal(diagnosis.numbers, 'all');
    assert.equal(diagnosis.code, 'naming_mismatch');
    assert.match(diagnosis.message, /orphan throughput otlphttp\/dst_gone/);
    assert.match(diagnosis.nextStep ?? '', /24 h TTL/);
  });
});
