/**
 * What a simulated supervisor does with a `connection_settings` offer (protocols.md §2.5, §2.8),
 * decided without side effects; the agent carries the decision out.
 */
import { AgentCapabilities } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { ConnectionSettingsOffers, Headers } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import { hasBit } from '../../protocols/opamp/opamp.codec.ts';
import type { OwnMetricsOffer } from './opamp-ws-agent.options.ts';

export interface OfferDecision {
  /** Present when the offer carried own_metrics; `offer` undefined = own metrics removed. */
  ownMetrics?: { offer: OwnMetricsOffer | undefined };
  /** New heartbeat interval (opamp-go applies it whenever the agent has ReportsHeartbeat). */
  heartbeatIntervalMs?: number;
  /** Stop the OpAMP client and start a new one with exactly these settings. */
  reconnectTo?: { url: string; headers: Record<string, string> };
  /** Why (part of) the offer was refused. */
  rejection?: string;
}

/**
 * Decides how to apply `offers` for an agent with `capabilities`.
 * - own_metrics: recorded as offered (endpoint verbatim, headers as given).
 * - opamp.heartbeat_interval_seconds: applied when non-zero. A 0 is indistinguishable from "not
 *   offered" in proto3 and is ignored here; opamp-go may instead turn WS heartbeats off, so a
 *   server should always offer a non-zero value.
 * - opamp endpoint + headers: needs AcceptsOpAMPConnectionSettings and a non-empty endpoint (the
 *   supervisor's validation); the reconnect uses only the offered headers.
 */
export function decideOffers(offers: ConnectionSettingsOffers, capabilities: bigint): OfferDecision {
  const decision: OfferDecision = {};
  const metrics = offers.ownMetrics;
  if (metrics) {
    decision.ownMetrics = {
      offer:
        metrics.destinationEndpoint === ''
          ? undefined
          : { endpoint: metrics.destinationEndpoint, headers: headerRecord(metrics.headers) },
    };
  }
  const opamp = offers.opamp;
  if (!opamp) return decision;
  if (
    opamp.heartbeatIntervalSeconds > 0n &&
    hasBit(capabilities, AgentCapabilities.AgentCapabilities_ReportsHeartbeat)
  ) {
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
