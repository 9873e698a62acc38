/**
 * How a secret stands in rendered text until delivery. Configs are rendered, stored, diffed and
 * shown as templates: each secret is `__linkmesh_secret__<name>__`, filled in by the server only
 * for the bytes it sends to the collector. A value the renderer derives from a secret (the
 * base64 of `user:password` in a Basic `Authorization` header) cannot be computed from a
 * placeholder, so it is deferred: `__linkmesh_b64__<hex of the text>__` is base64-encoded at
 * delivery, after the placeholders inside it are filled. Both are word characters only, so YAML
 * and Alloy write them through unquoted and unescaped.
 */

export const secretPlaceholderPattern = /__linkmesh_secret__([a-z0-9.-]+)__/g;
export const deferredBase64Pattern = /__linkmesh_b64__([0-9a-f]+)__/g;

export function secretPlaceholder(name: string): string {
  if (!/^[a-z0-9.-]+$/.test(name)) throw new Error(`invalid secret placeholder name ${name}`);
  return `__linkmesh_secret__${name}__`;
}

export function containsPlaceholder(text: string): boolean {
  return new RegExp(secretPlaceholderPattern.source).test(text);
}

/** Base64 of the UTF-8 text, or a deferred base64 when the text holds a secret placeholder. */
export function base64OrDeferred(text: string): string {
  const bytes = new TextEncoder().encode(text);
  if (containsPlaceholder(text)) {
    let hex = '';
    for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
    return `__linkmesh_b64__${hex}__`;
  }
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The text a deferred base64 encodes (placeholders still in it). */
export function deferredText(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return new TextDecoder().decode(bytes);
}
