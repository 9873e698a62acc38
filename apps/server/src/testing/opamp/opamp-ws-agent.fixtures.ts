/**
 * Shared set-up for the OpampWsAgent tests: a fake server and an agent per test (closed after
 * it), and predicates over the messages the server received.
 */
import type { TestContext } from 'node:test';
import type { AgentToServer } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { KeyValue } from '@linkmesh/contracts/gen/opamp/v1/anyvalue_pb';
import { FakeOpampServer } from './fake-opamp-server.ts';
import type { FakeOpampConnection, FakeOpampServerOptions } from './fake-opamp-server.ts';
import { OpampWsAgent } from './opamp-ws-agent.ts';
import type { OpampWsAgentOptions } from './opamp-ws-agent.ts';

export const NEW_CONFIG_YAML =
  'receivers:\n  otlp: {}\nexporters:\n  otlphttp:\n    endpoint: https://backend\n';

export async function startServer(
  t: TestContext,
  options: FakeOpampServerOptions = {},
): Promise<FakeOpampServer> {
  const server = await FakeOpampServer.start(options);
  t.after(() => server.close());
  return server;
}

export function agentFor(
  t: TestContext,
  server: FakeOpampServer,
  options: Partial<OpampWsAgentOptions> = {},
): OpampWsAgent {
  const agent = new OpampWsAgent({
    url: server.url,
    headers: { Authorization: 'Bearer token-1' },
    ...options,
  });
  t.after(() => agent.close({ disconnect: false }));
  return agent;
}

/** Connects and returns the server side of the connection once the first message arrived. */
export async function connected(server: FakeOpampServer, agent: OpampWsAgent): Promise<FakeOpampConnection> {
  await agent.connect();
  const first = await server.received.waitForCount(server.received.length + 1);
  return first.connection;
}

/** The next message the server receives after the ones it has now. */
export function nextMessage(
  server: FakeOpampServer,
  predicate: (msg: AgentToServer) => boolean = () => true,
) {
  return server.received
    .waitFor((entry) => predicate(entry.msg), { fromIndex: server.received.length })
    .then((entry) => entry.msg);
}

export function attributes(keyValues: readonly KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries(
    (keyValues ?? []).map((kv) => [
      kv.key,
      kv.value?.value.case === 'stringValue' ? kv.value.value.value : kv.value,
    ]),
  );
}

export function isFullState(msg: AgentToServer): boolean {
  return (
    msg.agentDescription !== undefined &&
    msg.health !== undefined &&
    msg.effectiveConfig !== undefined &&
    msg.remoteConfigStatus !== undefined
  );
}

export function isHeartbeat(msg: AgentToServer): boolean {
  return (
    msg.agentDescription === undefined &&
    msg.health === undefined &&
    msg.effectiveConfig === undefined &&
    msg.remoteConfigStatus === undefined &&
    msg.agentDisconnect === undefined &&
    msg.flags === 0n
  );
}

export function effectiveYaml(msg: AgentToServer): string | undefined {
  const file = msg.effectiveConfig?.configMap?.configMap[''];
  return file && new TextDecoder().decode(file.body);
}

export function remoteConfig(yaml: string, hash: number) {
  return {
    remoteConfig: {
      config: { configMap: { '': { body: new TextEncoder().encode(yaml), contentType: 'text/yaml' } } },
      configHash: new Uint8Array([hash]),
    },
  };
}
