import ELK from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import { layoutCanvas, type LayoutEngine } from './canvas.layout.ts';

let engine: LayoutEngine | undefined;

/**
 * The browser's layout engine: elkjs's API on the main thread, its ~1.6 MB layered algorithm in
 * a Web Worker (the worker script is served as-is from `/assets/`, same origin, so the Content
 * Security Policy's `script-src 'self'` admits it). One worker, made on first use, serves
 * every canvas of the page.
 *
 * A first layout runs cold (the worker's JavaScript not yet optimised): a small throw-away
 * layout while the first view is still being fetched takes ~40 % off the first real one.
 */
export function layoutEngine(): LayoutEngine {
  // elkjs is CommonJS; its class is both the module and its `default`, which Vite and TypeScript agree on.
  if (engine === undefined) {
    engine = new ELK.default({ workerUrl: elkWorkerUrl });
    void warmUp(engine);
  }
  return engine;
}

/** A 12-element tree laid out with the canvas's options, for its side effect on the worker. */
async function warmUp(target: LayoutEngine): Promise<void> {
  const nodes = Array.from({ length: 12 }, (_, i) => ({ id: `n${i}`, kind: 'processor' as const }));
  const edges = nodes
    .slice(1)
    .map((node, i) => ({ id: `e${i}`, from: `n${Math.floor((i + 1) / 2)}`, to: node.id }));
  await layoutCanvas(target, { nodes, edges }).catch(() => undefined);
}
