import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { ThroughputRow } from '../../domain/telemetry/throughput.store.ts';
import { SdkCollector } from '../../testing/otel-sdk-collector.ts';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';
import { ProtoWriter } from './testing/proto-writer.ts';

/**
 * Every kind of bad input gets a clear 4xx (or a 200 with partial_success for rejected points),
 * the server stays up, and what was accepted before is intact.
 */
describe('OTLP receiver under bad input', () => {
  let t: TestServer;
  let collectorId: string;
  let bearer: string;
  let sdk: SdkCollector;
  let rowsBefore: number;

  before(async () => {
    t = await startTestServer({
      env: { LINKMESH_OTLP_MAX_BODY_BYTES: String(4 * 1024 * 1024), LINKMESH_AUTH_FAILURES_PER_WINDOW: '30' },
    });
    const collector = (await (
      await t.api('/api/v1/collectors', { method: 'POST', json: { name: 'victim', runtime: 'otelcol' } })
    ).json()) as {
      id: string;
    };
    collectorId = collector.id;
    bearer = (
      (await (await t.api(`/api/v1/collectors/${collectorId}/token`, { method: 'POST' })).json()) as {
        token: string;
      }
    ).token;
    sdk = new SdkCollector({ url: `${t.url}/v1/metrics`, bearer, encoding: 'protobuf' });
    sdk.record({ accepted: 100 });
    await sdk.push();
    sdk.record({ accepted: 100 });
    await sdk.push();
    rowsBefore = (await rows()).length;
    assert.ok(rowsBefore > 0);
  });

  after(async () => {
    await sdk.shutdown();
    await t.close();
  });

  /**
   * Every stored row of the victim, read from the store: one accepted push below carries tens of
   * thousands of samples, more than one API read returns (it keeps the newest whole pushes).
   */
  async function rows(): Promise<ThroughputRow[]> {
    await t.server.flushTelemetry();
    return t.server.storage.throughput.listRows(collectorId, {
      sinceMs: 0,
      untilMs: Date.now() + 1,
      limit: 1_000_000,
    });
  }

  function push(body: Uint8Array | string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${t.url}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/x-protobuf', ...headers },
      body,
    });
  }

  /** A request with one Sum metric of one data point, hand-encoded so every field can be bent. */
  function request(point: (w: ProtoWriter) => void, name = 'otelcol_receiver_accepted_spans'): Uint8Array {
    const w = new ProtoWriter();
    w.message(1, (rm) =>
      rm.message(2, (sm) =>
        sm.message(2, (m) => {
          m.string(1, name);
          m.message(7, (sum) => {
            sum.message(1, (dp) => {
              dp.message(7, (kv) => {
                kv.string(1, 'receiver');
                kv.message(2, (v) => v.string(1, 'otlp'));
              });
              point(dp);
            });
            sum.varint(2, 2);
            sum.varint(3, 1);
          });
        }),
      ),
    );
    return w.finish();
  }

  const nowNs = () => BigInt(Date.now()) * 1_000_000n;
  const valid = () =>
    request((dp) => {
      dp.fixed64(2, nowNs() - 60_000_000_000n);
      dp.fixed64(3, nowNs());
      dp.sfixed64(6, 5n);
    });

  async function expectStatus(response: Response, status: number, messagePart?: RegExp): Promise<void> {
    assert.equal(response.status, status, await response.clone().text());
    if (messagePart) assert.match(await response.text(), messagePart);
  }

  it('rejects truncated protobuf at every length with 400', async () => {
    const body = valid();
    for (let length = 1; length < body.length; length += 3) {
      const response = await push(body.subarray(0, length));
      assert.ok([200, 400].includes(response.status), `length ${length}: ${response.status}`);
    }
    await expectStatus(await push(body.subarray(0, body.length - 1)), 400, /decode/);
  });

  it('rejects garbage, wrong wire types, absurd lengths and overlong varints with 400', async () => {
    const cases: Array<[string, Uint8Array]> = [
      ['garbage', Uint8Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 256)],
      ['wrong wire type for resource_metrics', Uint8Array.of(0x08, 0x01)],
      ['absurd length', Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f)],
      [
        '11-byte varint',
        Uint8Array.of(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
      ],
      ['field number zero', Uint8Array.of(0x02, 0x00)],
      ['group wire type', Uint8Array.of(0x0b)],
    ];
    for (const [what, body] of cases) {
      const response = await push(body);
      assert.equal(response.status, 400, what);
      assert.equal(response.headers.get('content-type'), 'application/x-protobuf');
    }
  });

  it('rejects deeply nested attribute values and invalid UTF-8 with 400', async () => {
    const deep = new ProtoWriter();
    deep.message(1, (rm) =>
      rm.message(1, (resource) =>
        resource.message(1, (kv) => {
          kv.string(1, 'deep');
          let nest = (w: ProtoWriter): void => {
            w.bytes(6, new Uint8Array());
          };
          for (let i = 0; i < 200; i++) {
            const inner = nest;
            nest = (w) => {
              w.message(6, (list) =>
                list.message(1, (k) => {
                  k.string(1, 'k');
                  k.message(2, inner);
                }),
              );
            };
          }
          kv.message(2, nest);
        }),
      ),
    );
    await expectStatus(await push(deep.finish()), 400, /depth|nest/i);
    const badUtf8 = request((dp) => {
      dp.fixed64(3, nowNs());
      dp.sfixed64(6, 1n);
    }, 'otelcol_receiver_accepted_spans');
    const index = Buffer.from(badUtf8).indexOf('otelcol_receiver');
    badUtf8[index] = 0xff;
    await expectStatus(await push(badUtf8), 400);
    await expectStatus(
      await push(Uint8Array.of(0xff, 0xfe, 0x7b), { 'content-type': 'application/json' }),
      400,
    );
  });

  it('answers NaN and Infinity and a zero timestamp with partial success, keeping the good points', async () => {
    const w = new ProtoWriter();
    w.message(1, (rm) =>
      rm.message(2, (sm) =>
        sm.message(2, (m) => {
          m.string(1, 'otelcol_exporter_sent_spans');
          m.message(7, (sum) => {
            const point = (value: number, time: bigint) =>
              sum.message(1, (dp) => {
                dp.message(7, (kv) => {
                  kv.string(1, 'exporter');
                  kv.message(2, (v) => v.string(1, 'nan-test'));
                });
                dp.fixed64(3, time);
                dp.double(4, value);
              });
            point(Number.NaN, nowNs());
            point(Number.POSITIVE_INFINITY, nowNs());
            point(42, 0n);
            point(7, nowNs());
            sum.varint(2, 2);
            sum.varint(3, 1);
          });
        }),
      ),
    );
    const response = await push(w.finish());
    assert.equal(response.status, 200);
    const body = new Uint8Array(await response.arrayBuffer());
    // ExportMetricsServiceResponse{partial_success(1){rejected_data_points(1) varint, error_message(2)}}
    assert.equal(body[0], 0x0a, 'partial_success is set');
    const lengthBytes = (body[1] ?? 0) >= 0x80 ? 2 : 1;
    assert.equal(body[1 + lengthBytes], 0x08);
    assert.equal(
      body[2 + lengthBytes],
      3,
      'NaN, Infinity and the zero timestamp are rejected; the good point is kept',
    );
    assert.match(Buffer.from(body).toString('utf8'), /NaN|finite|time/i);
    const json = await fetch(`${t.url}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'otelcol_exporter_sent_spans',
                    sum: {
                      aggregationTemporality: 2,
                      isMonotonic: true,
                      dataPoints: [
                        {
                          asDouble: 'NaN',
                          timeUnixNano: String(nowNs()),
                          attributes: [{ key: 'exporter', value: { stringValue: 'x' } }],
                        },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    assert.equal(json.status, 200);
    const partial = (await json.json()) as { partialSuccess?: { rejectedDataPoints?: string | number } };
    assert.equal(Number(partial.partialSuccess?.rejectedDataPoints), 1);
  });

  it('stores negative, decreasing, future-dated counters as received and never shows a negative rate', async () => {
    const at = (offsetMs: bigint, value: bigint) =>
      request((dp) => {
        dp.fixed64(2, nowNs() - 3_600_000_000_000n);
        dp.fixed64(3, nowNs() + offsetMs * 1_000_000n);
        dp.sfixed64(6, value);
      }, 'otelcol_exporter_sent_log_records');
    for (const [offset, value] of [
      [0n, 1000n],
      [1000n, 400n],
      [2000n, -50n],
      [86_400_000n * 365n, 10n],
    ] as const) {
      assert.equal((await push(at(offset, value))).status, 200);
    }
    await t.server.flushTelemetry();
    const view = (await (await t.api(`/api/v1/collectors/${collectorId}/components?window=1h`)).json()) as {
      items: Array<{ recordsPerSec: number | null; sparkline: Array<number | null> }>;
    };
    for (const component of view.items) {
      assert.ok(component.recordsPerSec === null || component.recordsPerSec >= 0);
      assert.ok(component.sparkline.every((v) => v === null || v >= 0));
    }
  });

  it('takes a push of 50,000 series in one request', async () => {
    const w = new ProtoWriter();
    const time = nowNs();
    w.message(1, (rm) =>
      rm.message(2, (sm) =>
        sm.message(2, (m) => {
          m.string(1, 'otelcol_receiver_accepted_log_records');
          m.message(7, (sum) => {
            for (let i = 0; i < 50_000; i++) {
              sum.message(1, (dp) => {
                dp.message(7, (kv) => {
                  kv.string(1, 'receiver');
                  kv.message(2, (v) => v.string(1, `filelog/${i}`));
                });
                dp.fixed64(3, time);
                dp.sfixed64(6, BigInt(i));
              });
            }
            sum.varint(2, 2);
            sum.varint(3, 1);
          });
        }),
      ),
    );
    const response = await push(w.finish());
    assert.equal(response.status, 200);
  });

  it('refuses a gzip bomb with 413 and bodies over the limit with 413', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < 200_000);
    await expectStatus(await push(bomb, { 'content-encoding': 'gzip' }), 413);
    await expectStatus(await push(new Uint8Array(5 * 1024 * 1024)), 413);
    await expectStatus(await push(Uint8Array.of(1, 2, 3), { 'content-encoding': 'gzip' }), 400, /gzip/);
    await expectStatus(await push(valid(), { 'content-encoding': 'br' }), 415);
  });

  it('refuses other content types with 415 and other methods with 405', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/protobuf-ish', '']) {
      const response = await push(
        valid(),
        type ? { 'content-type': type } : { 'content-type': 'application/octet-stream' },
      );
      assert.equal(response.status, 415, type);
    }
    const get = await fetch(`${t.url}/v1/metrics`, { headers: { authorization: `Bearer ${bearer}` } });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    await expectStatus(await push(valid(), { 'content-type': 'application/x-protobuf; charset=utf-8' }), 200);
  });

  it('is still up with the data it accepted before', async () => {
    assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
    const after = await rows();
    assert.ok(after.length >= rowsBefore, `${after.length} rows, ${rowsBefore} before`);
    const receiver = after.filter(
      (r) => r.kind === 'receiver' && r.componentId === 'otlp' && r.signal === 'traces',
    );
    // Rows are in receive order; the SDK's last push (its counter at 200) is still there.
    assert.ok(
      receiver.some((r) => r.counters.accepted === 200),
      'the SDK collector’s counter is intact',
    );
  });

  it('throttles an address that keeps failing auth, without slowing verified collectors', async () => {
    let throttled: Response | undefined;
    for (let i = 0; i < 40 && !throttled; i++) {
      const response = await fetch(`${t.url}/v1/metrics`, {
        method: 'POST',
        headers: { authorization: `Bearer lmct_${'x'.repeat(43)}`, 'content-type': 'application/x-protobuf' },
      });
      if (response.status === 429) throttled = response;
      else assert.equal(response.status, 401);
    }
    assert.ok(throttled, 'repeated failures end in 429');
    assert.ok(Number(throttled.headers.get('retry-after')) > 0);
    sdk.record({ accepted: 1 });
    await sdk.push();
    assert.equal((await push(valid())).status, 200, 'a verified collector from the same address carries on');
  });
});
