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

  it('puts every source in the first column and every destination in the last', async () => {
    const view = routedView();
    view.nodes.push(nodeView({ id: 'src2' }), nodeView({ id: 'dst2', kind: 'destination' }));
    view.edges.push(edgeView('src2', 'dst'), edgeView('step1', 'dst2'));
    const positions = await layoutCanvas(engine, toCanvasModel(view));
    assert.equal(positions.get('src2')?.x, positions.get('src')?.x);
    assert.equal(positions.get('dst2')?.x, positions.get('dst')?.x);
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
