import assert from 'node:assert/strict';
import type { TopologyView } from '@linkmesh/contracts/topology-api';
import { alloyClient } from '../../../../../server/src/testing/alloy-client.ts';
import type { TestServer } from '../../../../../server/src/testing/server-harness.ts';
import { alloySelfTelemetry, type ComponentCounters, type LogSignal } from './alloy-self-telemetry.ts';

/**
 * Seeds pipeline objects, routes and an Alloy collector through the API, as an operator (or
 * their automation) would, and drives the collector's self-telemetry over real OTLP pushes.
 * For the topology browser tests only.
 */

export interface SceneSpec {
  collector: string;
  sources: string[];
  destinations: { name: string; failing?: boolean }[];
  pipelines: { name: string; processors: ('batch' | 'memory_limiter')[] }[];
  routes: { name: string; source: string; pipeline: string; destinations: string[] }[];
}

export interface Scene {
  collectorId: string;
  bearer: string;
  /** Object IDs by name. */
  ids: Map<string, string>;
}

async function post(server: TestServer, path: string, json: unknown): Promise<{ id: string; token: string }> {
  const response = await server.api(path, { method: 'POST', json });
  assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
  return (await response.json()) as { id: string; token: string };
}

export async function seedScene(server: TestServer, spec: SceneSpec): Promise<Scene> {
  const ids = new Map<string, string>();
  const id = (name: string) => ids.get(name) ?? assert.fail(`nothing named ${name}`);
  for (const name of spec.sources) {
    ids.set(name, (await post(server, '/api/v1/sources', { name, type: 'otlp', config: {} })).id);
  }
  for (const { name } of spec.destinations) {
    const body = { name, type: 'otlphttp', config: { endpoint: `https://${name}.vendor.example` } };
    ids.set(name, (await post(server, '/api/v1/destinations', body)).id);
  }
  for (const { name, processors } of spec.pipelines) {
    const body = { name, processors: processors.map((type) => ({ type, config: {} })) };
    ids.set(name, (await post(server, '/api/v1/pipelines', body)).id);
  }
  const collector = await post(server, '/api/v1/collectors', { name: spec.collector, runtime: 'alloy' });
  for (const route of spec.routes) {
    const body = {
      name: route.name,
      sourceId: id(route.source),
      pipelineId: id(route.pipeline),
      destinationIds: route.destinations.map(id),
      target: { collectorIds: [collector.id] },
    };
    ids.set(route.name, (await post(server, '/api/v1/routes', body)).id);
  }
  const { token } = await post(server, `/api/v1/collectors/${collector.id}/token`, {});
  if (spec.routes.length > 0)
    await alloyClient(server.url, token).getConfig({ id: spec.collector, hash: '' });
  return { collectorId: collector.id, bearer: token, ids };
}

export async function readTopology(server: TestServer, collectorId: string): Promise<TopologyView> {
  const response = await server.api(`/api/v1/collectors/${collectorId}/topology?window=15m`);
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as TopologyView;
}

/** Per-element traffic: records/s each source accepts and of which signal, drops, failures, queues. */
export interface Traffic {
  sourcePerSec: (name: string, index: number) => number;
  signalOf: (sourceName: string) => LogSignal;
  /** The share of what enters a step that it drops. */
  dropShare: number;
  /** Of what reaches a destination, the share that fails to send. */
  failShare: (destinationName: string) => number;
  queueFill: (destinationName: string) => number;
}

export type SignalCounters = Partial<Record<LogSignal, ComponentCounters>>;

/**
 * Cumulative counters `seconds` after the process started, flowing each source's rate along the
 * graph's edges on the source's signal: a step passes on what it received less its drop share,
 * a destination sends what reached it less its failures. A component reports the signals that
 * reach it (logs, at zero, when none does).
 */
