/**
 * fast-check arbitraries for decoder and endpoint fuzzing: random bytes, and structure-aware
 * mutations of valid messages (the inputs a decoder is most likely to get wrong, because they
 * pass its first checks). Edits are described by relative positions, so a failing case shrinks
 * towards fewer, simpler edits of the same seed.
 */
import fc from 'fast-check';
import { concat, tag, varintBytes } from '../protocols/otlp/testing/proto-writer.ts';

/** One edit of a byte string; `at` and `to` are fractions of its length. */
type ByteEdit =
  | { readonly kind: 'overwrite'; readonly at: number; readonly byte: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly to: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'wire-type'; readonly at: number; readonly wireType: number }
  | { readonly kind: 'huge-length'; readonly at: number; readonly field: number; readonly log2: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly to: number; readonly into: number };

const fraction = fc.double({ min: 0, max: 1, noNaN: true });

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant('overwrite'), at: fraction, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert'),
    at: fraction,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ kind: fc.constant('delete'), at: fraction, to: fraction }),
  fc.record({ kind: fc.constant('truncate'), at: fraction }),
  fc.record({ kind: fc.constant('wire-type'), at: fraction, wireType: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    kind: fc.constant('huge-length'),
    at: fraction,
    field: fc.integer({ min: 1, max: 20 }),
    // 2^20 … 2^63: past the end of any body, past 2^32 and 2^53, up to the 10-byte varint limit.
    log2: fc.integer({ min: 20, max: 63 }),
  }),
  fc.record({ kind: fc.constant('duplicate'), at: fraction, to: fraction, into: fraction }),
);

const position = (fractionOf: number, length: number) =>
  Math.min(length, Math.floor(fractionOf * (length + 1)));

/** Applies one edit; never throws, whatever the positions. */
export function applyByteEdit(bytes: Uint8Array, edit: ByteEdit): Uint8Array {
  const at = position(edit.at, bytes.length);
  switch (edit.kind) {
    case 'overwrite': {
      if (bytes.length === 0) return Uint8Array.of(edit.byte);
      const out = bytes.slice();
      out[Math.min(at, bytes.length - 1)] = edit.byte;
      return out;
    }
    case 'insert':
      return concat(bytes.subarray(0, at), edit.bytes, bytes.subarray(at));
    case 'delete': {
      const to = position(edit.to, bytes.length);
      return concat(bytes.subarray(0, Math.min(at, to)), bytes.subarray(Math.max(at, to)));
    }
    case 'truncate':
      return bytes.slice(0, at);
    case 'wire-type': {
      // A tag's wire type sits in the low 3 bits of its first byte.
      if (bytes.length === 0) return bytes;
      const out = bytes.slice();
      const index = Math.min(at, bytes.length - 1);
      out[index] = ((out[index] ?? 0) & 0xf8) | edit.wireType;
      return out;
    }
    case 'huge-length':
      return concat(
        bytes.subarray(0, at),
        tag(edit.field, 2),
        varintBytes(2n ** BigInt(edit.log2)),
        bytes.subarray(at),
      );
    case 'duplicate': {
      const to = position(edit.to, bytes.length);
      const into = position(edit.into, bytes.length);
      const slice = bytes.subarray(Math.min(at, to), Math.max(at, to));
      return concat(bytes.subarray(0, into), slice, bytes.subarray(into));
    }
  }
}

/** One of `seeds` with 1–8 byte edits (and sometimes spliced with the tail of another seed). */
export function mutatedBytes(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      seed: fc.nat({ max: seeds.length - 1 }),
      edits: fc.array(byteEdit, { minLength: 1, maxLength: 8 }),
      splice: fc.option(fc.record({ seed: fc.nat({ max: seeds.length - 1 }), at: fraction, from: fraction })),
    })
    .map(({ seed, edits, splice }) => {
      let bytes = seeds[seed] ?? new Uint8Array(0);
      if (splice) {
        const other = seeds[splice.seed] ?? new Uint8Array(0);
        bytes = concat(
          bytes.subarray(0, position(splice.at, bytes.length)),
          other.subarray(position(splice.from, other.length)),
        );
      }
      return edits.reduce(applyByteEdit, bytes);
    });
}

/** Random bytes, short and long (up to 64 KiB). */
export const randomBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 64 }), weight: 3 },
  { arbitrary: fc.uint8Array({ maxLength: 4096 }), weight: 2 },
  { arbitrary: fc.uint8Array({ minLength: 4096, maxLength: 65_536 }), weight: 1 },
);

