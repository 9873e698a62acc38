import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fromBinary, fromJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import type { GetConfigRequest } from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import fc from 'fast-check';
import { jsonDepthProblem } from '../protocols/http/json-depth.ts';
import {
  decodeHttpBody,
  decodeWsFrame,
  DEFAULT_MAX_MESSAGE_BYTES,
  instanceUidToString,
  newInstanceUid,
  OpampFrameError,
  validateAgentToServer,
} from '../protocols/opamp/opamp.codec.ts';
import { OtlpDecodeError } from '../protocols/otlp/otlp-decode.common.ts';
import { decodeMetricsJson } from '../protocols/otlp/otlp-json.decoder.ts';
import { decodeMetricsProtobuf } from '../protocols/otlp/otlp-protobuf.decoder.ts';
import { pollOf } from '../protocols/remotecfg/remotecfg.routes.ts';
import {
  nestedKeyValue,
  opampMessageWithAttribute,
  opampMessageWithDeepHealth,
  otlpJsonWithDeepAttribute,
  otlpRequestWithPointAttribute,
} from './deep-messages.ts';
import { deepJsonText, mutatedBytes, mutatedJson, randomBytes } from './fuzz-mutations.ts';
import { bySize } from './server-process.ts';
import {
  agentHeartbeatBytes,
  agentToServerBytes,
  connectSchemas,
  connectSeeds,
  otlpJsonSeeds,
  otlpProtobufSeeds,
  type ConnectMethod,
} from './valid-messages.ts';

/**
 * Issue #9 suite item: property fuzzing of every decoder a collector's bytes reach before any
 * business rule. Each decoder, given random bytes, mutated valid messages (flipped, inserted,
 * deleted and truncated bytes, wrong wire types, huge length prefixes, spliced seeds) and deeply
 * nested AnyValues, returns a value or throws the error type its module declares — the one the
 * transport maps to a 4xx. Any other exception would reach the HTTP layer as a 500. No single
 * input may take a second (a stall is a denial of service on one event loop).
 */

const numRuns = bySize({ ci: 1500, full: 10_000 });
const maxDecodeMs = 1000;

interface Tally {
  decoded: number;
  refused: number;
  slowestMs: number;
}
const tallies = new Map<string, Tally>();

after(() => {
  for (const [decoder, tally] of tallies)
    console.log(
      `${decoder}: ${tally.decoded + tally.refused} inputs, ${tally.decoded} decoded, ${tally.refused} refused with the declared error, slowest ${tally.slowestMs.toFixed(1)} ms`,
    );
});

/**
 * Runs `decode` and checks the outcome: a value, or an error `declared` accepts. Any other
 * exception fails the property with the input that caused it.
 */
function checkDecode(decoder: string, decode: () => unknown, declared: (error: unknown) => boolean): unknown {
  const tally = tallies.get(decoder) ?? { decoded: 0, refused: 0, slowestMs: 0 };
  tallies.set(decoder, tally);
  const startedMs = performance.now();
  let value: unknown;
  try {
    value = decode();
    tally.decoded += 1;
  } catch (error) {
    if (!declared(error))
      throw new Error(`${decoder} threw an undeclared ${describeError(error)}`, { cause: error });
    tally.refused += 1;
    value = undefined;
  }
  const elapsedMs = performance.now() - startedMs;
  tally.slowestMs = Math.max(tally.slowestMs, elapsedMs);
  assert.ok(elapsedMs < maxDecodeMs, `${decoder} took ${elapsedMs.toFixed(0)} ms for one input`);
  return value;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : `non-Error ${String(error)}`;
}

const wantsAll = { wants: () => true };
const wantsSome = { wants: (name: string) => name.startsWith('otelcol_') };

const deepLevels = fc.integer({ min: 1, max: 20_000 });
const anyValueShape = fc.constantFrom('kvlist' as const, 'array' as const);

void describe('OTLP metrics decoders under fuzzing', () => {
  const protobufSeeds = otlpProtobufSeeds();
  const protobufInputs = fc.oneof(
    randomBytes,
    { arbitrary: mutatedBytes(protobufSeeds), weight: 4 },
    fc
      .tuple(deepLevels, anyValueShape)
      .map(([levels, shape]) => otlpRequestWithPointAttribute(nestedKeyValue(levels, shape))),
  );

  void it('decodeMetricsProtobuf returns points or throws OtlpDecodeError, within a second per input', () => {
    fc.assert(
      fc.property(protobufInputs, fc.boolean(), (body, all) => {
        checkDecode(
          'decodeMetricsProtobuf',
          () => decodeMetricsProtobuf(body, all ? wantsAll : wantsSome),
          (error) => error instanceof OtlpDecodeError,
        );
      }),
      { numRuns },
    );
  });

  const jsonSeeds = otlpJsonSeeds();
  const utf8 = new TextDecoder();
  const jsonInputs = fc.oneof(
    randomBytes.map((bytes) => utf8.decode(bytes)),
    fc.json(),
    { arbitrary: mutatedJson(jsonSeeds), weight: 4 },
    deepJsonText,
    fc
      .tuple(fc.integer({ min: 1, max: 5000 }), anyValueShape)
      .map(([levels, shape]) => otlpJsonWithDeepAttribute(levels, shape)),
  );

  void it('decodeMetricsJson returns points or throws OtlpDecodeError, within a second per input', () => {
    fc.assert(
      fc.property(jsonInputs, fc.boolean(), (text, all) => {
        checkDecode(
          'decodeMetricsJson',
          () => decodeMetricsJson(text, all ? wantsAll : wantsSome),
          (error) => error instanceof OtlpDecodeError,
        );
      }),
      { numRuns },
    );
  });
});

