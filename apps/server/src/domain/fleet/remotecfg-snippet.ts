/**
 * The paste-ready Alloy `remotecfg` block shown once on the Alloy tab when a bearer is minted.
 * Alloy appends `/collector.v1.CollectorService/<Method>` to `url` itself; the `id` is recorded
 * by the server, but the collector is identified by the bearer.
 *
 * @example remotecfgSnippet({ url: 'https://fleet.example.com', collectorId: 'c1', bearerToken: 'lmct_…' })
 */
export function remotecfgSnippet(input: { url: string; collectorId: string; bearerToken: string }): string {
  return [
    'remotecfg {',
    `  url            = ${alloyString(input.url)}`,
    `  id             = ${alloyString(input.collectorId)}`,
    '  poll_frequency = "60s"',
    `  bearer_token   = ${alloyString(input.bearerToken)}`,
    '}',
    '',
  ].join('\n');
}

/** An Alloy string literal (Go-style escapes). */
export function alloyString(value: string): string {
  return JSON.stringify(value);
}
