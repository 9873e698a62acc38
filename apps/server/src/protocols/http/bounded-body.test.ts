import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { inflateBounded, isBodyProblem, readBoundedBody } from './bounded-body.ts';

function chunked(size: number, chunkBytes = 64 * 1024): Readable & { delivered: number } {
  let delivered = 0;
  const stream = new Readable({
    read() {
      if (delivered >= size) {
        this.push(null);
        return;
      }
      const chunk = Buffer.alloc(Math.min(chunkBytes, size - delivered), 1);
      delivered += chunk.length;
      (stream as unknown as { delivered: number }).delivered = delivered;
      this.push(chunk);
    },
  }) as Readable & { delivered: number };
  stream.delivered = 0;
  return stream;
}

describe('readBoundedBody', () => {
  it('returns the bytes of a body within the limit', async () => {
    const body = await readBoundedBody(chunked(100_000), undefined, 100_000);
    assert.ok(Buffer.isBuffer(body));
    assert.equal(body.length, 100_000);
  });

  it('refuses a declared Content-Length above the limit without buffering the body', async () => {
    const body = await readBoundedBody(chunked(1_000_000), '1000000', 1000);
    assert.ok(!Buffer.isBuffer(body));
    assert.equal(body.status, 413);
  });

  it('cuts a chunked body at the limit (413) and keeps none of it', async () => {
    const body = await readBoundedBody(chunked(10_000_000), undefined, 1_000_000);
    assert.ok(!Buffer.isBuffer(body));
    assert.equal(body.status, 413);
  });
});

describe('inflateBounded', () => {
  it('passes identity bodies through and inflates gzip ones', async () => {
    const plain = Buffer.from('hello');
    assert.equal(await inflateBounded(plain, undefined, 10), plain);
    const inflated = await inflateBounded(gzipSync(plain), 'gzip', 10);
    assert.ok(Buffer.isBuffer(inflated));
    assert.equal(inflated.toString(), 'hello');
  });

  it('stops a gzip bomb at the cap with 413 instead of inflating it', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    assert.ok(bomb.length < 100 * 1024, 'the bomb is small as sent');
    const result = await inflateBounded(bomb, 'gzip', 1024 * 1024);
    assert.ok(isBodyProblem(result));
    assert.equal(result.status, 413);
  });

  it('answers 400 for a body that is not gzip and 415 for an unknown encoding', async () => {
    const notGzip = await inflateBounded(Buffer.from([1, 2, 3]), 'gzip', 100);
    assert.ok(isBodyProblem(notGzip) && notGzip.status === 400);
    const brotli = await inflateBounded(Buffer.from([1, 2, 3]), 'br', 100);
    assert.ok(isBodyProblem(brotli) && brotli.status === 415);
  });
});