/** Tokens that stress a JSON parser and a JSON walker when dropped into valid text. */
const jsonTokens = [
  '[',
  ']',
  '{',
  '}',
  '"',
  '\\',
  ',',
  ':',
  'null',
  'true',
  '-0',
  '1e999',
  '-1e999',
  '9007199254740993',
  '18446744073709551616',
  '"\\u0000"',
  '"\\ud800"',
  '"__proto__"',
  '"constructor"',
  '\uFEFF',
  '"NaN"',
  '"Infinity"',
  '{"__proto__":{"polluted":1}}',
];

type TextEdit =
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'delete'; readonly at: number; readonly to: number }
  | { readonly kind: 'truncate'; readonly at: number };

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({
    kind: fc.constant('insert'),
    at: fraction,
    text: fc.oneof(fc.constantFrom(...jsonTokens), fc.string({ unit: 'binary', maxLength: 8 })),
  }),
  fc.record({ kind: fc.constant('delete'), at: fraction, to: fraction }),
  fc.record({ kind: fc.constant('truncate'), at: fraction }),
);

function applyTextEdit(text: string, edit: TextEdit): string {
  const at = position(edit.at, text.length);
  switch (edit.kind) {
    case 'insert':
      return text.slice(0, at) + edit.text + text.slice(at);
    case 'delete': {
      const to = position(edit.to, text.length);
      return text.slice(0, Math.min(at, to)) + text.slice(Math.max(at, to));
    }
    case 'truncate':
      return text.slice(0, at);
  }
}

/** Every path (keys and indexes) to a value inside `value`, the root included. */
function pathsOf(
  value: unknown,
  prefix: readonly (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push([...prefix]);
  if (Array.isArray(value))
    (value as unknown[]).forEach((item, index) => pathsOf(item, [...prefix, index], out));
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) pathsOf(item, [...prefix, key], out);
  return out;
}

/** A deep copy of `root` with the value at `path` replaced. */
function replaceAt(root: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(root) && typeof head === 'number')
    return (root as unknown[]).map((item, index) =>
      index === head ? replaceAt(item, rest, replacement) : item,
    );
  if (typeof root === 'object' && root !== null && typeof head === 'string')
    return {
      ...(root as Record<string, unknown>),
      [head]: replaceAt((root as Record<string, unknown>)[head], rest, replacement),
    };
  return root;
}

/** A JSON value nested 1 to 2 000 levels deep (arrays and objects). */
const deepJsonValue: fc.Arbitrary<unknown> = fc
  .record({ levels: fc.integer({ min: 1, max: 2000 }), shape: fc.constantFrom('array', 'object') })
  .map(({ levels, shape }) => {
    let value: unknown = 1;
    for (let i = 0; i < levels; i++) value = shape === 'array' ? [value] : { a: value };
    return value;
  });

/**
 * Valid JSON documents bent into invalid ones: a value anywhere in a seed replaced by any JSON
 * value (wrong types at known keys), or the text edited with hostile tokens.
 */
export function mutatedJson(seeds: readonly unknown[]): fc.Arbitrary<string> {
  const seedPaths = seeds.map((seed) => pathsOf(seed));
  const replaced = fc
    .record({
      seed: fc.nat({ max: seeds.length - 1 }),
      path: fraction,
      value: fc.oneof(fc.jsonValue({ maxDepth: 4 }), deepJsonValue),
    })
    .map(({ seed, path, value }) => {
      const paths = seedPaths[seed] ?? [[]];
      const chosen = paths[Math.min(paths.length - 1, Math.floor(path * paths.length))] ?? [];
      return JSON.stringify(replaceAt(seeds[seed], chosen, value));
    });
  const edited = fc
    .record({
      seed: fc.nat({ max: seeds.length - 1 }),
      edits: fc.array(textEdit, { minLength: 1, maxLength: 6 }),
    })
    .map(({ seed, edits }) => edits.reduce(applyTextEdit, JSON.stringify(seeds[seed])));
  return fc.oneof(replaced, edited);
}

/** `[[[…]]]` or `{"a":{"a":…}}`, 1 to 20 000 levels, sometimes unbalanced. */
export const deepJsonText: fc.Arbitrary<string> = fc
  .record({
    levels: fc.integer({ min: 1, max: 20_000 }),
    shape: fc.constantFrom('array', 'object'),
    closed: fc.boolean(),
  })
  .map(({ levels, shape, closed }) => {
    const [open, close] = shape === 'array' ? ['[', ']'] : ['{"a":', '}'];
    return open.repeat(levels) + (shape === 'array' ? '' : '1') + (closed ? close.repeat(levels) : '');
  });
