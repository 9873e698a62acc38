import type { CanvasModel, EdgeFacts, NodeFacts } from './canvas.types.ts';

type Listener = () => void;

/**
 * The canvas's live numbers, keyed by element ID, with one listener set per element: a new
 * sample notifies only the elements whose facts changed, so React re-renders only their labels
 * (the node and edge lists React Flow holds do not change at all). Unchanged facts keep their
 * object identity, which is what `useSyncExternalStore` compares.
 *
 * @example
 * const store = new CanvasStore();
 * store.apply(toCanvasModel(view)); // → IDs of the elements that changed
 * const unsubscribe = store.subscribe('otlp/src_x', () => render(store.node('otlp/src_x')));
 */
export class CanvasStore {
  private readonly nodes = new Map<string, NodeFacts>();
  private readonly edges = new Map<string, EdgeFacts>();
  private readonly listeners = new Map<string, Set<Listener>>();

  node(id: string): NodeFacts | undefined {
    return this.nodes.get(id);
  }

  edge(id: string): EdgeFacts | undefined {
    return this.edges.get(id);
  }

  /** Listens to one element (node or edge ID); returns the unsubscribe function. */
  subscribe(id: string, listener: Listener): () => void {
    let set = this.listeners.get(id);
    if (!set) {
      set = new Set();
      this.listeners.set(id, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(id);
    };
  }

  /** Takes a new model; notifies and returns the elements whose facts changed. */
  apply(model: CanvasModel): string[] {
    const changed = [
      ...replace(this.nodes, model.nodes, sameNode),
      ...replace(this.edges, model.edges, sameEdge),
    ];
    for (const id of changed) this.listeners.get(id)?.forEach((listener) => listener());
    return changed;
  }
}

function replace<T extends { id: string }>(
  map: Map<string, T>,
  next: readonly T[],
  same: (a: T, b: T) => boolean,
): string[] {
  const changed: string[] = [];
  const seen = new Set<string>();
  for (const item of next) {
    seen.add(item.id);
    const current = map.get(item.id);
    if (current !== undefined && same(current, item)) continue;
    map.set(item.id, item);
    changed.push(item.id);
  }
  for (const id of map.keys()) {
    if (seen.has(id)) continue;
    map.delete(id);
    changed.push(id);
  }
  return changed;
}

const sameList = <T>(a: readonly T[], b: readonly T[]) =>
  a.length === b.length && a.every((value, i) => Object.is(value, b[i]));

function sameNode(a: NodeFacts, b: NodeFacts): boolean {
  return (
    a.name === b.name &&
    a.type === b.type &&
    a.kind === b.kind &&
    a.componentId === b.componentId &&
    a.recordsPerSec === b.recordsPerSec &&
    a.errorsPerSec === b.errorsPerSec &&
    a.incomingPerSec === b.incomingPerSec &&
    a.dropPercent === b.dropPercent &&
    a.queue?.size === b.queue?.size &&
    a.queue?.capacity === b.queue?.capacity &&
    a.tone === b.tone &&
    a.missing === b.missing &&
    a.href === b.href &&
    a.inPerSec === b.inPerSec &&
    a.status === b.status &&
    sameList(a.signals, b.signals) &&
    sameList(a.flags, b.flags) &&
    sameList(a.sparkline, b.sparkline) &&
    sameList(a.errorSparkline, b.errorSparkline)
  );
}

function sameEdge(a: EdgeFacts, b: EdgeFacts): boolean {
  return (
    a.recordsPerSec === b.recordsPerSec &&
    a.errorsPerSec === b.errorsPerSec &&
    a.route?.offeredPerSec === b.route?.offeredPerSec &&
    a.route?.matchedPerSec === b.route?.matchedPerSec &&
    a.tone === b.tone &&
    a.missing === b.missing &&
    a.measuredAt === b.measuredAt &&
    sameList(a.signals, b.signals) &&
    sameList(a.sparkline, b.sparkline)
  );
}
