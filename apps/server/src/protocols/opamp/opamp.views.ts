import type { AnyValue, KeyValue } from '@linkmesh/contracts/gen/opamp/v1/anyvalue_pb';
import {
  RemoteConfigStatuses,
  type AgentDescription,
  type ComponentHealth,
  type EffectiveConfig,
  type RemoteConfigStatus,
} from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type {
  AgentDescriptionView,
  HealthView,
  RemoteConfigState,
  RemoteConfigStatusView,
} from '../../domain/opamp/opamp-agent.types.ts';

/** OpAMP messages → the plain views the domain stores. */

const maxHealthDepth = 8;

export function anyValueText(value: AnyValue | undefined): string {
  const v = value?.value;
  switch (v?.case) {
    case 'stringValue':
      return v.value;
    case 'boolValue':
      return String(v.value);
    case 'intValue':
      return v.value.toString();
    case 'doubleValue':
      return String(v.value);
    case 'bytesValue':
      return Buffer.from(v.value).toString('base64');
    case 'arrayValue':
      return JSON.stringify(v.value.values.map((item) => anyValueText(item)));
    case 'kvlistValue':
      return JSON.stringify(attributes(v.value.values));
    case undefined:
      return '';
  }
}

export function attributes(list: readonly KeyValue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) out[kv.key] = anyValueText(kv.value);
  return out;
}

export function descriptionView(description: AgentDescription): AgentDescriptionView {
  return {
    identifying: attributes(description.identifyingAttributes),
    nonIdentifying: attributes(description.nonIdentifyingAttributes),
  };
}

export function healthView(health: ComponentHealth, depth = 0): HealthView {
  const components: Record<string, HealthView> = {};
  if (depth < maxHealthDepth) {
    for (const [name, child] of Object.entries(health.componentHealthMap))
      components[name] = healthView(child, depth + 1);
  }
  return {
    healthy: health.healthy,
    status: health.status,
    lastError: health.lastError,
    startTimeUnixMs: Number(health.startTimeUnixNano / 1_000_000n),
    components,
  };
}

/** Keyed by number: a value from a newer spec arrives as a plain number and maps to UNSET. */
const stateOf: Partial<Record<number, RemoteConfigState>> = {
  [RemoteConfigStatuses.RemoteConfigStatuses_UNSET]: 'UNSET',
  [RemoteConfigStatuses.RemoteConfigStatuses_APPLIED]: 'APPLIED',
  [RemoteConfigStatuses.RemoteConfigStatuses_APPLYING]: 'APPLYING',
  [RemoteConfigStatuses.RemoteConfigStatuses_FAILED]: 'FAILED',
};

export function remoteConfigStatusView(status: RemoteConfigStatus): RemoteConfigStatusView {
  return {
    lastRemoteConfigHash: Buffer.from(status.lastRemoteConfigHash).toString('hex'),
    status: stateOf[status.status] ?? 'UNSET',
    errorMessage: status.errorMessage,
  };
}

/** The effective config as one text: single-file agents use one entry (key ""); others are joined by name. */
export function effectiveConfigText(config: EffectiveConfig): string {
  const files = Object.entries(config.configMap?.configMap ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (files.length === 1) return Buffer.from(files[0]?.[1].body ?? new Uint8Array()).toString('utf8');
  return files
    .map(([name, file]) => `# --- ${name || '(default)'}\n${Buffer.from(file.body).toString('utf8')}`)
    .join('\n');
}
