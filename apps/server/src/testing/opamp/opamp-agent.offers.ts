/**
 * What a simulated supervisor does with a `connection_settings` offer (protocols.md §2.5, §2.8),
 * decided without side effects; the agent carries the decision out.
 */
import { AgentCapabilities } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { ConnectionSettingsOffers, Headers } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import { hasBit } from '../../protocols/opamp/opamp.codec.ts';
import type { OwnMetricsOffer } from './opamp-ws-agent.options.ts';

export interface OfferDecision {
  /**
   * Present when the offer carried own_metrics and the agent has ReportsOwnMetrics;
   * `offer` undefined = own metrics removed.
   */
  ownMetrics?: { offer: OwnMetricsOffer | undefined };
  /** New heartbeat interval, 0 = off (opamp-go applies it whenever the agent has ReportsHeartbeat). */
  heartbeatIntervalMs?: number;
  /** Stop the OpAMP client and start a new one with exactly these settings. */
  reconnectTo?: { url: string; headers: Record<string, string> };
  /** Why (part of) the offer was refused. */
  rejection?: string;
}

/**
 * Decides how to apply `offers` for an agent with `capabilities`.
 * - own_metrics (needs ReportsOwnMetrics): recorded as offered (endpoint verbatim, headers as given).
 * - opamp.heartbeat_interval_seconds (needs ReportsHeartbeat): applied as is, like opamp-go's
 *   received-message processing does, even without AcceptsOpAMPConnectionSettings. proto3 cannot
 *   tell 0 from "not set", so an OpAMP offer without an interval turns WS heartbeats off: a
 *   server should always put the interval in every OpAMP offer.
 * - opamp endpoint + headers: needs AcceptsOpAMPConnectionSettings and a non-empty endpoint (the
 *   supervisor's validation); the reconnect uses only the offered headers.
 */
export function decideOffers(offers: ConnectionSettingsOffers, capabilities: bigint): OfferDecision {
  const decision: OfferDecision = {};
  const metrics = offers.ownMetrics;
  if (metrics && hasBit(capabilities, AgentCapabilities.AgentCapabilities_ReportsOwnMetrics)) {
    decision.ownMetrics = {
      offer:
        metrics.destinationEndpoint === ''
          ? undefined
          : { endpoint: metrics.destinationEndpoint, headers: headerRecord(metrics.headers) },
    };
  }
  const opamp = offers.opamp;
  if (!opamp) return decision;
  if (hasBit(capabilities, AgentCapabilities.AgentCapabilities_ReportsHeartbeat)) {
    decision.heartbeatIntervalMs = Number(opamp.heartbeatIntervalSeconds) * 1000;
  }
  if (!hasBit(capabilities, AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings))
    return decision;
  if (opamp.destinationEndpoint === '') {
    decision.rejection = 'connection_settings.opamp without destination_endpoint';
  } else {
    decision.reconnectTo = { url: opamp.destinationEndpoint, headers: headerRecord(opamp.headers) };
  }
  return decision;
}

function headerRecord(headers: Headers | undefined): Record<string, string> {
  return Object.fromEntries((headers?.headers ?? []).map((header) => [header.key, header.value]));
}
