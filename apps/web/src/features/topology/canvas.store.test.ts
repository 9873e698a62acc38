import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toCanvasModel } from './canvas.map.ts';
import { CanvasStore } from './canvas.store.ts';
import { routedView } from './testing/topology-views.ts';

describe('CanvasStore', () => {
  it('notifies only the elements whose numbers changed and keeps the others’ identity', () => {
    const store = new CanvasStore();
    store.apply(toCanvasModel(routedView()));
    const sourceBefore = store.node('src');
    const heard: string[] = [];
    store.subscribe('dst', () => heard.push('dst'));
    store.subscribe('src', () => heard.push('src'));

    const next = routedView();
    next.nodes = next.nodes.map((n) => (n.id === 'dst' ? { ...n, recordsPerSec: 41 } : n));
    const changed = store.apply(toCanvasModel(next));

    assert.deepEqual(changed, ['dst']);
    assert.deepEqual(heard, ['dst']);
    assert.equal(store.node('src'), sourceBefore);
    assert.equal(store.node('dst')?.recordsPerSec, 41);
  });

  it('reports an edge whose rate changed and forgets elements that left', () => {
    const store = new CanvasStore();
    store.apply(toCanvasModel(routedView()));
    const next = routedView();
    next.edges = next.edges
      .filter((e) => e.to !== 'dst')
      .map((e) => (e.from === 'src' ? { ...e, recordsPerSec: 5 } : e));
    next.nodes = next.nodes.filter((n) => n.id !== 'dst');
    // The route edge's offered number changed too: it is the same edge.
    assert.deepEqual(store.apply(toCanvasModel(next)).sort(), ['dst', 'src>step1', 'step2>dst']);
    assert.equal(store.node('dst'), undefined);
  });

  it('stops notifying after unsubscribe', () => {
    const store = new CanvasStore();
    store.apply(toCanvasModel(routedView()));
    let calls = 0;
    const unsubscribe = store.subscribe('src', () => (calls += 1));
    unsubscribe();
    const next = routedView();
    next.nodes = next.nodes.map((n) => ({ ...n, recordsPerSec: 1 }));
    store.apply(toCanvasModel(next));
    assert.equal(calls, 0);
  });
});
