import { createClient, type Client } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  CollectorService,
  RemoteConfigStatuses,
  type GetConfigRequestSchema,
  type GetConfigResponse,
} from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import { EventEmitter } from 'node:events';
import type http from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { SimCollector } from './sim-collector.ts';
import type { SimAgentEvents } from './sim-events.ts';

const gzipAsync = promisify(gzip);

export interface SimAlloyPollerOptions {
  /** LinkMesh base URL; the Connect paths and `/v1/metrics` are appended. */
  readonly serverUrl: string;
  /** The collector's `lmct_` bearer (what `remotecfg { bearer_token }` carries). */
  readonly bearer: string;
  /** Alloy's `id`: by default a random UUID persisted in `alloy_seed.json`. */
  readonly id: string;
  /** `remotecfg { name }`, sent only in RegisterCollector. */
  readonly name: string;
  /** `constants.hostname`: Alloy's self-metrics carry it as `service.instance.id`. */
  readonly hostName: string;
  /** `remotecfg { attributes }`; the reserved `collector.os` / `collector.version` are added. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Alloy version as `collector.version` reports it, e.g. `v1.11.3`. */
  readonly version: string;
  /** `poll_frequency`; each wait is jittered by ±10 %, as Alloy's ticker is. */
  readonly pollMs: number;
  /** Loading any served config fails (reported FAILED with the error) instead of APPLIED. */
  readonly failsToApply: boolean;
  /** Scrape-and-push interval of the self-telemetry pipeline once a config is applied. */
  readonly telemetryIntervalMs: number;
  /** Chance per push that Alloy restarted (counters reset, startup calls again). */
  readonly restartProbability: number;
  /** Its `otelcol.exporter.otlphttp.backend` goes through outages. */
  readonly failingExporter: boolean;
  readonly seed: number;
  /** Average items/s a busy source of its pipeline produces (default 200). */
  readonly baseItemsPerSec?: number;
  /** A keep-alive agent shared by the fleet (Alloy keeps its connection open between polls). */
  readonly agent?: http.Agent;
}

export interface SimAlloyPollerStats {
  getConfigCalls: number;
  /** Answers with `not_modified` (the hash sent was current). */
  notModified: number;
  /** Answers carrying new content. */
  configsReceived: number;
  /** Immediate GetConfig calls that carried a status / effective-config change. */
  notifyCalls: number;
  applied: number;
  failed: number;
  registered: number;
  unregistered: number;
  /** Connect calls that failed (transport or error answer). */
  callErrors: number;
  restarts: number;
  pushes: number;
  pushFailures: number;
}

type Status = { readonly status: RemoteConfigStatuses; readonly errorMessage: string };

/** Most immediate follow-up calls after one poll, should the served hash keep changing. */
const maxNotifyCallsPerPoll = 4;

/**
 * An Alloy-like `remotecfg` client (protocols.md §3) for the simulator: GetConfig (hash "") then
 * RegisterCollector at start, GetConfig every jittered `pollMs` with the last hash; new content
 * is reported APPLYING, then APPLIED with its effective config (or FAILED with an error), each
 * change carried by an immediate "notify" GetConfig; UnregisterCollector on stop. Once a config
 * is applied, it pushes Alloy-shaped self-telemetry (gzip protobuf) with its bearer, as the
 * served pipeline would. Its collector runs the pipeline of the content it loaded (read with
 * the server's own config-graph parser), so the pushes name the components LinkMesh served.
 */
export class SimAlloyPoller {
  private readonly client: Client<typeof CollectorService>;
  private readonly collector: SimCollector;
  private readonly localAttributes: Record<string, string>;
  private lastHash = '';
  /** Hash of the content that loaded successfully (APPLIED is re-reported against it). */
  private loadedHash: string | undefined;
  private status: Status | undefined;
  private sentStatus: Status | undefined;
  private effectiveConfig: string | undefined;
  private sentEffectiveConfig: string | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private pushTimer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private stopped = false;
  private restartPending = false;
  /** Content received but not loaded yet (APPLYING is reported first). */
  private pendingContent: { content: string; hash: string } | undefined;
  readonly stats: SimAlloyPollerStats = {
    getConfigCalls: 0,
    notModified: 0,
    configsReceived: 0,
    notifyCalls: 0,
    applied: 0,
    failed: 0,
    registered: 0,
    unregistered: 0,
    callErrors: 0,
    restarts: 0,
    pushes: 0,
    pushFailures: 0,
  };
  /** `pipeline` and `push` (see SimAgentEvents). */
  readonly events = new EventEmitter<SimAgentEvents>();

