import { createHash } from 'node:crypto';

import type { ConfigFormat } from './config-version.types.ts';

/**
 * Rendered configs are kept and shown as templates: every secret is a placeholder
 * `__linkmesh_secret__<name>__`, filled in only for delivery. Storage, the API, diffs and logs
 * only ever see the template. The placeholder is word characters only, so every renderer writes
 * it through unchanged (the OTel renderer doubles `$`, YAML and Alloy escape quotes).
 */
const placeholderPattern = /__linkmesh_secret__([a-z0-9.-]+)__/g;
/** Secrets made only of these go in as they are, in any position (tokens are base64url). */
const plainSafe = /^[A-Za-z0-9_.~+/=:@-]*$/;

/** What the API shows in place of a secret. */
export const maskedSecret = '********';

export function secretPlaceholder(name: string): string {
  if (!/^[a-z0-9.-]+$/.test(name)) throw new Error(`invalid secret placeholder name ${name}`);
  return `__linkmesh_secret__${name}__`;
}

/**
 * The template with its secrets filled in. A secret of plain characters goes in as it is; any
 * other must sit inside a double-quoted string, and is escaped for it (JSON escapes are valid in
 * YAML double-quoted scalars and in Alloy strings). OTel collectors expand `${…}` in values, so
 * there every `$` is doubled. Throws on a placeholder without a value, or a secret that cannot
 * be written where its placeholder stands: a config never goes out broken.
 *
 * @example
 * materialize('alloy', 'token = "__linkmesh_secret__telemetry-token__"', new Map([['telemetry-token', 'lmtt_x']]));
 * // → 'token = "lmtt_x"'
 */
export function materialize(
  format: ConfigFormat,
  template: string,
  secrets: ReadonlyMap<string, string>,
): string {
  return template.replace(placeholderPattern, (_match, name: string, offset: number) => {
    const value = secrets.get(name);
    if (value === undefined) throw new Error(`no value for secret ${name}`);
    const dollars = format === 'otel-yaml' ? value.replaceAll('$', '$$$$') : value;
    if (plainSafe.test(dollars)) return dollars;
    if (!insideDoubleQuotes(template, offset))
      throw new Error(`secret ${name} has characters that need quoting, and its placeholder is not quoted`);
    return JSON.stringify(dollars).slice(1, -1);
  });
}

/** Whether `offset` sits inside a double-quoted string on its line (an odd count of unescaped `"` before it). */
function insideDoubleQuotes(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf('\n', offset) + 1;
  let quotes = 0;
  for (let i = lineStart; i < offset; i++) if (text[i] === '"' && text[i - 1] !== '\\') quotes++;
  return quotes % 2 === 1;
}

/** The template as operators see it: secrets masked. */
export function masked(template: string): string {
  return template.replace(placeholderPattern, maskedSecret);
}

/** SHA-256 hex of the delivered bytes: the config hash on both wires. */
export function contentHash(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}
