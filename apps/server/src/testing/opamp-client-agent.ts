import { createOpAMPClient, RemoteConfigStatuses } from '@elastic/opamp-client-node';
import { AgentCapabilities } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';

export interface ReceivedConfig {
  /** The config body (the `''` entry of the config map), secrets in, as delivered. */
  readonly body: string;
  readonly hash: Uint8Array;
}

export interface OpampClientAgent {
  /** Every remote config the server sent, oldest first. */
  readonly received: readonly ReceivedConfig[];
  /** Resolves on the first remote config: by then the server has the collector record. */
  readonly firstConfig: Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * An OpAMP agent on the real `@elastic/opamp-client-node` client (OpAMP over plain HTTP),
 * enrolled with an enrollment token, that accepts remote config and reports each one APPLIED —
 * or FAILED with the message `verdict` gives. Without ReportsOwnMetrics, as this client does not
 * take connection settings: the server offers it no self-telemetry destination.
 *
 * @example
 * const agent = startOpampClientAgent({ url: t.url, enrollmentToken, hostname: 'edge-1' });
 * await agent.firstConfig;
 */
export function startOpampClientAgent(options: {
  readonly url: string;
  readonly enrollmentToken: string;
  /** `host.name` in its description: how a test finds its collector. */
  readonly hostname: string;
  /** A failure message to report FAILED with, or undefined for APPLIED. */
  readonly verdict?: (body: string) => string | undefined;
}): OpampClientAgent {
  const received: ReceivedConfig[] = [];
  let markFirst: () => void = () => undefined;
  const firstConfig = new Promise<void>((resolve) => (markFirst = resolve));
  const client = createOpAMPClient({
    endpoint: `${options.url}/v1/opamp`,
    headers: { Authorization: `Bearer ${options.enrollmentToken}` },
    capabilities: BigInt(
      AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig |
        AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
    ),
    heartbeatIntervalSeconds: 0.2,
    onMessage: (data: unknown) => {
      const remote = (
        data as {
          remoteConfig?: {
            configHash: Uint8Array;
            config?: { configMap: Record<string, { body: Uint8Array }> };
          };
        }
      ).remoteConfig;
      if (!remote) return;
      const body = Buffer.from(remote.config?.configMap['']?.body ?? new Uint8Array()).toString();
      received.push({ body, hash: remote.configHash });
      const failure = options.verdict?.(body);
      client.setRemoteConfigStatus({
        status:
          failure === undefined
            ? RemoteConfigStatuses.RemoteConfigStatuses_APPLIED
            : RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
        lastRemoteConfigHash: remote.configHash,
        errorMessage: failure ?? '',
      });
      markFirst();
    },
  });
  client.setAgentDescription({
    identifyingAttributes: { 'service.name': 'otelcol-contrib', 'service.version': '0.135.0' },
    nonIdentifyingAttributes: { 'host.name': options.hostname, 'os.type': 'linux' },
  });
  client.start();
  return { received, firstConfig, shutdown: () => client.shutdown() };
}
