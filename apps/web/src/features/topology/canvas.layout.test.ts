import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ELK from 'elkjs/lib/elk.bundled.js';
import { toCanvasModel } from './canvas.map.ts';
import { layoutCanvas } from './canvas.layout.ts';
import { nodeWidthPx } from './canvas.types.ts';
import { edgeView, nodeView, routedView, topologyView } from './testing/topology-views.ts';

// elkjs is CommonJS: its class is also its own `default`.
const engine = new ELK.default();

describe('layoutCanvas', () => {
  it('places a route left to right: source, steps, destination', async () => {
    const positions = await layoutCanvas(engine, toCanvasModel(routedView()));
    const x = (id: string) => positions.get(id)?.x ?? Number.NaN;
    assert.ok(x('src') < x('step1') && x('step1') < x('step2') && x('step2') < x('dst'));
    assert.ok(x('step1') - x('src') >= nodeWidthPx, 'elements do not overlap');
  });

  it('lays out the same positions for the same shape whatever the numbers', async () => {
    const quiet = await layoutCanvas(engine, toCanvasModel(routedView()));
    const busy = routedView();
    busy.nodes = busy.nodes.map((n) => ({ ...n, recordsPerSec: 1e6, flags: [] }));
    assert.deepEqual([...(await layoutCanvas(engine, toCanvasModel(busy)))], [...quiet]);
  });

  it('ignores an edge to an element that is not drawn', async () => {
    const view = topologyView({
      nodes: [nodeView({ id: 'a' })],
      edges: [edgeView('a', 'ghost')],
    });
    const positions = await layoutCanvas(engine, toCanvasModel(view));
    assert.deepEqual([...positions.keys()], ['a']);
  });
});
