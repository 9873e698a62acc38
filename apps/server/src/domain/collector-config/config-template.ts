import { createHash } from 'node:crypto';
import {
  deferredBase64Pattern,
  deferredText,
  secretPlaceholderPattern,
} from '@linkmesh/pipelines/secret-placeholders';

import type { ConfigFormat } from './config-version.types.ts';

/**
 * Rendered configs are kept and shown as templates: every secret is a placeholder (see
 * `@linkmesh/pipelines/secret-placeholders`), filled in only for delivery. Storage, the API,
 * diffs and logs only ever see the template.
 */

/** Secrets made only of these go in as they are, in any position (tokens are base64url). */
const plainSafe = /^[A-Za-z0-9_.~+/=:@-]*$/;

/** What the API shows in place of a secret. */
export const maskedSecret = '********';

export { secretPlaceholder } from '@linkmesh/pipelines/secret-placeholders';

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
  // The base64 of a text with secrets in it (Basic auth): the raw values go in, then it is encoded.
  const deferred = template.replace(deferredBase64Pattern, (_match, hex: string) => {
    const raw = deferredText(hex).replace(secretPlaceholderPattern, (_m, name: string) =>
      secretOf(secrets, name),
    );
    return Buffer.from(raw, 'utf8').toString('base64');
  });
  return fill(format, deferred, secrets, (offset) => insideDoubleQuotes(deferred, offset));
}

function fill(
  format: ConfigFormat,
  template: string,
  secrets: ReadonlyMap<string, string>,
  quoted: (offset: number) => boolean,
): string {
  return template.replace(secretPlaceholderPattern, (_match, name: string, offset: number) => {
    const value = secretOf(secrets, name);
    const dollars = format === 'otel-yaml' ? value.replaceAll('$', '$$$$') : value;
    if (plainSafe.test(dollars)) return dollars;
    if (!quoted(offset))
      throw new Error(`secret ${name} has characters that need quoting, and its placeholder is not quoted`);
    return JSON.stringify(dollars).slice(1, -1);
  });
}

function secretOf(secrets: ReadonlyMap<string, string>, name: string): string {
  const value = secrets.get(name);
  if (value === undefined) throw new MissingSecretError(name);
  return value;
}

/** A template names a secret the server no longer has (its destination was deleted since). */
export class MissingSecretError extends Error {
  constructor(readonly secretName: string) {
    super(`no value for secret ${secretName}`);
  }
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
  return template
    .replace(deferredBase64Pattern, maskedSecret)
    .replace(secretPlaceholderPattern, maskedSecret);
}

/** SHA-256 hex of the delivered bytes: the config hash on both wires. */
export function contentHash(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}
