import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeHeightPx, nodeWidthPx } from './canvas.types.ts';
import { initialViewport, readableZoom } from './canvas.viewport.ts';

describe('initialViewport', () => {
  it('centres a graph that fits, without enlarging it', () => {
    const positions = new Map([['a', { x: 0, y: 0 }]]);
    const viewport = initialViewport(positions, 1000, 600);
    assert.equal(viewport.zoom, 1);
    assert.equal(viewport.x, (1000 - nodeWidthPx) / 2);
    assert.equal(viewport.y, (600 - nodeHeightPx) / 2);
  });

  it('opens a graph too large to read whole at its top-left corner, at a readable zoom', () => {
    const positions = new Map(
      Array.from({ length: 60 }, (_, i) => [`n${i}`, { x: 100, y: 50 + i * 140 }] as const),
    );
    const viewport = initialViewport(positions, 1200, 600);
    assert.equal(viewport.zoom, readableZoom);
    assert.equal(viewport.x, 24 - 100 * readableZoom);
    assert.equal(viewport.y, 24 - 50 * readableZoom);
  });

  it('has a neutral viewport for an empty graph', () => {
    assert.deepEqual(initialViewport(new Map(), 800, 600), { x: 0, y: 0, zoom: 1 });
  });
});