export function countersAt(view: TopologyView, seconds: number, traffic: Traffic): SignalCounters {
  const byId = new Map(view.nodes.map((node) => [node.id, node]));
  const upstream = new Map<string, Set<string>>();
  for (const edge of view.edges) upstream.set(edge.to, (upstream.get(edge.to) ?? new Set()).add(edge.from));
  const sources = view.nodes.filter((node) => node.kind === 'source');
  const memo = new Map<string, number>();
  const inPerSec = (nodeId: string, signal: LogSignal): number =>
    [...(upstream.get(nodeId) ?? [])].reduce((sum, from) => sum + outPerSec(from, signal), 0);
  const outPerSec = (nodeId: string, signal: LogSignal): number => {
    const key = `${nodeId}|${signal}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const node = byId.get(nodeId);
    let rate = 0;
    if (node?.kind === 'source' && traffic.signalOf(node.name) === signal) {
      rate = traffic.sourcePerSec(node.name, sources.indexOf(node));
    } else if (node?.kind === 'processor') rate = inPerSec(nodeId, signal) * (1 - traffic.dropShare);
    memo.set(key, rate);
    return rate;
  };
  const cumulative = (perSec: number) => Math.round(perSec * seconds);
  const result: SignalCounters = {};
  const into = (signal: LogSignal) => (result[signal] ??= { receivers: {}, processors: {}, exporters: {} });
  for (const node of view.nodes) {
    const flowing = (['logs', 'traces'] as const).filter((signal) =>
      node.kind === 'source' ? outPerSec(node.id, signal) > 0 : inPerSec(node.id, signal) > 0,
    );
    for (const signal of flowing.length > 0 ? flowing : (['logs'] as const)) {
      const counters = into(signal);
      if (node.kind === 'source') {
        (counters.receivers ??= {})[node.componentId] = { accepted: cumulative(outPerSec(node.id, signal)) };
      } else if (node.kind === 'processor') {
        const incoming = inPerSec(node.id, signal);
        (counters.processors ??= {})[node.componentId] = {
          incoming: cumulative(incoming),
          outgoing: cumulative(outPerSec(node.id, signal)),
          dropped: cumulative(incoming * traffic.dropShare),
        };
      } else if (node.kind === 'destination') {
        const reaching = inPerSec(node.id, signal);
        const failing = reaching * traffic.failShare(node.name);
        (counters.exporters ??= {})[node.componentId] = {
          sent: cumulative(reaching - failing),
          sendFailed: cumulative(failing),
          queueSize: Math.round(1000 * traffic.queueFill(node.name)),
          queueCapacity: 1000,
        };
      }
    }
  }
  return result;
}

/** Pushes one sample with the collector's bearer and waits until the server has stored it. */
export async function pushSample(
  server: TestServer,
  bearer: string,
  counters: SignalCounters,
  at: { processStartMs: number; atMs: number },
): Promise<void> {
  const response = await fetch(`${server.url}/v1/metrics`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: alloySelfTelemetry(counters, at),
  });
  assert.equal(response.status, 200, await response.text());
  await server.server.flushTelemetry();
}

/** Adds two sets of cumulative counters (a later stretch of traffic onto an earlier one); gauges take `later`'s. */
export function addCounters(earlier: SignalCounters, later: SignalCounters): SignalCounters {
  const result: SignalCounters = structuredClone(earlier);
  for (const [signal, counters] of Object.entries(later) as [LogSignal, ComponentCounters][]) {
    const into = (result[signal] ??= {});
    for (const [id, c] of Object.entries(counters.receivers ?? {})) {
      const base = (into.receivers ??= {})[id];
      into.receivers[id] = { accepted: (base?.accepted ?? 0) + c.accepted };
    }
    for (const [id, c] of Object.entries(counters.processors ?? {})) {
      const base = (into.processors ??= {})[id];
      into.processors[id] = {
        incoming: (base?.incoming ?? 0) + c.incoming,
        outgoing: (base?.outgoing ?? 0) + c.outgoing,
        dropped: (base?.dropped ?? 0) + (c.dropped ?? 0),
      };
    }
    for (const [id, c] of Object.entries(counters.exporters ?? {})) {
      const base = (into.exporters ??= {})[id];
      into.exporters[id] = {
        ...c,
        sent: (base?.sent ?? 0) + c.sent,
        sendFailed: (base?.sendFailed ?? 0) + (c.sendFailed ?? 0),
      };
    }
  }
  return result;
}
