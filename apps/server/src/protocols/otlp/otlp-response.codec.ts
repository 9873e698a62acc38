/**
 * OTLP/HTTP response bodies, in the encoding of the request:
 * - success: `ExportMetricsServiceResponse`, whose `partial_success` stays unset on full success
 *   (a 0-byte protobuf body, or `{}` in JSON);
 * - failure (every 4xx/5xx): `google.rpc.Status{code, message}` (`details` is not produced).
 */
import type { DecodedMetrics } from '../../domain/telemetry/metric-point.ts';

/** ExportMetricsPartialSuccess. `rejectedDataPoints = 0` with a message is a warning, per OTLP. */
export interface PartialSuccess {
  readonly rejectedDataPoints: number;
  readonly errorMessage: string;
}

/** google.rpc.Status without details. `code` is a google.rpc.Code (e.g. 3 INVALID_ARGUMENT). */
export interface RpcStatus {
  readonly code?: number;
  readonly message: string;
}

/** The partial success to report for a decoded request, or undefined when nothing was rejected. */
export function partialSuccessOf(decoded: DecodedMetrics): PartialSuccess | undefined {
  if (decoded.rejectedPointCount === 0) return undefined;
  return {
    rejectedDataPoints: decoded.rejectedPointCount,
    errorMessage: decoded.rejectionMessages.join('; '),
  };
}

function isEmpty(partial: PartialSuccess | undefined): partial is undefined {
  return partial === undefined || (partial.rejectedDataPoints === 0 && partial.errorMessage === '');
}

function checkCount(rejected: number): void {
  if (!Number.isSafeInteger(rejected) || rejected < 0) {
    throw new RangeError(`rejectedDataPoints must be a non-negative integer, got ${rejected}`);
  }
}

/** ExportMetricsServiceResponse{partial_success (1) {rejected_data_points (1), error_message (2)}}. */
export function encodeExportMetricsResponseProtobuf(partial?: PartialSuccess): Uint8Array {
  if (isEmpty(partial)) return new Uint8Array(0);
  checkCount(partial.rejectedDataPoints);
  const inner = new MessageWriter();
  if (partial.rejectedDataPoints !== 0) inner.varintField(1, partial.rejectedDataPoints);
  if (partial.errorMessage !== '') inner.stringField(2, partial.errorMessage);
  const outer = new MessageWriter();
  outer.bytesField(1, inner.finish());
  return outer.finish();
}

/** proto3 JSON: int64 as a decimal string, default values omitted. */
export function encodeExportMetricsResponseJson(partial?: PartialSuccess): string {
  if (isEmpty(partial)) return '{}';
  checkCount(partial.rejectedDataPoints);
  const body: { rejectedDataPoints?: string; errorMessage?: string } = {};
  if (partial.rejectedDataPoints !== 0) body.rejectedDataPoints = String(partial.rejectedDataPoints);
  if (partial.errorMessage !== '') body.errorMessage = partial.errorMessage;
  return JSON.stringify({ partialSuccess: body });
}

/** google.rpc.Status{code (1, int32), message (2, string)}. */
export function encodeStatusProtobuf(status: RpcStatus): Uint8Array {
  const code = statusCode(status);
  const writer = new MessageWriter();
  if (code !== 0) writer.varintField(1, code);
  if (status.message !== '') writer.stringField(2, status.message);
  return writer.finish();
}

export function encodeStatusJson(status: RpcStatus): string {
  const code = statusCode(status);
  const body: { code?: number; message?: string } = {};
  if (code !== 0) body.code = code;
  if (status.message !== '') body.message = status.message;
  return JSON.stringify(body);
}

function statusCode(status: RpcStatus): number {
  const code = status.code ?? 0;
  if (!Number.isInteger(code) || code < -0x8000_0000 || code > 0x7fff_ffff) {
    throw new RangeError(`status code must be an int32, got ${code}`);
  }
  return code;
}

/** Minimal protobuf writer for the few small messages above. */
class MessageWriter {
  private readonly bytes: number[] = [];

  varintField(field: number, value: number): void {
    this.varint((field << 3) | 0);
    // int32/int64 negatives are sign-extended to 64 bits: always 10 bytes on the wire.
    if (value < 0) this.negativeVarint(value);
    else this.varint(value);
  }

  stringField(field: number, value: string): void {
    this.bytesField(field, new TextEncoder().encode(value));
  }

  bytesField(field: number, value: Uint8Array): void {
    this.varint((field << 3) | 2);
    this.varint(value.length);
    for (const byte of value) this.bytes.push(byte);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }

  /** Non-negative integer up to 2^53 − 1. */
  private varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.bytes.push(rest);
  }

  private negativeVarint(value: number): void {
    let rest = BigInt.asUintN(64, BigInt(value));
    while (rest >= 0x80n) {
      this.bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.bytes.push(Number(rest));
  }
}