  constructor(private readonly options: SimAlloyPollerOptions) {
    this.localAttributes = {
      ...options.attributes,
      'collector.os': 'linux',
      'collector.version': options.version,
    };
    const userAgent = `Alloy/${options.version} (linux; binary)`;
    this.client = createClient(
      CollectorService,
      createConnectTransport({
        baseUrl: options.serverUrl,
        httpVersion: '1.1',
        useBinaryFormat: true,
        ...(options.agent ? { nodeOptions: { agent: options.agent } } : {}),
        interceptors: [
          (next) => (request) => {
            request.header.set('Authorization', `Bearer ${options.bearer}`);
            request.header.set('User-Agent', userAgent);
            return next(request);
          },
        ],
      }),
    );
    this.collector = new SimCollector(
      {
        baseItemsPerSec: options.baseItemsPerSec ?? 200,
        failingExporter: options.failingExporter,
        restartProbability: options.restartProbability,
        withoutPrefix: false,
        flavor: 'alloy',
        instanceId: options.hostName,
        hostName: options.hostName,
        seed: options.seed,
      },
      Date.now(),
    );
  }

  /** Alloy's start: fetch (hash ""), then register; then the jittered poll loop. */
  async start(): Promise<void> {
    await this.serialized(() => this.startup());
    this.schedulePoll();
  }

  /** Stops polling and pushing, waits for the call in flight, then UnregisterCollector. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    clearInterval(this.pushTimer);
    await this.inFlight;
    await this.call(async () => {
      await this.client.unregisterCollector({ id: this.options.id });
      this.stats.unregistered += 1;
    });
  }

  /** One call at a time, as Alloy's single service goroutine makes them. */
  private serialized(work: () => Promise<void>): Promise<void> {
    this.inFlight = this.inFlight.then(work, work);
    return this.inFlight;
  }

  private async startup(): Promise<void> {
    await this.poll();
    await this.call(async () => {
      await this.client.registerCollector({
        id: this.options.id,
        name: this.options.name,
        localAttributes: this.localAttributes,
      });
      this.stats.registered += 1;
    });
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    const jitter = 0.9 + 0.2 * Math.random();
    this.pollTimer = setTimeout(() => {
      void this.serialized(() => (this.restartPending ? this.restart() : this.poll())).then(() =>
        this.schedulePoll(),
      );
    }, this.options.pollMs * jitter);
  }

  /** A restarted process has only its seed id: it fetches from scratch and registers again. */
  private async restart(): Promise<void> {
    this.restartPending = false;
    this.stats.restarts += 1;
    this.lastHash = '';
    this.loadedHash = undefined;
    this.pendingContent = undefined;
    this.status = undefined;
    this.sentStatus = undefined;
    this.effectiveConfig = undefined;
    this.sentEffectiveConfig = undefined;
    await this.startup();
  }

