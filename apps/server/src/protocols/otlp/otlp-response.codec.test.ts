import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import {
  encodeExportMetricsResponseJson,
  encodeExportMetricsResponseProtobuf,
  encodeStatusJson,
  encodeStatusProtobuf,
  partialSuccessOf,
} from './otlp-response.codec.ts';

/** Reads google.rpc.Status with an independent protobuf reader. */
function readStatus(bytes: Uint8Array): { code: number; message: string } {
  const reader = new BinaryReader(bytes);
  const status = { code: 0, message: '' };
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1) status.code = reader.int32();
    else if (field === 2) status.message = reader.string();
    else reader.skip(wireType);
  }
  return status;
}

void describe('ExportMetricsServiceResponse encoding', () => {
  void it('is empty on full success: 0 bytes in protobuf, {} in JSON', () => {
    assert.equal(encodeExportMetricsResponseProtobuf().length, 0);
    assert.equal(encodeExportMetricsResponseProtobuf({ rejectedDataPoints: 0, errorMessage: '' }).length, 0);
    assert.equal(encodeExportMetricsResponseJson(), '{}');
    assert.equal(encodeExportMetricsResponseJson({ rejectedDataPoints: 0, errorMessage: '' }), '{}');
  });

  void it('carries a partial success that the OTLP exporter reads back', () => {
    const partial = { rejectedDataPoints: 300, errorMessage: 'metric "m": value is NaN' };
    assert.deepEqual(
      ProtobufMetricsSerializer.deserializeResponse(encodeExportMetricsResponseProtobuf(partial)),
      {
        partialSuccess: partial,
      },
    );
    const json = encodeExportMetricsResponseJson(partial);
    assert.equal(
      json,
      '{"partialSuccess":{"rejectedDataPoints":"300","errorMessage":"metric \\"m\\": value is NaN"}}',
    );
    assert.deepEqual(JsonMetricsSerializer.deserializeResponse(new TextEncoder().encode(json)), {
      partialSuccess: { rejectedDataPoints: '300', errorMessage: partial.errorMessage },
    });
  });

  void it('encodes a warning: zero rejected points with a message', () => {
    const warning = { rejectedDataPoints: 0, errorMessage: 'ünits ignored' };
    assert.deepEqual(
      ProtobufMetricsSerializer.deserializeResponse(encodeExportMetricsResponseProtobuf(warning)),
      {
        partialSuccess: { errorMessage: 'ünits ignored' },
      },
    );
    assert.equal(
      encodeExportMetricsResponseJson(warning),
      '{"partialSuccess":{"errorMessage":"ünits ignored"}}',
    );
  });

  void it('refuses a negative or fractional rejected count', () => {
    assert.throws(
      () => encodeExportMetricsResponseProtobuf({ rejectedDataPoints: -1, errorMessage: 'x' }),
      RangeError,
    );
    assert.throws(
      () => encodeExportMetricsResponseJson({ rejectedDataPoints: 1.5, errorMessage: '' }),
      RangeError,
    );
  });

  void it('builds the partial success of a decoded request from its rejections', () => {
    const decoded = { resources: [], ignoredPointCount: 4, rejectedPointCount: 0, rejectionMessages: [] };
    assert.equal(partialSuccessOf(decoded), undefined);
    assert.deepEqual(
      partialSuccessOf({ ...decoded, rejectedPointCount: 7, rejectionMessages: ['a: NaN', 'b: NaN'] }),
      { rejectedDataPoints: 7, errorMessage: 'a: NaN; b: NaN' },
    );
  });
});

void describe('google.rpc.Status encoding', () => {
  void it('encodes code and message in protobuf', () => {
    const bytes = encodeStatusProtobuf({
      code: 3,
      message: 'too many data points in one request (limit 10)',
    });
    assert.deepEqual(readStatus(bytes), {
      code: 3,
      message: 'too many data points in one request (limit 10)',
    });
    assert.deepEqual([...bytes.subarray(0, 4)], [0x08, 0x03, 0x12, 46]);
  });

  void it('omits a zero or absent code and an empty message', () => {
    assert.deepEqual([...encodeStatusProtobuf({ message: 'x' })], [0x12, 0x01, 0x78]);
    assert.equal(encodeStatusProtobuf({ code: 0, message: '' }).length, 0);
    assert.equal(encodeStatusJson({ message: '' }), '{}');
  });

  void it('encodes a negative code as a sign-extended ten-byte varint', () => {
    const bytes = encodeStatusProtobuf({ code: -2, message: '' });
    assert.equal(bytes.length, 11);
    assert.deepEqual(readStatus(bytes), { code: -2, message: '' });
  });

  void it('encodes code and message in JSON', () => {
    assert.equal(encodeStatusJson({ code: 8, message: 'slow down' }), '{"code":8,"message":"slow down"}');
  });

  void it('refuses a code outside int32', () => {
    assert.throws(() => encodeStatusProtobuf({ code: 2 ** 31, message: '' }), RangeError);
  });
});
