import ELK from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import type { LayoutEngine } from './canvas.layout.ts';

let engine: LayoutEngine | undefined;

/**
 * The browser's layout engine: elkjs's API on the main thread, its ~1.6 MB layered algorithm in
 * a Web Worker (the worker script is served as-is from `/assets/`, same origin, so the Content
 * Security Policy's `script-src 'self'` admits it). One worker, made on first use, serves
 * every canvas of the page.
 */
export function layoutEngine(): LayoutEngine {
  // elkjs is CommonJS; its class is both the module and its `default`, which Vite and TypeScript agree on.
  engine ??= new ELK.default({ workerUrl: elkWorkerUrl });
  return engine;
}