  /**
   * A scheduled GetConfig and the immediate "notify" calls that status changes trigger: new
   * content goes out as APPLYING first, then loads and goes out as APPLIED (with the effective
   * config) or FAILED.
   */
  private async poll(): Promise<void> {
    let response = await this.getConfig();
    for (let notify = 0; response && notify < maxNotifyCallsPerPoll; notify++) {
      const content = this.pendingContent;
      if (content) {
        if (this.status?.status === RemoteConfigStatuses.RemoteConfigStatuses_APPLYING) this.load(content);
        else this.setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLYING);
      }
      if (!this.hasUnsentChange()) break;
      this.stats.notifyCalls += 1;
      response = await this.getConfig();
    }
  }

  private hasUnsentChange(): boolean {
    return this.status !== this.sentStatus || this.effectiveConfig !== this.sentEffectiveConfig;
  }

  /** One GetConfig carrying whatever changed since the last successful call; handles the answer. */
  private async getConfig(): Promise<GetConfigResponse | undefined> {
    const status = this.status;
    const effective = this.effectiveConfig;
    const request: MessageInitShape<typeof GetConfigRequestSchema> = {
      id: this.options.id,
      hash: this.lastHash,
      localAttributes: this.localAttributes,
    };
    // Alloy sends each only when it changed since the last successful call.
    if (status && status !== this.sentStatus) request.remoteConfigStatus = status;
    if (effective !== undefined && effective !== this.sentEffectiveConfig) {
      request.effectiveConfig = {
        configMap: { configMap: { '': { body: Buffer.from(effective), contentType: 'text/plain' } } },
      };
    }
    this.stats.getConfigCalls += 1;
    let response: GetConfigResponse;
    try {
      response = await this.client.getConfig(request);
    } catch (error) {
      this.stats.callErrors += 1;
      // Alloy reports a failed fetch as FAILED on its next successful call.
      this.setStatus(
        RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
        `fetching remote config: ${String(error)}`,
      );
      return undefined;
    }
    this.sentStatus = status;
    this.sentEffectiveConfig = effective;
    if (response.notModified) this.onNotModified();
    else this.onContent(response);
    return response;
  }

  private onNotModified(): void {
    this.stats.notModified += 1;
    // The config it runs is the one last received: Alloy says APPLIED (again, after a failed fetch).
    const applied = RemoteConfigStatuses.RemoteConfigStatuses_APPLIED;
    if (this.loadedHash === this.lastHash && this.status?.status !== applied) this.setStatus(applied);
  }

  private onContent(response: GetConfigResponse): void {
    this.stats.configsReceived += 1;
    this.lastHash = response.hash;
    this.pendingContent = { content: response.content, hash: response.hash };
  }

  /** The components whose series its pushes carry now. */
  get componentIds(): string[] {
    return this.collector.reportingComponentIds;
  }

  /**
   * Loads new content: the effective config and APPLIED (its collector now runs the content's
   * pipeline; content that does not parse leaves it as it was), or FAILED for a collector that fails.
   */
  private load(served: { content: string; hash: string }): void {
    this.pendingContent = undefined;
    if (this.options.failsToApply) {
      this.stats.failed += 1;
      this.setStatus(
        RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
        'loading remote config: 3:1: component "otelcol.exporter.otlphttp.linkmesh" does not exist or is out of scope',
      );
      return;
    }
    this.effectiveConfig = served.content;
    this.loadedHash = served.hash;
    this.collector.deliver(served.content);
    this.stats.applied += 1;
    this.setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED);
    this.startPushing();
  }

  private setStatus(status: RemoteConfigStatuses, errorMessage = ''): void {
    this.status = { status, errorMessage };
  }

  private async call(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch {
      this.stats.callErrors += 1;
    }
  }

  /** Pushes the self-telemetry the served pipeline forwards (scrape → OTLP/HTTP, gzip). */
  private startPushing(): void {
    if (this.pushTimer || this.stopped) return;
    const push = async () => {
      const nowMs = Date.now();
      const restartsBefore = this.collector.restarts;
      const running = this.collector.pipeline;
      this.collector.advance(nowMs);
      if (this.collector.restarts !== restartsBefore) this.restartPending = true;
      const componentIds = this.collector.reportingComponentIds;
      if (this.collector.pipeline !== running) this.events.emit('pipeline', componentIds);
      const body = await gzipAsync(this.collector.encode(nowMs));
      const response = await fetch(`${this.options.serverUrl}/v1/metrics`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.bearer}`,
          'content-type': 'application/x-protobuf',
          'content-encoding': 'gzip',
          'user-agent': `Alloy/${this.options.version} (linux; binary)`,
        },
        body,
      }).catch(() => undefined);
      if (response?.ok) this.stats.pushes += 1;
      else this.stats.pushFailures += 1;
      await response?.arrayBuffer();
      this.events.emit('push', { ok: response?.ok === true, componentIds });
    };
    void push();
    this.pushTimer = setInterval(() => void push(), this.options.telemetryIntervalMs);
  }
}
