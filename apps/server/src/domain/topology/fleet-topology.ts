import type {
  FleetTopologyEdgeView,
  FleetTopologyNodeView,
  FleetTopologyView,
  TopologyFlag,
} from '@linkmesh/contracts/topology-api';
import { parseComponentId } from '@linkmesh/pipelines/component-ids';
import type { Destination, Route, Source } from '@linkmesh/pipelines/model';
import type { FleetListItem } from '../fleet/fleet-list.types.ts';
import { effectiveLabels } from '../pipelines/effective-labels.ts';
import type { ObjectSnapshot } from '../pipelines/object-snapshot.ts';
import type { Clock } from '../shared/clock.ts';
import { notFound } from '../shared/errors.ts';

export interface FleetTopologyDeps {
  readonly clock: Clock;
  readonly objects: { snapshot(): Promise<ObjectSnapshot> };
  /** Every live collector as the fleet list shows it (derived status, current rates), at `asOfMs`. */
  readonly fleet: (asOfMs: number) => Promise<FleetListItem[]>;
  /** The `limit` collectors with the most records in per second (then the rest), one read. */
  readonly busiest: (asOfMs: number, limit: number) => Promise<FleetListItem[]>;
}

/** Collectors drawn at most when none is asked for; the busiest are kept. */
export const defaultFleetViewCollectors = 500;

interface Drawn {
  readonly item: FleetListItem;
  readonly labels: Readonly<Record<string, string>>;
  readonly routes: readonly Route[];
}

/**
 * The fleet view (issue #12 item 3): collectors as nodes with their totals, the destinations
 * their routes send to (shared destinations drawn once), collector → destination edges with what
 * that collector's exporters for it sent, and collector → collector links where a collector's
 * OTLP destination points at another collector's OTLP source (host = its hostname, port = one
 * the source listens on). Rates come from the per-collector summary the ingest keeps, so 10,000
 * collectors cost one fleet-list read, not 10,000 throughput reads.
 */
export class FleetTopologyService {
  constructor(private readonly deps: FleetTopologyDeps) {}

  async view(options: { groupId?: string | undefined; limit: number }): Promise<FleetTopologyView> {
    const nowMs = this.deps.clock.nowMs();
    const snapshot = await this.deps.objects.snapshot();
    if (options.groupId !== undefined && snapshot.get(options.groupId)?.kind !== 'group') {
      throw notFound(`group ${options.groupId}`);
    }
    // The whole fleet: the busiest `limit` (+1, to know it was cut) straight from storage, sorted
    // there. A group: every collector, for its label matchers (computed here, not in SQL).
    const items =
      options.groupId === undefined
        ? await this.deps.busiest(nowMs, options.limit + 1)
        : await this.deps.fleet(nowMs);
    const targeted = items.map((item) => ({
      id: item.collector.id,
      labels: effectiveLabels(item.collector),
      item,
    }));
    const members =
      options.groupId === undefined ? targeted : snapshot.groupMembers(options.groupId, targeted);
    const busiest = [...members].sort((a, b) => traffic(b.item) - traffic(a.item) || (a.id < b.id ? -1 : 1));
    const drawn: Drawn[] = busiest
      .slice(0, options.limit)
      .map((m) => ({ item: m.item, labels: m.labels, routes: snapshot.routesTargeting(m) }));

    const nodes: FleetTopologyNodeView[] = drawn.map(({ item }) => collectorNode(item));
    const edges: FleetTopologyEdgeView[] = [];
    const destinations = new Map<string, FleetTopologyNodeView>();
    const listeners = otlpListeners(drawn, snapshot);
    for (const { item, routes } of drawn) {
      const from = `collector:${item.collector.id}`;
      for (const destinationId of new Set(routes.flatMap((r) => r.destinationIds))) {
        const object = snapshot.get(destinationId);
        if (object?.kind !== 'destination') continue;
        const sent = sentTo(item, destinationId);
        const peer = forwardTarget(object.value, listeners, item.collector.id);
        if (peer !== undefined) {
          edges.push({ id: `${from}>${peer}`, from, to: peer, kind: 'forwards_to', recordsPerSec: sent });
          continue;
        }
        const to = `destination:${destinationId}`;
        const node = destinations.get(to) ?? destinationNode(to, destinationId, object.value);
        node.recordsInPerSec = add(node.recordsInPerSec, sent);
        node.errorsPerSec = add(node.errorsPerSec, failedTo(item, destinationId));
        destinations.set(to, node);
        edges.push({ id: `${from}>${to}`, from, to, kind: 'exports_to', recordsPerSec: sent });
      }
    }
    for (const node of destinations.values()) {
      if ((node.errorsPerSec ?? 0) > 0) node.flags.push('errors');
      if (node.recordsInPerSec === null) node.flags.push('no_data');
    }
    return {
      generatedAt: new Date(nowMs).toISOString(),
      groupId: options.groupId ?? null,
      nodes: [...nodes, ...destinations.values()],
      edges,
      truncated: members.length > drawn.length,
    };
  }
}

