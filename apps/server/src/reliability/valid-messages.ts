/**
 * Valid request bodies for every decoder and endpoint the reliability fuzzing attacks: the seeds
 * that mutations start from, so the mutated inputs get past the first checks.
 */
import { create, toBinary, toJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import {
  GetConfigRequestSchema,
  RegisterCollectorRequestSchema,
  RemoteConfigStatuses,
  UnregisterCollectorRequestSchema,
} from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import {
  AgentToServerSchema,
  ComponentHealthSchema,
  RemoteConfigStatuses as OpampStatuses,
} from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import { newInstanceUid, instanceUidToString } from '../protocols/opamp/opamp.codec.ts';
import {
  collectorSelfTelemetry,
  encodeOtlpJson,
  encodeOtlpProtobuf,
} from '../protocols/otlp/testing/collector-telemetry.fixture.ts';
import {
  anyValue,
  gaugeData,
  metric,
  numberPoint,
  request,
  sumData,
} from '../protocols/otlp/testing/otlp-bytes.ts';
import { gaugeRequestObject, T0_NS_TEXT } from '../protocols/otlp/testing/otlp-json.ts';
import {
  DEFAULT_EFFECTIVE_CONFIG_YAML,
  DEFAULT_HOST,
  describeAgent,
  effectiveConfig,
  healthyCollector,
  remoteConfigStatus,
  SUPERVISOR_CAPABILITIES,
} from '../testing/opamp/opamp-agent.state.ts';

/** OTLP/HTTP protobuf bodies: a real exporter's encoding and hand-built ones with attributes. */
export function otlpProtobufSeeds(): Uint8Array[] {
  return [
    encodeOtlpProtobuf(collectorSelfTelemetry()),
    request({ 'service.name': anyValue.string('otelcol-contrib') }, [
      metric(
        'otelcol_receiver_accepted_metric_points',
        sumData([numberPoint({ asInt: 5n, attributes: { receiver: anyValue.string('otlp') } })]),
      ),
      metric(
        'otelcol_exporter_queue_size',
        gaugeData([
          numberPoint({
            asDouble: 1.5,
            attributes: {
              nested: anyValue.kvlist(['a', anyValue.array(anyValue.int(1), anyValue.bool(true))]),
              bytes: anyValue.bytes(Uint8Array.of(1, 2, 3)),
            },
          }),
        ]),
      ),
    ]),
  ];
}

/** OTLP/JSON request documents (parsed, for value-level mutation). */
export function otlpJsonSeeds(): unknown[] {
  return [
    JSON.parse(encodeOtlpJson(collectorSelfTelemetry())) as unknown,
    gaugeRequestObject([
      {
        timeUnixNano: T0_NS_TEXT,
        asDouble: 2.5,
        attributes: [
          { key: 'k', value: { kvlistValue: { values: [{ key: 'a', value: { intValue: '7' } }] } } },
        ],
      },
    ]),
  ];
}

/** A complete AgentToServer a supervisor sends on first contact. */
export function agentToServerBytes(instanceUid: Uint8Array = newInstanceUid()): Uint8Array {
  const uidText = instanceUidToString(instanceUid) ?? '';
  return toBinary(
    AgentToServerSchema,
    create(AgentToServerSchema, {
      instanceUid,
      sequenceNum: 0n,
      capabilities: SUPERVISOR_CAPABILITIES,
      agentDescription: describeAgent(uidText, DEFAULT_HOST),
      health: {
        ...healthyCollector(1_767_225_600_000),
        componentHealthMap: { pipeline: create(ComponentHealthSchema, { healthy: true }) },
      },
      effectiveConfig: effectiveConfig(DEFAULT_EFFECTIVE_CONFIG_YAML),
      remoteConfigStatus: remoteConfigStatus(OpampStatuses.RemoteConfigStatuses_APPLIED, Uint8Array.of(1, 2)),
    }),
  );
}

/** A heartbeat: instance uid, sequence number and capabilities only. */
export function agentHeartbeatBytes(instanceUid: Uint8Array = newInstanceUid()): Uint8Array {
  return toBinary(
    AgentToServerSchema,
    create(AgentToServerSchema, { instanceUid, sequenceNum: 1n, capabilities: SUPERVISOR_CAPABILITIES }),
  );
}

const alloyConfig = 'prometheus.exporter.self "alloy" { }\n';

const getConfig = create(GetConfigRequestSchema, {
  id: 'alloy-1',
  attributes: { env: 'prod' },
  localAttributes: { 'collector.os': 'linux' },
  hash: 'abc123',
  remoteConfigStatus: { status: RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, errorMessage: '' },
  effectiveConfig: { configMap: { configMap: { '': { body: new TextEncoder().encode(alloyConfig) } } } },
});
const register = create(RegisterCollectorRequestSchema, {
  id: 'alloy-1',
  name: 'alloy-1',
  attributes: { env: 'prod' },
  localAttributes: { 'collector.os': 'linux' },
});
const unregister = create(UnregisterCollectorRequestSchema, { id: 'alloy-1' });

export type ConnectMethod = 'GetConfig' | 'RegisterCollector' | 'UnregisterCollector';

/** The request schema of each `collector.v1.CollectorService` method. */
export const connectSchemas: Readonly<Record<ConnectMethod, DescMessage>> = {
  GetConfig: GetConfigRequestSchema,
  RegisterCollector: RegisterCollectorRequestSchema,
  UnregisterCollector: UnregisterCollectorRequestSchema,
};

/** Each method's request as Alloy's remotecfg client fills it, in both Connect codecs. */
export const connectSeeds: Readonly<Record<ConnectMethod, { binary: Uint8Array; json: JsonValue }>> = {
  GetConfig: {
    binary: toBinary(GetConfigRequestSchema, getConfig),
    json: toJson(GetConfigRequestSchema, getConfig),
  },
  RegisterCollector: {
    binary: toBinary(RegisterCollectorRequestSchema, register),
    json: toJson(RegisterCollectorRequestSchema, register),
  },
  UnregisterCollector: {
    binary: toBinary(UnregisterCollectorRequestSchema, unregister),
    json: toJson(UnregisterCollectorRequestSchema, unregister),
  },
};
