import { credentialPrefix } from './credentials.ts';

/**
 * Redaction of secrets from text a collector or agent reported (effective configs, apply-status
 * errors, health messages, agent reports), applied before anything is stored or shown. Text-based
 * on purpose: an effective config that does not parse is often why an operator looks at it, and
 * redaction must still happen. Every rule is idempotent, so redacting twice changes nothing (the
 * migration of old rows may meet text that was already redacted).
 *
 * What is redacted:
 * - values of keys that name credentials, in YAML (`password: x`, block scalars), Alloy/HCL
 *   (`bearer_token = "x"`, inside blocks and `{ "Authorization" = "x" }` objects), JSON
 *   (`"token": "x"`, also backslash-escaped inside another string) and `key=value` query or
 *   conninfo pairs; references (`${env:X}`, Alloy `sys.env("X")`) are not secrets and stay;
 * - `Bearer …` / `Basic …` credentials, URL userinfo passwords and PEM private keys anywhere;
 * - any LinkMesh credential (`lmct_`, `lmet_`, `lmsat_`, `lms_` + the credential alphabet) anywhere.
 */

/** What a secret is replaced with. */
export const redactedMarker = '[redacted]';

const secretWord =
  /authorization|passw(?:or)?d|passphrase|pwd|token|api[_-]?key|secret|bearer|credential|private[_-]?key|access[_-]?key|key[_-]?pem|cookie|connection[_-]?string/i;

/** Keys that contain a secret word but name something else: a file, a URL, a lifetime, a type… */
const notASecret =
  /(?:file|path|url|uri|endpoint|[_.\s-]id|type|name|header|env|format|prefix|expiry|expires|ttl|interval|timeout|duration|length|size|count|enabled)$/;

/**
 * Whether a key (of a config entry, header, attribute or JSON member) names a credential.
 *
 * @example isSecretKey('bearer_token') // → true
 * @example isSecretKey('bearer_token_file') // → false (a path, not the secret)
 */