/** What "busiest" sorts by: records in per second, as storage sorts the whole fleet's read. */
const traffic = (item: FleetListItem) => item.rates.recordsInPerSec ?? -1;

const add = (a: number | null, b: number | null): number | null => (b === null ? a : (a ?? 0) + b);

function collectorNode(item: FleetListItem): FleetTopologyNodeView {
  const flags: TopologyFlag[] = [];
  if ((item.rates.errorsPerSec ?? 0) > 0) flags.push('errors');
  if (item.rates.recordsInPerSec === null && item.rates.recordsOutPerSec === null) flags.push('no_data');
  return {
    id: `collector:${item.collector.id}`,
    kind: 'collector',
    name: item.collector.name,
    type: item.collector.runtime,
    collectorId: item.collector.id,
    status: item.status,
    recordsInPerSec: item.rates.recordsInPerSec,
    recordsOutPerSec: item.rates.recordsOutPerSec,
    errorsPerSec: item.rates.errorsPerSec,
    flags,
  };
}

function destinationNode(id: string, objectId: string, destination: Destination): FleetTopologyNodeView {
  return {
    id,
    kind: 'destination',
    name: destination.name,
    type: destination.type,
    objectId,
    recordsInPerSec: null,
    recordsOutPerSec: null,
    errorsPerSec: null,
    flags: [],
  };
}

/** What this collector's exporters for the destination sent per second (every helper exporter of it). */
function sentTo(item: FleetListItem, destinationId: string): number | null {
  return sumExporters(item, destinationId, 'recordsPerSec');
}

function failedTo(item: FleetListItem, destinationId: string): number | null {
  return sumExporters(item, destinationId, 'errorsPerSec');
}

function sumExporters(
  item: FleetListItem,
  destinationId: string,
  field: 'recordsPerSec' | 'errorsPerSec',
): number | null {
  let total: number | null = null;
  for (const rate of item.rates.exporterRates) {
    const parsed = parseComponentId(rate.componentId);
    if (parsed.kind === 'destination' && parsed.objectId === destinationId) total = add(total, rate[field]);
  }
  return total;
}

/** `host:port` → the collector node that listens there with an OTLP source of one of its routes. */
function otlpListeners(drawn: readonly Drawn[], snapshot: ObjectSnapshot): Map<string, string> {
  const listeners = new Map<string, string>();
  for (const { item, routes } of drawn) {
    const hostname = item.collector.hostname?.toLowerCase();
    if (!hostname) continue;
    for (const route of routes) {
      const source = snapshot.get(route.sourceId);
      if (source?.kind !== 'source' || source.value.type !== 'otlp') continue;
      for (const port of otlpPorts(source.value)) {
        listeners.set(`${hostname}:${port}`, `collector:${item.collector.id}`);
        const short: string | undefined = hostname.split('.')[0];
        if (short && short !== hostname) listeners.set(`${short}:${port}`, `collector:${item.collector.id}`);
      }
    }
  }
  return listeners;
}

function otlpPorts(source: Source): string[] {
  const config = source.config as {
    grpc?: { enabled?: boolean; endpoint?: string };
    http?: typeof config.grpc;
  };
  return [config.grpc, config.http]
    .filter((t) => t !== undefined && t.enabled !== false)
    .map((t) => t?.endpoint?.split(':').at(-1) ?? '')
    .filter((port) => port !== '');
}

/** The collector an OTLP destination sends to, when its endpoint names one (never itself). */
function forwardTarget(
  destination: Destination,
  listeners: ReadonlyMap<string, string>,
  selfId: string,
): string | undefined {
  if (destination.type !== 'otlp' && destination.type !== 'otlphttp') return undefined;
  const endpoint = (destination.config as { endpoint?: unknown }).endpoint;
  if (typeof endpoint !== 'string') return undefined;
  const hostPort = endpointHostPort(endpoint, destination.type === 'otlp' ? '4317' : '4318');
  const peer = hostPort === undefined ? undefined : listeners.get(hostPort);
  return peer === `collector:${selfId}` ? undefined : peer;
}

/**
 * @example endpointHostPort('https://Gateway-1.example:4318/v1', '4318') // 'gateway-1.example:4318'
 * @example endpointHostPort('gw-2:4317', '4317') // 'gw-2:4317'
 */
export function endpointHostPort(endpoint: string, defaultPort: string): string | undefined {
  try {
    const url = new URL(endpoint.includes('://') ? endpoint : `grpc://${endpoint}`);
    const port =
      url.port || (url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : defaultPort);
    return `${url.hostname.toLowerCase()}:${port}`;
  } catch {
    return undefined;
  }
}
