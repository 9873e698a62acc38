/**
 * Golden bytes for one AgentToServer WebSocket frame, so a change in the schema, the generator or
 * the framing that alters the wire format fails here instead of against a real supervisor.
 *
 * How the fixture was verified (not produced by the code under test):
 * 1. Derived by hand, chunk by chunk, from the protobuf encoding rules (tag = field << 3 | wire
 *    type; LEN fields carry a varint length) — see the annotations below.
 * 2. Cross-checked with a second, independent protobuf implementation (buf's Go runtime), from
 *    packages/contracts:
 *      npx buf convert proto --type opamp.proto.v1.AgentToServer --from fixture.json --to out.binpb
 *    with fixture.json =
 *      {"instanceUid":"AZDxorPEfV6PYHGCk6S1xg==","sequenceNum":"1","capabilities":"14663",
 *       "agentDescription":{"identifyingAttributes":[{"key":"service.name","value":{"stringValue":"otelcol-contrib"}}],
 *       "nonIdentifyingAttributes":[{"key":"os.type","value":{"stringValue":"linux"}}]}}
 *    `xxd -p out.binpb` printed exactly GOLDEN_FRAME_HEX without its leading `00` header byte.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { AgentToServerSchema } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import { DEFAULT_MAX_MESSAGE_BYTES, decodeWsFrame, encodeWsFrameOf, uuidToBytes } from './opamp.codec.ts';

/** The committed fixture, one protobuf token per line (hex; ASCII shown in the comments). */
const GOLDEN_FRAME_HEX = [
  '00', // WS header: varint 0
  '0a10', // field 1 instance_uid, LEN 16
  '0190f1a2b3c47d5e8f60718293a4b5c6', // 0190f1a2-b3c4-7d5e-8f60-718293a4b5c6 (a UUIDv7)
  '1001', // field 2 sequence_num, varint 1
  '1a37', // field 3 agent_description, LEN 55
  '0a21', // . field 1 identifying_attributes (KeyValue), LEN 33
  '0a0c', // . . field 1 key, LEN 12
  '736572766963652e6e616d65', // . . "service.name"
  '1211', // . . field 2 value (AnyValue), LEN 17
  '0a0f', // . . . field 1 string_value, LEN 15
  '6f74656c636f6c2d636f6e74726962', // . . . "otelcol-contrib"
  '1212', // . field 2 non_identifying_attributes (KeyValue), LEN 18
  '0a07', // . . field 1 key, LEN 7
  '6f732e74797065', // . . "os.type"
  '1207', // . . field 2 value (AnyValue), LEN 7
  '0a05', // . . . field 1 string_value, LEN 5
  '6c696e7578', // . . . "linux"
  '20c772', // field 4 capabilities, varint 0x3947 = 0x47|0x80, then 0x3947 >> 7 = 0x72
].join('');

function goldenMessage() {
  return create(AgentToServerSchema, {
    instanceUid: uuidToBytes('0190f1a2-b3c4-7d5e-8f60-718293a4b5c6')!,
    sequenceNum: 1n,
    capabilities: 0x3947n,
    agentDescription: {
      identifyingAttributes: [
        { key: 'service.name', value: { value: { case: 'stringValue', value: 'otelcol-contrib' } } },
      ],
      nonIdentifyingAttributes: [
        { key: 'os.type', value: { value: { case: 'stringValue', value: 'linux' } } },
      ],
    },
  });
}

describe('OpAMP golden frame', () => {
  it('encodes the fixed AgentToServer to the committed bytes', () => {
    assert.equal(
      Buffer.from(encodeWsFrameOf(AgentToServerSchema, goldenMessage())).toString('hex'),
      GOLDEN_FRAME_HEX,
    );
  });

  it('starts with the 0x00 header, then field 1 (tag 0x0a) of length 0x10', () => {
    const frame = Buffer.from(GOLDEN_FRAME_HEX, 'hex');
    assert.deepEqual([...frame.subarray(0, 3)], [0x00, 0x0a, 0x10]);
    assert.equal(frame.length, 81);
  });

  it('decodes the committed bytes back to the fixed message', () => {
    const decoded = decodeWsFrame(Buffer.from(GOLDEN_FRAME_HEX, 'hex'), DEFAULT_MAX_MESSAGE_BYTES);
    const expected = goldenMessage();
    assert.deepEqual(decoded.instanceUid, expected.instanceUid);
    assert.equal(decoded.sequenceNum, 1n);
    assert.equal(decoded.capabilities, 0x3947n);
    assert.deepEqual(decoded.agentDescription, expected.agentDescription);
  });
});