void describe('OpAMP codec under fuzzing', () => {
  const uid = newInstanceUid();
  const seeds = [agentToServerBytes(uid), agentHeartbeatBytes(uid)];
  const messages = fc.oneof(
    randomBytes,
    { arbitrary: mutatedBytes(seeds), weight: 4 },
    fc
      .tuple(deepLevels, anyValueShape)
      .map(([levels, shape]) => opampMessageWithAttribute(uid, nestedKeyValue(levels, shape))),
    deepLevels.map((levels) => opampMessageWithDeepHealth(uid, levels)),
  );
  // The limit is the transport's (64 MiB by default); small ones exercise the too_large path.
  const limits = fc.constantFrom(DEFAULT_MAX_MESSAGE_BYTES, 65_536, 256, 0);

  /** The frame error the transport maps (1009 close / 413 for too_large, bad request / 400 otherwise). */
  function frameErrorFor(length: number, maxBytes: number) {
    return (error: unknown) =>
      error instanceof OpampFrameError && (error.kind === 'too_large') === length > maxBytes;
  }

  /** What the transport does next with a decoded message; it must not throw either. */
  function firstLook(message: unknown): void {
    if (message === undefined) return;
    const decoded = message as ReturnType<typeof decodeWsFrame>;
    validateAgentToServer(decoded);
    instanceUidToString(decoded.instanceUid);
  }

  void it('decodeWsFrame returns a message or throws OpampFrameError of the right kind, within a second', () => {
    const headers = fc.oneof(
      fc.constant(Uint8Array.of(0x00)),
      fc.constant(new Uint8Array(0)),
      fc.uint8Array({ minLength: 1, maxLength: 11 }),
    );
    fc.assert(
      fc.property(headers, messages, limits, (header, body, maxBytes) => {
        const frame = new Uint8Array(header.length + body.length);
        frame.set(header);
        frame.set(body, header.length);
        firstLook(
          checkDecode(
            'decodeWsFrame',
            () => decodeWsFrame(frame, maxBytes),
            frameErrorFor(frame.length, maxBytes),
          ),
        );
      }),
      { numRuns },
    );
  });

  void it('decodeHttpBody returns a message or throws OpampFrameError of the right kind, within a second', () => {
    fc.assert(
      fc.property(messages, limits, (body, maxBytes) => {
        firstLook(
          checkDecode(
            'decodeHttpBody',
            () => decodeHttpBody(body, maxBytes),
            frameErrorFor(body.length, maxBytes),
          ),
        );
      }),
      { numRuns },
    );
  });
});

/**
 * The Connect adapter's decode step as remotecfg.connect.ts runs it on a body that passed the
 * size caps: binary via fromBinary; JSON refused past the depth limit, then JSON.parse and
 * fromJson. Every Error it throws becomes 400 `invalid_argument`.
 */
function decodeConnect(schema: DescMessage, codec: 'proto' | 'json', body: Buffer): unknown {
  if (codec === 'proto') return fromBinary(schema, body);
  const depthProblem = jsonDepthProblem(body, 64);
  if (depthProblem !== undefined) throw new Error(depthProblem);
  return fromJson(schema, JSON.parse(body.length === 0 ? '{}' : body.toString('utf8')) as JsonValue);
}

void describe('Connect CollectorService request decoding under fuzzing', () => {
  const methods: readonly ConnectMethod[] = ['GetConfig', 'RegisterCollector', 'UnregisterCollector'];
  for (const method of methods) {
    const seed = connectSeeds[method];
    const binary = fc.oneof(randomBytes, {
      arbitrary: mutatedBytes([seed.binary, connectSeeds.GetConfig.binary]),
      weight: 4,
    });
    const json = fc.oneof(
      fc.json(),
      { arbitrary: mutatedJson([seed.json]), weight: 4 },
      deepJsonText,
      randomBytes.map((bytes) => new TextDecoder().decode(bytes)),
    );
    const inputs = fc.oneof(
      binary.map((bytes) => ({ codec: 'proto' as const, body: Buffer.from(bytes) })),
      json.map((text) => ({ codec: 'json' as const, body: Buffer.from(text, 'utf8') })),
    );

    void it(`${method}: decodes or fails with an Error (400 invalid_argument); a decoded request maps to a poll`, () => {
      fc.assert(
        fc.property(inputs, ({ codec, body }) => {
          const decoded = checkDecode(
            `Connect ${method}Request`,
            () => decodeConnect(connectSchemas[method], codec, body),
            (error) => error instanceof Error,
          );
          // GetConfig and RegisterCollector bodies become the domain's poll outside the decode's
          // try block: a throw there would be a 500.
          if (decoded !== undefined && method !== 'UnregisterCollector') pollOf(decoded as GetConfigRequest);
        }),
        { numRuns },
      );
    });
  }
});
