import { constants, createGzip } from 'node:zlib';

const MiB = 1024 * 1024;

/**
 * A gzip body of about 4 MiB that inflates to `inflatedBytes` of zeros (4 GiB by default; deflate
 * tops out near 1032:1). Built by streaming zlib over one reused block of zeros, so neither the
 * inflated bytes nor more than the compressed output are ever held; run-length strategy at level
 * 1 makes the same ratio as level 9 in a quarter of the time (≈ 5 s for 4 GiB). Cached per size
 * for the life of the test process.
 */
export function gzipBomb(inflatedBytes = 4 * 1024 * MiB): Promise<Buffer> {
  let bomb = bombs.get(inflatedBytes);
  if (bomb === undefined) {
    bomb = buildGzipBomb(inflatedBytes);
    bombs.set(inflatedBytes, bomb);
  }
  return bomb;
}

const bombs = new Map<number, Promise<Buffer>>();

async function buildGzipBomb(inflatedBytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 1, strategy: constants.Z_RLE, chunkSize: MiB });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    gzip.once('end', resolve);
    gzip.once('error', reject);
  });
  const zeros = Buffer.alloc(16 * MiB);
  for (let written = 0; written < inflatedBytes; written += zeros.length) {
    const block = zeros.subarray(0, Math.min(zeros.length, inflatedBytes - written));
    if (!gzip.write(block)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await ended;
  return Buffer.concat(chunks);
}

/** `[[[…]]]` of exactly `bytes` bytes (even): half opening, half closing brackets. */
export function deepArrayJson(bytes: number): Buffer {
  const half = Math.floor(bytes / 2);
  const body = Buffer.alloc(half * 2, 0x5d); // ']'
  body.fill(0x5b, 0, half); // '['
  return body;
}

/** `{"a":{"a":…1…}}` of at most `bytes` bytes. */
export function deepObjectJson(bytes: number): Buffer {
  const open = Buffer.from('{"a":');
  const levels = Math.floor((bytes - 1) / (open.length + 1));
  const body = Buffer.alloc(levels * (open.length + 1) + 1, 0x7d); // '}'
  for (let level = 0; level < levels; level++) open.copy(body, level * open.length);
  body[levels * open.length] = 0x31; // '1'
  return body;
}