export function isSecretKey(key: string): boolean {
  const bare = key.trim().replace(/^["'`]|["'`]$/g, '');
  return secretWord.test(bare) && !notASecret.test(bare.toLowerCase()) && !/[a-z]Id$/.test(bare);
}

/** A value that only points at a secret kept elsewhere (or is empty): shown as it is. */
function isReference(value: string): boolean {
  const inner = value.trim();
  return inner === '' || /^\$\{[^}]*\}$/.test(inner) || /^(?:null|~|true|false)$/i.test(inner);
}

/** A string literal's secret replaced, its quotes kept (an unterminated one stays unterminated). */
function redactLiteral(literal: string, quote: string): string {
  const open = literal.startsWith(quote) ? quote : (literal[0] ?? '');
  const inner = literal.slice(open.length);
  const closed =
    inner.endsWith(open) &&
    (open.endsWith('"') ? !escaped(inner, inner.length - open.length) : inner.length > 0);
  const value = closed ? inner.slice(0, -open.length) : inner;
  if (isReference(value)) return literal;
  return `${open}${redactedMarker}${closed ? open : ''}`;
}

/** Whether the character at `index` is escaped (an odd number of backslashes before it). */
function escaped(text: string, index: number): boolean {
  let count = 0;
  while (index - count - 1 >= 0 && text[index - count - 1] === '\\') count += 1;
  return count % 2 === 1;
}

const identifier = String.raw`[A-Za-z_][A-Za-z0-9_./-]*`;

/**
 * A double-quoted string; an unterminated one runs to the line's end (text that does not parse)
 * so that it is still a value, and so that a scan never restarts inside it (linear time).
 */
const doubleQuoted = String.raw`"(?:[^"\\\n]|\\[^\n])*\\?(?:"|(?=\n)|$)`;
/** The same inside another string, where its quotes are backslash-escaped: `\"…\"`. */
const escapedQuoted = String.raw`\\"(?:[^"\\\n]|\\[^"\n])*(?:\\"|\\?(?=["\n])|\\?$)`;
const otherQuoted = String.raw`'[^'\n]*'|\x60[^\x60]*\x60`;

/**
 * `key = "v"` (Alloy/HCL, in blocks and `{ … }` objects), `"key": "v"` (JSON, YAML flow) and
 * `key: 'v'` (YAML); a string that is no key is consumed whole (second alternative).
 */
const plainPair = new RegExp(
  String.raw`(?<![A-Za-z0-9_])(${doubleQuoted}|${otherQuoted}|${identifier})([ \t]*[=:][ \t]*)(${doubleQuoted}|${otherQuoted})|${doubleQuoted}`,
  'g',
);

/** The same quoted inside another string (`"msg": "bad: \"token\": \"x\""`). */
const escapedPair = new RegExp(
  String.raw`(?<![A-Za-z0-9_])(${escapedQuoted}|${identifier})([ \t]*[=:][ \t]*)(${escapedQuoted})|${escapedQuoted}`,
  'g',
);

/** `{password: hunter2, user: x}` — unquoted values in a YAML flow mapping. */
const flowPair = new RegExp(
  String.raw`([{,][ \t]*)(${identifier})([ \t]*:[ \t]+)([^\s,}\]"'\x60\[{][^,}\]\n]*)`,
  'g',
);

/** `?api_key=x&…`, `host=db password=x`, `--token=x`: unquoted `key=value` in one word. */
const wordPair = new RegExp(
  String.raw`(?<![A-Za-z0-9_])(${identifier})=([^\s&;,"'\x60=()\[\]{}<>][^\s&;,"'\x60()\[\]{}<>]*)`,
  'g',
);

/** `scheme://user:password@host` */
const urlUserinfo = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)([^\s:@/"'`]*):([^\s@/"'`]+)@/gi;

/** The body runs to the next `-----` (the END line), so BEGIN lines without an END cost nothing. */
const pemPrivateKey = /(-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----)((?:[^-]|-(?!----))*)(-----END \2-----)/g;

/** `Bearer <token68>` / `Basic <base64>`, any case (HTTP auth schemes are case-insensitive). */
const schemeCredential = /\b(Bearer|Basic)([ \t]+)([A-Za-z0-9._~+/-]+=*)/gi;

/**
 * A LinkMesh credential: prefix + base64url (credentials.ts mints 43 characters; the shape check
 * there accepts 20 and more, so anything that could verify is caught, also when cut short).
 */
const linkmeshCredential = new RegExp(
  String.raw`(?<![A-Za-z0-9])(?:${Object.values(credentialPrefix)
    .sort((a, b) => b.length - a.length)
    .join('|')})[A-Za-z0-9_-]{20,}`,
  'g',
);

/** `key: value` at the start of a YAML line (list items too); the value runs to the line's end. */
const yamlLine = /^([ \t]*(?:-[ \t]+)*)("[^"\n]*"|'[^'\n]*'|[^\s"'#:=]+?)([ \t]*:)(?:[ \t]+(.*))?$/;

/**
 * Redacts secrets from reported text of any syntax (YAML, Alloy, JSON, free text). Line
 * structure and everything that is not a secret stay as they are.
 *
 * @example redactSecrets('headers:\n  Authorization: "Bearer lmct_x"\n') // → 'headers:\n  Authorization: "[redacted]"\n'
 * @example redactSecrets('bearer_token = "lmct_…"') // → 'bearer_token = "[redacted]"'
 * @example redactSecrets('401 for token lmct_AbC…') // → '401 for token [redacted]'
 */
export function redactSecrets(text: string): string {
  let out = text.replace(
    pemPrivateKey,
    (_m, begin: string, _kind: string, body: string, end: string) =>
      `${begin}${body.replace(/\S+/g, redactedMarker)}${end}`,
  );
  out = out.replace(urlUserinfo, `$1$2:${redactedMarker}@`);
  out = redactQuotedPairs(out, plainPair, '"');
  if (out.includes('\\"')) out = redactQuotedPairs(out, escapedPair, '\\"');
  out = out.replace(flowPair, (match, lead: string, key: string, separator: string, value: string) =>
    isSecretKey(key) && !isReference(value.trim()) ? `${lead}${key}${separator}${redactedMarker}` : match,
  );
  out = redactYamlLines(out);
  out = out.replace(wordPair, (match, key: string, value: string) =>
    isSecretKey(key) && !isReference(value) ? `${key}=${redactedMarker}` : match,
  );
  out = out.replace(schemeCredential, (match, scheme: string, space: string, token: string) =>
    // A lower-case word is prose ("bearer token file") or an auth-param ("Basic realm="), not a credential.
    /^[a-z]{1,14}$/.test(token.replace(/=+$/, '')) ? match : `${scheme}${space}${redactedMarker}`,
  );
  return out.replace(linkmeshCredential, redactedMarker);
}

/**
 * Redacts the string values of secret keys found by `pattern`. A pair whose key is no secret
 * resumes after its separator, for its value may be the next key (`bad: \"token\": \"x\"`).
 */
function redactQuotedPairs(text: string, pattern: RegExp, quote: string): string {
  let out = '';
  let copiedTo = 0;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const [whole, key, separator, value] = match;
    if (key === undefined || separator === undefined || value === undefined) continue;
    if (!isSecretKey(key.replaceAll(quote, ''))) {
      pattern.lastIndex = match.index + key.length + separator.length;
      continue;
    }
    out += text.slice(copiedTo, match.index) + key + separator + redactLiteral(value, quote);
    copiedTo = match.index + whole.length;
  }
  return out + text.slice(copiedTo);
}

/** Unquoted YAML values of secret keys, and the lines of a secret block scalar (`key: |`). */
function redactYamlLines(text: string): string {
  const lines = text.split('\n');
  let blockIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const cr = raw.endsWith('\r') ? '\r' : '';
    const line = cr ? raw.slice(0, -1) : raw;
    if (blockIndent >= 0) {
      const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
      if (line.trim() === '') continue;
      if (indent.length > blockIndent) {
        lines[i] = `${indent}${redactedMarker}${cr}`;
        continue;
      }
      blockIndent = -1;
    }
    const match = yamlLine.exec(line);
    if (!match) continue;
    const [, lead = '', key = '', colon = '', rest = ''] = match;
    const value = rest.trimEnd();
    if (!isSecretKey(key) || value === '' || value.startsWith('#')) continue;
    if (/^[|>][-+0-9]*(?:[ \t]+#.*)?$/.test(value)) {
      blockIndent = lead.length;
      continue;
    }
    // Quoted values were handled by the pair rule; `*alias` points at another node. A flow
    // collection (`[a, b]`, `{user: u, pass: p}`) under a secret key goes as a whole.
    if (value === redactedMarker || /^["'`*]/.test(value) || isReference(value)) continue;
    lines[i] = `${lead}${key}${colon} ${redactedMarker}${cr}`;
  }
  return lines.join('\n');
}

/**
 * Redacts every string inside a reported structure (health trees, attribute maps, agent reports);
 * a string under a key that names a credential is replaced outright. Keys are kept.
 *
 * @example redactSecretsDeep({ lastError: 'token lmct_…', 'auth.token': 'abc' }) // → { lastError: 'token [redacted]', 'auth.token': '[redacted]' }
 */
export function redactSecretsDeep<T>(value: T): T {
  return redactValue(value, undefined) as T;
}

function redactValue(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') {
    return key !== undefined && isSecretKey(key) && !isReference(value)
      ? redactedMarker
      : redactSecrets(value);
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, undefined));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, k)]));
  }
  return value;
}
