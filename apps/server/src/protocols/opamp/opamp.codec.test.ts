import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import {
  AgentCapabilities,
  AgentToServerSchema,
  ServerCapabilities,
  ServerErrorResponseType,
  ServerToAgentFlags,
  ServerToAgentSchema,
} from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { AgentToServer } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import {
  bitmask,
  decodeHttpBody,
  decodeWsFrame,
  decodeWsFrameOf,
  DEFAULT_MAX_MESSAGE_BYTES,
  encodeHttpBody,
  encodeWsFrame,
  encodeWsFrameOf,
  hasBit,
  instanceUidToString,
  newInstanceUid,
  OpampFrameError,
  ulidToBytes,
  uuidToBytes,
  validateAgentToServer,
} from './opamp.codec.ts';

const UID_TEXT = '0190f1a2-b3c4-7d5e-8f60-718293a4b5c6';
const UID = uuidToBytes(UID_TEXT)!;

function agentMessage(overrides: Partial<Pick<AgentToServer, 'instanceUid' | 'capabilities'>> = {}) {
  return create(AgentToServerSchema, {
    instanceUid: UID,
    sequenceNum: 7n,
    capabilities: 0x3947n,
    agentDescription: {
      identifyingAttributes: [
        { key: 'service.name', value: { value: { case: 'stringValue', value: 'otelcol-contrib' } } },
      ],
    },
    ...overrides,
  });
}

function assertFrameError(fn: () => unknown, kind: OpampFrameError['kind'], message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof OpampFrameError, `expected OpampFrameError, got ${String(error)}`);
    assert.equal(error.kind, kind);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('OpAMP WebSocket framing', () => {
  it('decodes a frame with the 0x00 header into the same message that was encoded', () => {
    const body = toBinary(AgentToServerSchema, agentMessage());
    const frame = new Uint8Array([0x00, ...body]);
    const decoded = decodeWsFrame(frame, DEFAULT_MAX_MESSAGE_BYTES);
    assert.deepEqual(decoded.instanceUid, UID);
    assert.equal(decoded.sequenceNum, 7n);
    assert.equal(decoded.capabilities, 0x3947n);
    assert.equal(decoded.agentDescription?.identifyingAttributes[0]?.key, 'service.name');
  });

  it('accepts a legacy header-less frame (first byte is a protobuf tag)', () => {
    const body = toBinary(AgentToServerSchema, agentMessage());
    assert.equal(body[0], 0x0a);
    const decoded = decodeWsFrame(body, DEFAULT_MAX_MESSAGE_BYTES);
    assert.equal(decoded.sequenceNum, 7n);
  });

  it('decodes a header-only frame and an empty frame as an all-default message', () => {
    for (const frame of [new Uint8Array([0x00]), new Uint8Array(0)]) {
      const decoded = decodeWsFrame(frame, DEFAULT_MAX_MESSAGE_BYTES);
      assert.equal(decoded.instanceUid.length, 0);
      assert.equal(decoded.capabilities, 0n);
    }
  });

  it('rejects a frame longer than the limit as too_large (before decoding it)', () => {
    const frame = encodeWsFrameOf(AgentToServerSchema, agentMessage());
    assertFrameError(() => decodeWsFrame(frame, frame.length - 1), 'too_large', /exceeds the limit/);
    assert.equal(decodeWsFrame(frame, frame.length).sequenceNum, 7n);
  });

  it('rejects a truncated protobuf message as malformed', () => {
    const frame = encodeWsFrameOf(AgentToServerSchema, agentMessage());
    assertFrameError(
      () => decodeWsFrame(frame.subarray(0, 10), DEFAULT_MAX_MESSAGE_BYTES),
      'malformed',
      /AgentToServer is not a valid protobuf message/,
    );
  });

  it('rejects a frame with a non-zero header byte as malformed (it is not a valid legacy message)', () => {
    const body = toBinary(AgentToServerSchema, agentMessage());
    for (const header of [0x01, 0x02, 0x07]) {
      assertFrameError(
        () => decodeWsFrame(new Uint8Array([header, ...body]), DEFAULT_MAX_MESSAGE_BYTES),
        'malformed',
      );
    }
  });

  it('rejects a wire type that does not match the field as malformed', () => {
    // Field 2 (sequence_num, varint) sent as LEN with 3 bytes of payload.
    assertFrameError(
      () => decodeWsFrame(new Uint8Array([0x00, 0x12, 0x03, 0x61, 0x62, 0x63]), DEFAULT_MAX_MESSAGE_BYTES),
      'malformed',
    );
  });

  it('returns a message that does not share memory with the frame', () => {
    const frame = encodeWsFrameOf(AgentToServerSchema, agentMessage());
    const decoded = decodeWsFrame(Buffer.from(frame), DEFAULT_MAX_MESSAGE_BYTES);
    frame.fill(0xff);
    assert.deepEqual(decoded.instanceUid, UID);
  });

  it('encodes a ServerToAgent as 0x00 followed by the protobuf message', () => {
    const msg = create(ServerToAgentSchema, {
      instanceUid: UID,
      flags: BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportFullState),
      capabilities: 0x27n,
    });
    const frame = encodeWsFrame(msg);
    assert.equal(frame[0], 0x00);
    assert.deepEqual(frame.subarray(1), toBinary(ServerToAgentSchema, msg));
    const back = decodeWsFrameOf(ServerToAgentSchema, frame, DEFAULT_MAX_MESSAGE_BYTES);
    assert.equal(back.flags, 1n);
    assert.equal(back.capabilities, 0x27n);
  });

  it('rejects a negative or fractional limit as a programming error', () => {
    assert.throws(() => decodeWsFrame(new Uint8Array([0]), -1), RangeError);
    assert.throws(() => decodeHttpBody(new Uint8Array(0), 1.5), RangeError);
  });
});

