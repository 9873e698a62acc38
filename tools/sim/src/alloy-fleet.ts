import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import { SimAlloyPoller, type SimAlloyPollerStats } from './alloy-poller.ts';
import type { ProvisionedCollector } from './fleet.ts';

export interface AlloyFleetOptions {
  readonly serverUrl: string;
  /** Alloy collectors provisioned with `provisionCollectors(…, { runtime: 'alloy' })`. */
  readonly collectors: readonly ProvisionedCollector[];
  /** `remotecfg { name }` of collector i is `${namePrefix}-${i}`. */
  readonly namePrefix: string;
  readonly pollMs: number;
  readonly telemetryIntervalMs: number;
  /** Share of collectors for which loading the served config fails (reported FAILED). */
  readonly failRatio: number;
  readonly failingExporterRatio: number;
  readonly restartProbability: number;
  /** Most Alloy connections open at once (one keep-alive agent for the fleet). */
  readonly maxSockets?: number;
  /** Average items/s a busy source of each collector's pipeline produces (default 200). */
  readonly baseItemsPerSec?: number;
}

const environments = ['prod', 'staging', 'dev'] as const;
const clusters = ['eu1', 'eu2', 'us1', 'ap1'] as const;

/**
 * Alloy-like remotecfg pollers for provisioned collectors, each with its own seed UUID and user
 * attributes (`env`, `cluster`), sharing one keep-alive agent. The first `round(N × failRatio)`
 * fail to load their config; the last `round(N × failingExporterRatio)` have exporter outages.
 */
export class AlloyFleet {
  readonly pollers: readonly SimAlloyPoller[];
  private readonly agent: http.Agent;

  constructor(options: AlloyFleetOptions) {
    const count = options.collectors.length;
    const failing = Math.round(count * options.failRatio);
    const failingExporters = Math.round(count * options.failingExporterRatio);
    const Agent = options.serverUrl.startsWith('https:') ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256 });
    this.pollers = options.collectors.map(
      (collector, i) =>
        new SimAlloyPoller({
          serverUrl: options.serverUrl,
          bearer: collector.bearer,
          id: randomUUID(),
          name: `${options.namePrefix}-${i}`,
          hostName: `sim-alloy-${i}`,
          attributes: {
            env: environments[i % environments.length] ?? 'prod',
            cluster: clusters[i % clusters.length] ?? 'eu1',
          },
          version: 'v1.11.3',
          pollMs: options.pollMs,
          failsToApply: i < failing,
          telemetryIntervalMs: options.telemetryIntervalMs,
          restartProbability: options.restartProbability,
          failingExporter: i >= count - failingExporters,
          seed: i + 1,
          agent: this.agent,
          ...(options.baseItemsPerSec === undefined ? {} : { baseItemsPerSec: options.baseItemsPerSec }),
        }),
    );
  }

  /** Starts the pollers `parallel` at a time (each start is a GetConfig and a RegisterCollector). */
  async start(parallel = 16): Promise<void> {
    let next = 0;
    const worker = async () => {
      for (let poller = this.pollers[next++]; poller; poller = this.pollers[next++]) await poller.start();
    };
    await Promise.all(Array.from({ length: Math.min(parallel, this.pollers.length) }, worker));
  }

  /** Every poller unregisters (as Alloy does on shutdown); then the connections close. */
  async stop(): Promise<void> {
    await Promise.all(this.pollers.map((poller) => poller.stop()));
    this.agent.destroy();
  }

  /** The fleet's stats summed over its pollers. */
  totals(): SimAlloyPollerStats {
    const sum: Partial<Record<keyof SimAlloyPollerStats, number>> = {};
    for (const poller of this.pollers) {
      for (const [key, value] of Object.entries(poller.stats) as [keyof SimAlloyPollerStats, number][])
        sum[key] = (sum[key] ?? 0) + value;
    }
    return sum as SimAlloyPollerStats;
  }
}
