/**
 * Redacts secrets from a collector's reported YAML before it is stored or shown: values of keys
 * that name credentials (`authorization`, `password`, `token`, `api_key`, `secret`, `bearer…`),
 * and `Bearer …` / `Basic …` strings anywhere. Line-based on purpose: the effective config may
 * not parse (that is often why an operator looks at it), and redaction must still happen.
 *
 * @example redactSecrets('headers:\n  Authorization: "Bearer lmct_x"\n') // → 'headers:\n  Authorization: "[redacted]"\n'
 */
const secretKey =
  /^(\s*-?\s*["']?)([A-Za-z0-9_.-]*(authorization|password|passwd|token|api[_-]?key|secret|bearer|credential)[A-Za-z0-9_.-]*)(["']?\s*:\s*)(.+)$/i;
const inlineCredential = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;

export function redactSecrets(yaml: string): string {
  return yaml
    .split('\n')
    .map((line) => {
      const match = secretKey.exec(line);
      if (match && !/^\s*[|>]/.test(match[5] ?? '') && (match[5] ?? '').trim() !== '') {
        const value = (match[5] ?? '').trim();
        const quote = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : '';
        return `${match[1]}${match[2]}${match[4]}${quote}[redacted]${quote}`;
      }
      return line.replace(inlineCredential, '$1 [redacted]');
    })
    .join('\n');
}
