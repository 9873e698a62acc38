import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { destinationLabel, routeStepLabel, sourceLabel } from '@linkmesh/pipelines/component-ids';
import { otelConfigGraph } from '@linkmesh/pipelines/config-graph';
import type { NewEvent } from '../fleet/collector.store.ts';
import type { ObjectSnapshot } from '../pipelines/object-snapshot.ts';
import { ManualClock } from '../shared/clock.ts';
import type { ThroughputBatch } from '../telemetry/throughput.store.ts';
import { mismatchOf, NamingMismatchDetector, namingSettled } from './naming-mismatch.ts';
import type { CollectorGraph } from './topology.service.ts';

const uuid = (c: string) => `${c.repeat(8)}-${c.repeat(4)}-4${c.repeat(3)}-8${c.repeat(3)}-${c.repeat(12)}`;
const src = `otlp/${sourceLabel(uuid('a'))}`;
const step = `batch/${routeStepLabel(uuid('b'), 1)}`;
const dst = `otlphttp/${destinationLabel(uuid('c'))}`;
/** A destination deleted since. */
const gone = `otlphttp/${destinationLabel(uuid('d'))}`;
/** A destination that exists but is not in this collector's config. */
const elsewhere = `otlphttp/${destinationLabel(uuid('e'))}`;

const config = `
receivers: { ${src}: {}, prometheus/linkmesh: {} }
processors: { ${step}: {} }
exporters: { ${dst}: {}, otlphttp/linkmesh: {} }
service:
  pipelines:
    traces:
      receivers: [${src}]
      processors: [${step}]
      exporters: [${dst}]
    metrics/linkmesh: { receivers: [prometheus/linkmesh], exporters: [otlphttp/linkmesh] }
`;

/** Objects that exist: everything but the deleted destination. */
const snapshot = {
  get: (id: string) => (id === uuid('d') ? undefined : { kind: 'destination' }),
} as unknown as ObjectSnapshot;

describe('component naming mismatches', () => {
  it('calls a component of a deleted object orphan throughput, anything else unknown, and never its own', () => {
    assert.equal(mismatchOf('exporter', gone, snapshot)?.detail, 'orphan throughput');
    assert.equal(mismatchOf('receiver', 'otlp/hand_edit', snapshot)?.detail, 'unknown component');
    assert.equal(
      mismatchOf('exporter', elsewhere, snapshot)?.detail,
      'unknown component',
      'an object that exists but is not in this config: an old config still active',
    );
    assert.equal(mismatchOf('receiver', 'prometheus/linkmesh', snapshot), undefined);
  });

  it('waits until the collector has applied its config and the grace has passed', () => {
    assert.equal(namingSettled({ inForceSinceMs: null }, 1_000_000), false);
    assert.equal(namingSettled({ inForceSinceMs: 1_000_000 }, 1_030_000, 60_000), false);
    assert.equal(namingSettled({ inForceSinceMs: 1_000_000 }, 1_060_000, 60_000), true);
  });

  const setup = (inForceSinceMs: number | null = 0) => {
    const clock = new ManualClock();
    const events: NewEvent[] = [];
    const graph: CollectorGraph = {
      graph: otelConfigGraph(config),
      source: 'rendered',
      configHash: 'h',
      configKey: 'v3',
      inForceSinceMs,
      snapshot,
    };
    let graphReads = 0;
    const detector = new NamingMismatchDetector(
      {
        clock,
        graphOf: () => {
          graphReads += 1;
          return Promise.resolve(graph);
        },
        record: (event) => {
          events.push(event);
          return Promise.resolve();
        },
        onError: (error) => assert.fail(String(error)),
      },
      { checkIntervalMs: 60_000, recheckAfterMs: 300_000, graceMs: 0 },
    );
    return { detector, events, graphReads: () => graphReads };
  };
  const push = (...componentIds: string[]): ThroughputBatch => ({
    collectorId: 'c1',
    receivedAtMs: 0,
    samples: componentIds.map((id) => ({
      kind: id.startsWith('otlphttp') ? 'exporter' : id.startsWith('batch') ? 'processor' : 'receiver',
      componentId: id,
      signal: 'traces',
      counters: { accepted: 1 },
      startTimeUnixMs: 0,
      timeUnixMs: 0,
    })),
  });

  it('records one event per component and config version however many pushes name it', async () => {
    const { detector, events } = setup();
    for (let i = 0; i < 5; i++) {
      detector.observe([push(src, step, dst, 'otlp/hand_edit', gone)]);
      await detector.flush();
    }
    assert.deepEqual(
      events.map((e) => [e.type, e.detail, e.dedupeKey]),
      [
        [
          'component_naming_mismatch',
          "unknown component: receiver otlp/hand_edit is not in the collector's config (v3)",
          'naming:v3:unknown component:receiver:otlp/hand_edit',
        ],
        [
          'component_naming_mismatch',
          `orphan throughput: exporter ${gone} is not in the collector's config (v3)`,
          `naming:v3:orphan throughput:exporter:${gone}`,
        ],
      ],
    );
  });

  it('reads the config graph only for names it has not checked recently', async () => {
    const { detector, graphReads } = setup();
    detector.observe([push(src, step)]);
    await detector.flush();
    detector.observe([push(src, step)]);
    await detector.flush();
    assert.equal(graphReads(), 1);
    detector.configChanged('c1');
    detector.observe([push(src)]);
    await detector.flush();
    assert.equal(graphReads(), 2, 'a config change makes every name worth a look again');
  });

  it('says nothing while the collector has not applied its config', async () => {
    const { detector, events } = setup(null);
    detector.observe([push('otlp/hand_edit')]);
    await detector.flush();
    assert.deepEqual(events, []);
  });
});
