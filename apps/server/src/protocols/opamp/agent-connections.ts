import type { FleetListener, FleetService } from '../../domain/fleet/fleet.service.ts';
import { boundedCache } from '../../domain/shared/bounded-cache.ts';
import type { Clock } from '../../domain/shared/clock.ts';
import type { AgentConnection } from './agent-connection.ts';

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

  constructor(
    private readonly fleet: FleetService,
    private readonly clock: Clock,
    private readonly settings: AgentConnectionsSettings,
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
   * polling ones on their next poll. Resolves when every push was handed to its socket.
   */
  async configChanged(collectorId?: string): Promise<void> {
    const targets =
      collectorId === undefined
        ? [...this.byCollector.values()].flatMap((set) => [...set])
        : this.connectionsOf(collectorId);
    await Promise.all(targets.map((connection) => connection.deliverConfig()));
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