describe('OpAMP plain-HTTP bodies', () => {
  it('decodes a body without a header byte', () => {
    const decoded = decodeHttpBody(toBinary(AgentToServerSchema, agentMessage()), DEFAULT_MAX_MESSAGE_BYTES);
    assert.equal(decoded.sequenceNum, 7n);
  });

  it('treats a WebSocket-framed body as malformed (the HTTP transport has no header)', () => {
    const frame = encodeWsFrameOf(AgentToServerSchema, agentMessage());
    assertFrameError(() => decodeHttpBody(frame, DEFAULT_MAX_MESSAGE_BYTES), 'malformed');
  });

  it('rejects a body over the limit as too_large', () => {
    const body = toBinary(AgentToServerSchema, agentMessage());
    assertFrameError(() => decodeHttpBody(body, 4), 'too_large');
  });

  it('encodes a response as the bare protobuf message', () => {
    const msg = create(ServerToAgentSchema, {
      instanceUid: UID,
      errorResponse: {
        type: ServerErrorResponseType.ServerErrorResponseType_Unavailable,
        details: { case: 'retryInfo', value: { retryAfterNanoseconds: 30_000_000_000n } },
      },
    });
    assert.deepEqual(encodeHttpBody(msg), toBinary(ServerToAgentSchema, msg));
  });
});

describe('OpAMP instance uids', () => {
  it('renders 16 bytes as canonical lower-case UUID text and parses it back', () => {
    assert.equal(instanceUidToString(UID), UID_TEXT);
    assert.deepEqual(uuidToBytes(UID_TEXT.toUpperCase()), UID);
  });

  it('returns a legacy ULID string found in the uid field as given', () => {
    const ulid = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    assert.equal(instanceUidToString(Buffer.from(ulid, 'latin1')), ulid);
  });

  it('has no text form for uids of other lengths or non-ULID 26-byte strings', () => {
    assert.equal(instanceUidToString(new Uint8Array(15)), undefined);
    assert.equal(instanceUidToString(Buffer.from('01ARZ3NDEKTSV4RRFFQ69G5FAU', 'latin1')), undefined);
  });

  it('refuses UUID text that is not canonical', () => {
    assert.equal(uuidToBytes('0190f1a2b3c47d5e8f60718293a4b5c6'), undefined);
    assert.equal(uuidToBytes(`{${UID_TEXT}}`), undefined);
    assert.equal(uuidToBytes('0190f1a2-b3c4-7d5e-8f60-718293a4b5cg'), undefined);
  });

  it('decodes ULID text to the 16 bytes an older supervisor sent as instance_uid', () => {
    // 01ARZ3NDEKTSV4RRFFQ69G5FAV is the ULID spec's example; its 128 bits in hex:
    assert.equal(
      Buffer.from(ulidToBytes('01arz3ndektsv4rrffq69g5fav')!).toString('hex'),
      '01563e3ab5d3d6764c61efb99302bd5b',
    );
    assert.equal(ulidToBytes('81ARZ3NDEKTSV4RRFFQ69G5FAV'), undefined, 'over 128 bits');
  });

  it('generates UUIDv7 uids carrying the millisecond timestamp, version 7 and the RFC variant', () => {
    const nowMs = 0x0190_f1a2_b3c4;
    const uid = newInstanceUid(nowMs);
    const text = instanceUidToString(uid)!;
    assert.match(text, /^0190f1a2-b3c4-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notDeepEqual(newInstanceUid(nowMs), uid, 'random part differs');
  });
});

describe('validateAgentToServer', () => {
  it('accepts a 16-byte uid with ReportsStatus', () => {
    assert.equal(validateAgentToServer(agentMessage()), undefined);
  });

  it('accepts the legacy ULID-string uid', () => {
    const msg = agentMessage({ instanceUid: Buffer.from('01ARZ3NDEKTSV4RRFFQ69G5FAV', 'latin1') });
    assert.equal(validateAgentToServer(msg), undefined);
  });

  it('names the length of a uid that is neither 16 bytes nor a ULID string', () => {
    assert.match(validateAgentToServer(agentMessage({ instanceUid: new Uint8Array(0) }))!, /got 0 bytes/);
    assert.match(validateAgentToServer(agentMessage({ instanceUid: new Uint8Array(17) }))!, /got 17 bytes/);
  });

  it('reports missing ReportsStatus capability', () => {
    assert.match(validateAgentToServer(agentMessage({ capabilities: 0x3946n }))!, /ReportsStatus/);
  });
});

describe('capability bits', () => {
  it('bridges the numeric generated enums and the bigint mask fields', () => {
    const mask = bitmask(
      ServerCapabilities.ServerCapabilities_AcceptsStatus,
      ServerCapabilities.ServerCapabilities_OffersRemoteConfig,
      ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig,
      ServerCapabilities.ServerCapabilities_OffersConnectionSettings,
    );
    assert.equal(mask, 0x27n);
    assert.ok(hasBit(0x3947n, AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings));
    assert.ok(!hasBit(0x3847n, AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings));
  });

  it('has the bit values of the specification', () => {
    assert.equal(AgentCapabilities.AgentCapabilities_ReportsHeartbeat, 0x2000);
    assert.equal(AgentCapabilities.AgentCapabilities_ReportsConnectionSettingsStatus, 0x8000);
    assert.equal(ServerCapabilities.ServerCapabilities_AcceptsConnectionSettingsRequest, 0x40);
  });
});
