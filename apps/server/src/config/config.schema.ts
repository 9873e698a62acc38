import { z } from 'zod';

/**
 * Every configuration key, its default and its meaning. The YAML file uses these camelCase
 * names; each is also settable as `LINKMESH_<UPPER_SNAKE_CASE>` (e.g. `enrollmentTokenTtlSeconds`
 * → `LINKMESH_ENROLLMENT_TOKEN_TTL_SECONDS`), and the environment wins over the file.
 * `docs/configuration.md` is generated from the `describe()` texts (npm run docs:config).
 */
const listenAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:8080 or [::]:8080')
  .refine((value) => {
    const port = Number(value.slice(value.lastIndexOf(':') + 1));
    return port >= 0 && port <= 65535;
  }, 'port must be 0–65535');

const positiveInt = () => z.coerce.number().int().positive();

export const configSchema = z
  .object({
    listen: listenAddress
      .default('0.0.0.0:8080')
      .describe('Address and port of the one HTTP listener (UI, API, OpAMP, remotecfg, OTLP).'),
    externalUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'URL collectors and browsers use to reach this server (put in OpAMP offers, remotecfg snippets, install scripts). Default: derived from `listen` (the host name when listening on all interfaces).',
      ),
    dataDir: z
      .string()
      .min(1)
      .default('./data')
      .describe('Directory for the SQLite database and the generated server secret.'),
    databaseUrl: z
      .string()
      .regex(/^(postgres(ql)?:\/\/|sqlite:)/, 'must start with postgres://, postgresql:// or sqlite:')
      .optional()
      .describe(
        '`postgres://…` selects PostgreSQL; `sqlite:PATH` a SQLite file elsewhere. Default: SQLite at `<dataDir>/linkmesh.db`.',
      ),
    databasePoolSize: positiveInt().max(200).default(10).describe('PostgreSQL connection pool size.'),
    adminPassword: z
      .string()
      .min(12, 'must be at least 12 characters')
      .optional()
      .describe(
        'Password of the first admin (user `admin`), used only when no operator exists yet. Unset: one is generated and printed once.',
      ),
    adminToken: z
      .string()
      .regex(/^lmsat_[A-Za-z0-9_-]{32,200}$/, 'must be lmsat_ followed by at least 32 URL-safe characters')
      .optional()
      .describe('Seeds an Admin service-account token at start-up, for automation.'),
    serverSecret: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)')
      .optional()
      .describe(
        'Secret for encrypting stored secrets. Unset: generated on first start into `<dataDir>/server-secret` (back it up with the database).',
      ),
    enrollmentTokenTtlSeconds: positiveInt()
      .min(60)
      .max(2_592_000)
      .default(900)
      .describe('Default lifetime of enrollment tokens.'),
    enrollmentTokenMaxTtlSeconds: positiveInt()
      .min(60)
      .max(31_536_000)
      .default(604_800)
      .describe('Longest lifetime an operator may request for an enrollment token.'),
    sessionTtlSeconds: positiveInt().min(60).default(43_200).describe('Operator session lifetime (sliding).'),
    throughputRetentionHours: positiveInt()
      .max(24 * 90)
      .default(24)
      .describe('How long raw ComponentThroughput rows are kept.'),
    otlpMaxBodyBytes: positiveInt()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(16 * 1024 * 1024)
      .describe('Largest OTLP request body accepted, after decompression (413 above).'),
    otlpMaxCompressedBodyBytes: positiveInt()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(4 * 1024 * 1024)
      .describe('Largest gzip-compressed OTLP request body accepted, before decompression (413 above).'),
    remotecfgMaxBodyBytes: positiveInt()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(8 * 1024 * 1024)
      .describe(
        'Largest Alloy remotecfg (Connect) request body accepted, both before and after decompression (413 above).',
      ),
    apiMaxBodyBytes: positiveInt()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024)
      .describe('Largest REST API (`/api/v1`) request body accepted (413 above).'),
    jsonMaxDepth: positiveInt()
      .min(8)
      .max(1000)
      .default(64)
      .describe(
        'Deepest nesting of arrays and objects accepted in any JSON body (REST, OTLP/JSON, Connect JSON); deeper bodies get 400 before they are parsed.',
      ),
    authFailuresPerWindow: positiveInt()
      .max(100_000)
      .default(30)
      .describe(
        'Failed authentications one source address may make per credential kind (collector bearer, enrollment token, service token or session, login) in one window; after that its unverified credentials get 429 with Retry-After until the window ends.',
      ),
    authFailureWindowSeconds: positiveInt()
      .max(86_400)
      .default(60)
      .describe('Length of the failed-authentication window (see `authFailuresPerWindow`).'),
    loginFailuresPerUserPerWindow: positiveInt()
      .max(10_000)
      .default(10)
      .describe(
        'Failed logins for one username from one source address per window; the same user from another address is not slowed.',
      ),
    opampMaxMessageBytes: positiveInt()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(16 * 1024 * 1024)
      .describe(
        'Largest OpAMP message accepted, after decompression (WebSocket close 1009 / HTTP 413 above).',
      ),
    opampMaxCompressedBodyBytes: positiveInt()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(4 * 1024 * 1024)
      .describe('Largest gzip-compressed OpAMP HTTP body accepted, before decompression (413 above).'),
    opampMaxConnections: positiveInt()
      .max(1_000_000)
      .default(100_000)
      .describe(
        'OpAMP WebSocket connections one server accepts; above it, upgrades get 503 with Retry-After: 30.',
      ),
    opampHeartbeatIntervalSeconds: positiveInt()
      .min(5)
      .max(3600)
      .default(30)
      .describe(
        'Heartbeat interval offered to OpAMP agents; three missed intervals mark an agent stale (WebSocket) or disconnected (HTTP).',
      ),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
      .default('info')
      .describe('Log level of the JSON logs on stdout.'),
    tlsCertFile: z
      .string()
      .min(1)
      .optional()
      .describe('PEM certificate chain: serve HTTPS directly (session cookies then get `Secure`).'),
    tlsKeyFile: z.string().min(1).optional().describe('PEM private key for `tlsCertFile`.'),
    trustedProxies: z
      .string()
      .regex(/^[0-9a-fA-F.:/, ]*$/, 'must be a comma-separated list of IP addresses or CIDR ranges')
      .default('')
      .describe(
        'Comma-separated addresses/CIDRs of reverse proxies whose X-Forwarded-For is trusted (client addresses in audit logs and throttling).',
      ),
    httpHeadersTimeoutSeconds: positiveInt()
      .max(300)
      .default(10)
      .describe(
        'A connection that has not sent complete request headers within this is closed (slow clients).',
      ),
    httpRequestTimeoutSeconds: positiveInt()
      .max(3600)
      .default(60)
      .describe(
        'A request whose body has not arrived completely within this (from its first byte) is answered 408 and its connection closed.',
      ),
    httpKeepAliveTimeoutSeconds: positiveInt()
      .max(3600)
      .default(72)
      .describe('How long an idle keep-alive connection is kept open between requests.'),
    maxConnectionsPerAddress: positiveInt()
      .max(1_000_000)
      .default(2048)
      .describe(
        'Open TCP connections (HTTP and WebSocket alike) one client address may hold; further ones are closed at once. Trusted proxies (`trustedProxies`) are exempt.',
      ),
    shutdownGraceSeconds: positiveInt()
      .max(300)
      .default(15)
      .describe('How long SIGTERM waits for in-flight requests before closing anyway.'),
  })
  .strict()
  .refine((c) => (c.tlsCertFile === undefined) === (c.tlsKeyFile === undefined), {
    message: 'tlsCertFile and tlsKeyFile must be set together',
    path: ['tlsKeyFile'],
  });

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;

export const configKeys = Object.keys(configSchema.shape) as Array<keyof ParsedConfig>;

/** `enrollmentTokenTtlSeconds` → `LINKMESH_ENROLLMENT_TOKEN_TTL_SECONDS`. */
export function envNameOf(key: string): string {
  return 'LINKMESH_' + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}
