/**
 * Decode-only throughput of the OTLP metrics decoders on realistic collector self-telemetry
 * (~120 number points per request, as one otelcol-contrib pushes every interval).
 *
 *   node --import tsx bench/otlp-decode.bench.ts [seconds-per-case]
 *
 * Baseline: `@opentelemetry/otlp-transformer` 0.223 only serializes requests (its only decoder is
 * for the tiny export *response*), and there is no generated OTLP code in the workspace, so the
 * generic reference is `JSON.parse` of the equivalent OTLP/JSON body — parsing only, without
 * even walking the result.
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { decodeMetricsJson } from '../apps/server/src/protocols/otlp/otlp-json.decoder.ts';
import { decodeMetricsProtobuf } from '../apps/server/src/protocols/otlp/otlp-protobuf.decoder.ts';
import type { DecodeOptions } from '../apps/server/src/protocols/otlp/otlp-protobuf.decoder.ts';
import {
  collectorSelfTelemetry,
  encodeOtlpJson,
  encodeOtlpProtobuf,
} from '../apps/server/src/protocols/otlp/testing/collector-telemetry.fixture.ts';

export interface DecodeRate {
  readonly payloadsPerSecond: number;
  readonly pointsPerSecond: number;
  /** Decoded Sum/Gauge points per payload (averaged over the set). */
  readonly pointsPerPayload: number;
}

const everything: DecodeOptions = { wants: () => true };

/**
 * Decodes `payloads` round-robin with the protobuf decoder for about `seconds` (after a short
 * warm-up) and reports the rate. Points are the decoded MetricPoints, not ignored ones.
 */
export function decodeOnlyRate(
  payloads: readonly Uint8Array[],
  seconds: number,
  options: DecodeOptions = everything,
): DecodeRate {
  let points = 0;
  for (const payload of payloads) {
    for (const resource of decodeMetricsProtobuf(payload, options).resources)
      points += resource.points.length;
  }
  const pointsPerPayload = points / payloads.length;
  const payloadsPerSecond = measure(payloads, seconds, (payload) => decodeMetricsProtobuf(payload, options));
  return { payloadsPerSecond, pointsPerSecond: payloadsPerSecond * pointsPerPayload, pointsPerPayload };
}

/** Runs `work` over `inputs` round-robin; returns iterations per second after a warm-up. */
function measure<T>(inputs: readonly T[], seconds: number, work: (input: T) => unknown): number {
  if (inputs.length === 0) throw new Error('no inputs to measure');
  let sink = 0;
  const run = (budgetMs: number): number => {
    const start = performance.now();
    let iterations = 0;
    let elapsedMs = 0;
    do {
      // Read the clock every 64 iterations only: it is not free at these rates.
      for (let i = 0; i < 64; i++) {
        if (work(inputs[(iterations + i) % inputs.length]!) !== undefined) sink += 1;
      }
      iterations += 64;
      elapsedMs = performance.now() - start;
    } while (elapsedMs < budgetMs);
    return (iterations / elapsedMs) * 1000;
  };
  run(Math.min(500, seconds * 250));
  const rate = run(seconds * 1000);
  // Keeps the results observable so the work cannot be optimised away.
  if (sink < 0) console.log(sink);
  return rate;
}

/** One payload per simulated collector, so per-instance strings (ids, host names) vary. */
function buildPayloads(collectors: number): { protobuf: Uint8Array[]; json: string[] } {
  const protobuf: Uint8Array[] = [];
  const json: string[] = [];
  for (let i = 0; i < collectors; i++) {
    const resourceMetrics = collectorSelfTelemetry({
      instanceId: `0b8a3e6c-2f41-4c55-9d0e-${String(i).padStart(12, '0')}`,
      hostName: `edge-gw-${i}.example.internal`,
      tick: i,
    });
    protobuf.push(encodeOtlpProtobuf(resourceMetrics));
    json.push(encodeOtlpJson(resourceMetrics));
  }
  return { protobuf, json };
}

function format(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function main(): void {
  const seconds = Number(process.argv[2] ?? 3);
  const { protobuf, json } = buildPayloads(32);
  const protobufBytes = protobuf.reduce((sum, payload) => sum + payload.length, 0) / protobuf.length;
  const jsonBytes = json.reduce((sum, payload) => sum + payload.length, 0) / json.length;

  console.log(`CPU: ${os.cpus()[0]?.model ?? 'unknown'} · Node ${process.version} · ${seconds} s per case`);
  console.log(`payload: ~${Math.round(protobufBytes)} B protobuf / ~${Math.round(jsonBytes)} B JSON`);

  const decoded = decodeOnlyRate(protobuf, seconds);
  console.log(
    `protobuf decoder (wants() all):             ${format(decoded.payloadsPerSecond)} payloads/s, ` +
      `${format(decoded.pointsPerSecond)} points/s (${decoded.pointsPerPayload} points/payload)`,
  );

  const throughputOnly: DecodeOptions = {
    wants: (name) => /^otelcol_(receiver|exporter|processor)_/.test(name),
  };
  const filtered = decodeOnlyRate(protobuf, seconds, throughputOnly);
  console.log(
    `protobuf decoder (throughput-only wants()): ${format(filtered.payloadsPerSecond)} payloads/s, ` +
      `${format(filtered.pointsPerSecond)} points/s (${filtered.pointsPerPayload} points/payload)`,
  );

  const jsonDecoderRate = measure(json, seconds, (text) => decodeMetricsJson(text, everything));
  console.log(`JSON decoder (parse + walk):               ${format(jsonDecoderRate)} payloads/s`);

  const baseline = measure(json, seconds, (text) => JSON.parse(text) as unknown);
  console.log(`baseline JSON.parse only:                  ${format(baseline)} payloads/s`);
  console.log(`ratio protobuf decoder / baseline: ${(decoded.payloadsPerSecond / baseline).toFixed(2)}×`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
