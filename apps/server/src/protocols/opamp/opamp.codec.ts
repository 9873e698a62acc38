/**
 * OpAMP wire framing (WebSocket and plain HTTP) and the small value helpers every OpAMP handler
 * needs: instance uids, capability bits and the first validation of an incoming AgentToServer.
 *
 * Messages are the generated `opamp.proto.v1` types (`@linkmesh/contracts/gen/opamp/v1/opamp_pb`);
 * note that every uint64/fixed64 field (capabilities, flags, sequence_num, timestamps) is a
 * `bigint`, while the generated enums (AgentCapabilities, ServerCapabilities, …) are numbers.
 */
import { randomBytes } from 'node:crypto';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import {
  AgentCapabilities,
  AgentToServerSchema,
  ServerToAgentSchema,
} from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { AgentToServer, ServerToAgent } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';

/** Spec-recommended limit for one OpAMP message after decompression, in both directions: 64 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** WebSocket close code for a message over the size limit ("Message Too Big"). */
export const WS_CLOSE_MESSAGE_TOO_BIG = 1009;

/**
 * Why an incoming OpAMP message was refused.
 * - `malformed`: bad header or not a valid protobuf message (WS: answer/close as a bad request;
 *   HTTP: 400).
 * - `too_large`: over the caller's byte limit (WS: close with 1009; HTTP: 413, never retried).
 */
export type OpampFrameErrorKind = 'malformed' | 'too_large';

/** An incoming OpAMP frame or body that cannot be accepted. Carries the kind the transport maps. */
export class OpampFrameError extends Error {
  override readonly name = 'OpampFrameError';

