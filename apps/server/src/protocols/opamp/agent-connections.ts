import type { FleetListener, FleetService } from '../../domain/fleet/fleet.service.ts';
import { boundedCache } from '../../domain/shared/bounded-cache.ts';
import type { Clock } from '../../domain/shared/clock.ts';
import type { AgentConnection } from './agent-connection.ts';

/** Agents handed their config at once within a fleet-wide walk (overlaps storage round trips). */
const fanOutBatchSize = 8;
/** A fleet-wide walk yields to the event loop after this much work, so no slice stalls it longer. */
const fanOutSliceMs = 10;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What the fan-out reports (the server's metrics; tests and the benchmark read them there). */
export interface FanOutObserver {
  /**
   * A fleet-wide walk ended: `done` after every agent, or `superseded` by a newer change after
   * `agents` of them; `seconds` from the change to the end.
   */
  fanOut(outcome: 'done' | 'superseded', seconds: number, agents: number): void;
}

export interface AgentConnectionsSettings {
  /** An agent silent this long is `stale` (WebSocket still open) or `disconnected` (HTTP). */
  readonly silenceMs: number;
  /** Plain-HTTP agents remembered at most (least recently polled forgotten first). */
  readonly maxPollingAgents: number;
}

/**
 * Every OpAMP connection of this process, WebSocket and plain HTTP alike, by collector — so a
 * deregistration, a rotation or a config change reaches exactly that collector's connections —
 * and plain-HTTP agents by instance uid, so a poll finds its session with one lookup. State is
 * bounded: WebSocket entries leave when their socket closes, HTTP ones when they fall silent,
 * say goodbye, or are the least recently polled past `maxPollingAgents`.
 */
export class AgentConnections implements FleetListener {
  private readonly byCollector = new Map<string, Set<AgentConnection>>();
  private readonly polling;
  /** Fleet-wide walks started; a walk whose number is no longer the latest stops. */
  private walks = 0;

  constructor(
    private readonly fleet: FleetService,
    private readonly clock: Clock,
    private readonly settings: AgentConnectionsSettings,
    private readonly observer: FanOutObserver = { fanOut: () => undefined },
  ) {
    this.polling = boundedCache<string, AgentConnection>(settings.maxPollingAgents, {
      dispose: (connection) => this.untrack(connection),
    });
  }

  /** The connection now speaks for its collector (after its first message attached it). */
  track(connection: AgentConnection): void {
    const collectorId = connection.collectorId;
    if (collectorId === undefined) return;
    let set = this.byCollector.get(collectorId);
    if (!set) this.byCollector.set(collectorId, (set = new Set()));
    set.add(connection);
  }

  /** Removes a connection; true when it was its collector's last one in this process. */
  untrack(connection: AgentConnection): boolean {
    const collectorId = connection.collectorId;
    if (collectorId === undefined) return false;
    const set = this.byCollector.get(collectorId);
    if (!set?.delete(connection)) return false;
    if (set.size > 0) return false;
    this.byCollector.delete(collectorId);
    return true;
  }

  /** The plain-HTTP connection of this instance uid, if one is remembered. */
  pollingAgent(instanceUid: string): AgentConnection | undefined {
    return this.polling.get(instanceUid);
  }

  rememberPollingAgent(instanceUid: string, connection: AgentConnection): void {
    if (instanceUid === '') return;
    const previous = this.polling.get(instanceUid);
    if (previous === connection) return;
    this.polling.set(instanceUid, connection);
    this.track(connection);
  }

  forgetPollingAgent(instanceUid: string): void {
    this.polling.delete(instanceUid);
  }

  connectionsOf(collectorId: string): readonly AgentConnection[] {
    return [...(this.byCollector.get(collectorId) ?? [])];
  }

  get size(): number {
    let total = 0;
    for (const set of this.byCollector.values()) total += set.size;
    return total;
  }

  collectorDeregistered(collectorId: string): void {
    for (const connection of this.connectionsOf(collectorId)) {
      if (connection.transport === 'http') this.forgetPollingAgent(connection.session.instanceUid ?? '');
      connection.close(1008, 'collector deregistered');
    }
  }

  bearerRotated(collectorId: string, token: string): boolean {
    let delivered = false;
    for (const connection of this.connectionsOf(collectorId))
      delivered = connection.deliverBearer(token) || delivered;
    return delivered;
  }

  /**
   * A desired config changed (one collector's, or every one's): WebSocket agents get it now,
   * polling ones on their next poll. Resolves when every push was handed to its socket, or — for
   * a fleet-wide change — when a newer fleet-wide change took over the walk.
   *
   * A fleet-wide change is walked off the caller's path (it starts on the next turn of the event
   * loop, so the write that caused it answers first) and in slices: `fanOutBatchSize` agents at
   * a time, yielding to the event loop once `fanOutSliceMs` has been spent, so a change to 10,000
   * agents never holds the loop for longer than one slice. A newer fleet-wide change ends an
   * older walk at its next slice (its own walk covers every agent with the newer config); agents
   * the old walk already reached are pushed again only when their config differs. See decision 0020.
   */
  async configChanged(collectorId?: string): Promise<void> {
    if (collectorId !== undefined) {
      await Promise.all(this.connectionsOf(collectorId).map((connection) => connection.deliverConfig()));
      return;
    }
    const walk = ++this.walks;
    const startedMs = performance.now();
    await yieldToEventLoop();
    const targets = [...this.byCollector.values()].flatMap((set) => [...set]);
    let sliceStartedMs = performance.now();
    for (let next = 0; next < targets.length; next += fanOutBatchSize) {
      if (walk !== this.walks) {
        this.observer.fanOut('superseded', (performance.now() - startedMs) / 1000, next);
        return;
      }
      const batch = targets.slice(next, next + fanOutBatchSize);
      await Promise.all(batch.map((connection) => connection.deliverConfig()));
      if (performance.now() - sliceStartedMs >= fanOutSliceMs) {
        await yieldToEventLoop();
        sliceStartedMs = performance.now();
      }
    }
    this.observer.fanOut('done', (performance.now() - startedMs) / 1000, targets.length);
  }

  /**
   * Liveness, by the injected clock: a WebSocket agent silent for `silenceMs` is `stale` until it
   * speaks again; a polling agent that missed its polls is forgotten and `disconnected` (missed
   * polls are all there is). Resolves to the number of collectors whose status changed.
   */
  async sweep(): Promise<number> {
    const nowMs = this.clock.nowMs();
    const seconds = this.settings.silenceMs / 1000;
    const changes: Promise<void>[] = [];
    for (const set of [...this.byCollector.values()]) {
      for (const connection of [...set]) {
        const { session } = connection;
        const collectorId = session.collectorId;
        if (collectorId === undefined || nowMs - session.lastMessageAtMs <= this.settings.silenceMs) continue;
        if (connection.transport === 'http') {
          this.forgetPollingAgent(session.instanceUid ?? '');
          this.untrack(connection);
          changes.push(
            this.fleet.setConnectionStatus(collectorId, 'disconnected', `no poll for ${seconds} s`),
          );
        } else if (!session.stale) {
          session.stale = true;
          changes.push(this.fleet.setConnectionStatus(collectorId, 'stale', `no message for ${seconds} s`));
        }
      }
    }
    await Promise.all(changes);
    return changes.length;
  }
}
