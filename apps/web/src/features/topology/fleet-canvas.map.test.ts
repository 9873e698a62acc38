import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FleetTopologyView } from '@linkmesh/contracts/topology-api';
import { toFleetCanvasModel } from './fleet-canvas.map.ts';

const view: FleetTopologyView = {
  generatedAt: '2026-01-01T00:00:00.000Z',
  groupId: null,
  truncated: false,
  nodes: [
    {
      id: 'collector:c1',
      kind: 'collector',
      name: 'edge-1',
      type: 'alloy',
      collectorId: 'c1',
      status: 'connected',
      recordsInPerSec: 120,
      recordsOutPerSec: 110,
      errorsPerSec: 0,
      flags: [],
    },
    {
      id: 'destination:d1',
      kind: 'destination',
      name: 'loki',
      type: 'loki',
      objectId: 'd1',
      recordsInPerSec: null,
      recordsOutPerSec: null,
      errorsPerSec: null,
      flags: ['no_data'],
    },
  ],
  edges: [{ id: 'e1', from: 'collector:c1', to: 'destination:d1', kind: 'exports_to', recordsPerSec: 110 }],
};

describe('toFleetCanvasModel', () => {
  it('shows what a collector sent as its rate, what it accepted beside it, and links its canvas', () => {
    const model = toFleetCanvasModel(view, (id) => `/collectors/${id}/topology`);
    const collector = model.nodes.find((n) => n.id === 'collector:c1');
    assert.ok(collector);
    assert.equal(collector.recordsPerSec, 110);
    assert.equal(collector.inPerSec, 120);
    assert.equal(collector.href, '/collectors/c1/topology');
    assert.equal(collector.status, 'connected');
  });

  it('says why a shared destination has no rate', () => {
    const model = toFleetCanvasModel(view, (id) => id);
    const destination = model.nodes.find((n) => n.id === 'destination:d1');
    assert.ok(destination);
    assert.equal(destination.kind, 'shared-destination');
    assert.match(destination.missing ?? '', /Topology tab says why/);
    assert.equal(model.edges[0]?.recordsPerSec, 110);
  });
});