  constructor(
    readonly kind: OpampFrameErrorKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Framing
// ---------------------------------------------------------------------------------------------

/**
 * Decodes one binary WebSocket message into `schema`'s message type.
 *
 * A frame is `header` (protobuf varint, only 0 is defined, so today the single byte 0x00) followed
 * by the protobuf message. Frames whose first byte is not 0x00 are the pre-spec-v0.7 header-less
 * form and are decoded whole; this is unambiguous because a protobuf message never starts with
 * 0x00 (field number 0 is invalid). A non-zero header therefore never reaches the header check:
 * its first byte is non-zero, the frame is read as a legacy message and in practice fails to
 * parse (same behaviour as opamp-go's `internal/wsmessage.go`).
 *
 * The decoded message owns its bytes (the payload is copied once), so keeping a field such as
 * `instanceUid` does not pin the socket's receive buffer.
 *
 * @throws OpampFrameError `too_large` when `data` is longer than `maxBytes`; `malformed` otherwise.
 * @example decodeWsFrameOf(ServerToAgentSchema, frame, DEFAULT_MAX_MESSAGE_BYTES) // agent side
 */
export function decodeWsFrameOf<Desc extends DescMessage>(
  schema: Desc,
  data: Uint8Array,
  maxBytes: number,
): MessageShape<Desc> {
  checkSize(data, maxBytes, 'WebSocket message');
  let offset = 0;
  if (data.length > 0 && data[0] === 0x00) {
    const header = readVarint(data);
    if (header === undefined) throw new OpampFrameError('malformed', 'OpAMP frame header is not a varint');
    if (header.value !== 0n) {
      throw new OpampFrameError('malformed', `OpAMP frame header must be 0, got ${header.value}`);
    }
    offset = header.length;
  }
  return decodeProtobuf(schema, data.subarray(offset));
}

/** Encodes one binary WebSocket message: the 0x00 header followed by the protobuf message. */
export function encodeWsFrameOf<Desc extends DescMessage>(schema: Desc, msg: MessageShape<Desc>): Uint8Array {
  const body = toBinary(schema, msg);
  const frame = new Uint8Array(body.length + 1);
  frame.set(body, 1);
  return frame;
}

/**
 * Server side: decodes an agent's WebSocket message (with or without the 0x00 header).
 * @throws OpampFrameError (see {@link decodeWsFrameOf})
 */
export function decodeWsFrame(data: Uint8Array, maxBytes: number): AgentToServer {
  return decodeWsFrameOf(AgentToServerSchema, data, maxBytes);
}

/** Server side: encodes a reply or push for the WebSocket transport (0x00 header + protobuf). */
export function encodeWsFrame(msg: ServerToAgent): Uint8Array {
  return encodeWsFrameOf(ServerToAgentSchema, msg);
}

/**
 * Server side: decodes a plain-HTTP request body (no header byte). Decompress first: the limit
 * applies to the decompressed size.
 * @throws OpampFrameError `too_large` (→ 413) or `malformed` (→ 400)
 */
export function decodeHttpBody(body: Uint8Array, maxBytes: number): AgentToServer {
  checkSize(body, maxBytes, 'HTTP request body');
  return decodeProtobuf(AgentToServerSchema, body);
}

/** Server side: encodes a plain-HTTP response body (no header byte). */
export function encodeHttpBody(msg: ServerToAgent): Uint8Array {
  return toBinary(ServerToAgentSchema, msg);
}

function checkSize(data: Uint8Array, maxBytes: number, what: string): void {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
  }
  if (data.length > maxBytes) {
    throw new OpampFrameError(
      'too_large',
      `${what} of ${data.length} bytes exceeds the limit of ${maxBytes}`,
    );
  }
}

function decodeProtobuf<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  try {
    // Copy (`new Uint8Array(view)` copies; Buffer#slice would not) so bytes fields do not stay
    // views into the caller's socket buffer. Unknown fields (newer spec additions we do not
    // handle) are dropped rather than kept in memory.
    return fromBinary(schema, new Uint8Array(bytes), { readUnknownFields: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new OpampFrameError('malformed', `${schema.name} is not a valid protobuf message: ${reason}`, {
      cause: error,
    });
  }
}

/** Reads an unsigned base-128 varint (at most 10 bytes) from the start of `data`. */
function readVarint(data: Uint8Array): { value: bigint; length: number } | undefined {
  let value = 0n;
  for (let i = 0; i < Math.min(data.length, 10); i++) {
    const byte = data[i] ?? 0;
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) return { value, length: i + 1 };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Instance uids
// ---------------------------------------------------------------------------------------------

const UUID_TEXT = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;
/** Crockford base32 alphabet used by ULIDs (no I, L, O, U). */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_TEXT = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;

/**
 * Text form of an `instance_uid` field: canonical lower-case UUID text for 16 bytes; for the
 * pre-spec-v0.10 form (a 26-character ULID string in the bytes field) the ULID text as given.
 * Anything else → undefined (run {@link validateAgentToServer} first).
 *
 * This is the form opamp-go sends in the `OpAMP-Instance-UID` header and the supervisor puts in
 * `service.instance.id` — except that supervisors that generated ULIDs sent 16 bytes but used the
 * ULID text there (use {@link ulidToBytes} to correlate those).
 *
 * @example instanceUidToString(uuidToBytes('0190f1a2-b3c4-7d5e-8f60-718293a4b5c6')!) // same text
 */
export function instanceUidToString(uid: Uint8Array): string | undefined {
  if (uid.length === 16) {
    const hex = Buffer.from(uid).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  if (isLegacyUlidUid(uid)) return Buffer.from(uid).toString('latin1');
  return undefined;
}

/** 16 bytes of a canonical UUID text (any case); undefined when `text` is not one. */
export function uuidToBytes(text: string): Uint8Array | undefined {
  const match = UUID_TEXT.exec(text);
  if (!match) return undefined;
  return new Uint8Array(Buffer.from(match.slice(1).join(''), 'hex'));
}

/** 16 bytes of a 26-character ULID text (Crockford base32, any case); undefined otherwise. */
export function ulidToBytes(text: string): Uint8Array | undefined {
  if (!ULID_TEXT.test(text)) return undefined;
  let value = 0n;
  for (const char of text.toUpperCase()) value = (value << 5n) | BigInt(CROCKFORD.indexOf(char));
  const bytes = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}

/**
 * A new instance uid: a UUIDv7 (48-bit Unix milliseconds, version 7, RFC 9562 variant, 74 random
 * bits from node:crypto), as the spec recommends for `instance_uid` and `new_instance_uid`.
 */
export function newInstanceUid(nowMs: number = Date.now()): Uint8Array {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0 || nowMs >= 2 ** 48) {
    throw new RangeError(`nowMs must be an integer in [0, 2^48), got ${nowMs}`);
  }
  const uid = new Uint8Array(randomBytes(16));
  let ms = nowMs;
  for (let i = 5; i >= 0; i--) {
    uid[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  uid[6] = ((uid[6] ?? 0) & 0x0f) | 0x70;
  uid[8] = ((uid[8] ?? 0) & 0x3f) | 0x80;
  return uid;
}

function isLegacyUlidUid(uid: Uint8Array): boolean {
  return uid.length === 26 && ULID_TEXT.test(Buffer.from(uid).toString('latin1'));
}

// ---------------------------------------------------------------------------------------------
// Capabilities and validation
// ---------------------------------------------------------------------------------------------

/**
 * Whether a uint64 bitmask field (`capabilities`, `flags`) has `bit` set. The generated enums
 * (AgentCapabilities, ServerCapabilities, ServerToAgentFlags, AgentToServerFlags) are numbers and
 * the message fields are bigints; this bridges the two.
 * @example hasBit(msg.capabilities, AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig)
 */
export function hasBit(mask: bigint, bit: number): boolean {
  return (mask & BigInt(bit)) !== 0n;
}

/**
 * A uint64 bitmask with the given bits set.
 * @example bitmask(ServerCapabilities.ServerCapabilities_AcceptsStatus, ServerCapabilities.ServerCapabilities_OffersRemoteConfig) // 3n
 */
export function bitmask(...bits: readonly number[]): bigint {
  return bits.reduce((mask, bit) => mask | BigInt(bit), 0n);
}

/**
 * The first problem that makes an AgentToServer unusable, or undefined. The answer to a problem
 * is `error_response{type: BadRequest}` (which the agent must not retry).
 * - `instance_uid` must be 16 bytes (or, legacy, a 26-character ULID string);
 * - `capabilities` must include AgentCapabilities_ReportsStatus (the spec's "must be set").
 */
export function validateAgentToServer(msg: AgentToServer): string | undefined {
  const uid = msg.instanceUid;
  if (uid.length !== 16 && !isLegacyUlidUid(uid)) {
    return `instance_uid must be 16 bytes (or a legacy 26-character ULID string), got ${uid.length} bytes`;
  }
  if (!hasBit(msg.capabilities, AgentCapabilities.AgentCapabilities_ReportsStatus)) {
    return `capabilities 0x${msg.capabilities.toString(16)} lack the required ReportsStatus bit (0x1)`;
  }
  return undefined;
}
