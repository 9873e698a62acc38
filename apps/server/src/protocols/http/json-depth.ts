/**
 * Refuses JSON nested deeper than `maxDepth` before it is parsed. `JSON.parse` does not overflow
 * on `[[[[…]]]]` but building millions of nested arrays stalls the event loop for seconds (an
 * 8 MB body froze `/healthz` for 6.8 s), and no body LinkMesh accepts nests deeper than a few
 * dozen levels. One linear pass over the bytes; brackets inside strings do not count.
 *
 * @returns undefined when within the limit, else a message naming the limit.
 * @example jsonDepthProblem(Buffer.from('[[1]]'), 1) // → 'JSON nesting deeper than 1 levels'
 */
export function jsonDepthProblem(text: Uint8Array | string, maxDepth: number): string | undefined {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === 0x5c)
        i++; // backslash: skip the escaped character
      else if (byte === 0x22) inString = false;
      continue;
    }
    if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      depth++;
      if (depth > maxDepth) return `JSON nesting deeper than ${maxDepth} levels`;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return undefined;
}
