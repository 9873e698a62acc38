import type {
  FleetTopologyView,
  ThroughputChartView,
  TopologyNodeDetailView,
  TopologyView,
} from '@linkmesh/contracts/topology-api';
import { apiRequest } from './client.ts';

/** The canvas's look-back window: sparklines and rates over the last 15 minutes. */
export const canvasWindow = '15m';

const collectorBase = (id: string) => `/collectors/${encodeURIComponent(id)}`;

/** One collector's graph with read-time rates. */
export function getTopology(id: string): Promise<TopologyView> {
  return apiRequest<TopologyView>(`${collectorBase(id)}/topology?window=${canvasWindow}`);
}

/**
 * The Server-Sent Events URL of a collector's topology: `event: topology` with a
 * {@link TopologyView}, at once and on every new sample (for `EventSource`, which adds the cookie).
 */
export const topologyStreamUrl = (id: string): string =>
  `/api/v1${collectorBase(id)}/topology/stream?window=${canvasWindow}`;

/** The side panel of one element: raw counters and the last day per bucket. */
export function getTopologyNode(id: string, nodeId: string): Promise<TopologyNodeDetailView> {
  return apiRequest<TopologyNodeDetailView>(
    `${collectorBase(id)}/topology/nodes/${encodeURIComponent(nodeId)}?window=24h`,
  );
}

/** The collector detail page's last-day chart. */
export function getThroughputChart(id: string): Promise<ThroughputChartView> {
  return apiRequest<ThroughputChartView>(`${collectorBase(id)}/throughput/chart?window=24h`);
}

const fleetQuery = (groupId: string | null) => {
  const query = new URLSearchParams({ window: canvasWindow });
  if (groupId !== null) query.set('group', groupId);
  return query.toString();
};

/** The fleet as collectors and the destinations they share, optionally one group's. */
export function getFleetTopology(groupId: string | null): Promise<FleetTopologyView> {
  return apiRequest<FleetTopologyView>(`/topology?${fleetQuery(groupId)}`);
}

export const fleetTopologyStreamUrl = (groupId: string | null): string =>
  `/api/v1/topology/stream?${fleetQuery(groupId)}`;
