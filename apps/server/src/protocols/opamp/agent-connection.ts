import type { ServerToAgent } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { OpampSession } from './opamp.session.ts';

/**
 * How a connection reaches its agent. A WebSocket can push at any time; a plain-HTTP agent is
 * only reached in the answer to its next poll, so it has no `push`.
 */
export interface AgentChannel {
  push?(message: ServerToAgent): void;
  close(code: number, reason: string): void;
}

/**
 * One agent's connection, the same type for both transports: the OpAMP session (what was said,
 * what to answer) and the channel it travels on. The registry (AgentConnections) holds these;
 * the transports only create them and feed them messages.
 */
export class AgentConnection {
  constructor(
    readonly session: OpampSession,
    private readonly channel: AgentChannel,
  ) {}

  get transport(): 'ws' | 'http' {
    return this.session.transport;
  }

  get collectorId(): string | undefined {
    return this.session.collectorId;
  }

  /** Pushes the desired config now when it changed (WebSocket); polls see it by its hash. */
  async deliverConfig(): Promise<void> {
    if (!this.channel.push) return;
    const message = await this.session.configPush();
    if (message) this.channel.push(message);
  }

  /**
   * Hands a rotated bearer over: pushed now on a WebSocket, answered on the next poll over HTTP.
   * False when the agent takes no connection-settings offers.
   */
  deliverBearer(token: string): boolean {
    const message = this.session.rotate(token);
    if (message && this.channel.push) {
      this.channel.push(message);
      return true;
    }
    return this.transport === 'http';
  }

  close(code: number, reason: string): void {
    this.channel.close(code, reason);
  }
}
