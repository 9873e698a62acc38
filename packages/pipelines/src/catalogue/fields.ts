import { z } from 'zod';
import { base64OrDeferred } from '../secret-placeholders.ts';

/** Shared config fields and small render helpers of the catalogue. */

/** `host:port` a receiver listens on or an exporter dials (no scheme). */
export const hostPort = z.string().regex(/^[^\s/]+:\d{1,5}$/, 'expected host:port, e.g. 0.0.0.0:4317');

/** An absolute http(s) URL. */
export const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/, 'expected an http:// or https:// URL');

/** A map of extra request headers (values may be credentials: declared secret as `headers.*`). */
export const headers = z
  .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'invalid header name'), z.string())
  .default({});

/** Credentials for an HTTP destination: at most one of basic auth and a bearer token. */
export const httpAuth = {
  basicAuth: z.object({ username: z.string().min(1), password: z.string().min(1) }).optional(),
  bearerToken: z.string().min(1).optional(),
};
export const httpAuthSecrets = ['basicAuth.password', 'bearerToken', 'headers.*'] as const;

export const seconds = (value: number): string => `${value}s`;
export const milliseconds = (value: number): string => `${value}ms`;

/** Strips trailing slashes so `<base>/path` never doubles one. */
export const trimSlashes = (url: string): string => url.replace(/\/+$/, '');

/**
 * The request headers for an HTTP destination: its own headers, an optional tenant header, and
 * `Authorization` from basic auth or a bearer token. Credentials travel as a header rather than
 * an auth extension/component so that one rendering works on every runtime and version.
 */
export function requestHeaders(config: {
  readonly headers: Readonly<Record<string, string>>;
  readonly basicAuth?: { readonly username: string; readonly password: string } | undefined;
  readonly bearerToken?: string | undefined;
  readonly tenantId?: string | undefined;
}): Record<string, string> {
  const result: Record<string, string> = { ...config.headers };
  if (config.tenantId !== undefined) result['X-Scope-OrgID'] = config.tenantId;
  if (config.basicAuth !== undefined) {
    result['Authorization'] =
      `Basic ${base64OrDeferred(`${config.basicAuth.username}:${config.basicAuth.password}`)}`;
  } else if (config.bearerToken !== undefined) {
    result['Authorization'] = `Bearer ${config.bearerToken}`;
  }
  return result;
}

/** Refinement: basic auth and a bearer token are mutually exclusive. */
export function oneCredential(config: { basicAuth?: unknown; bearerToken?: unknown }): boolean {
  return config.basicAuth === undefined || config.bearerToken === undefined;
}
export const oneCredentialIssue = {
  message: 'set either basicAuth or bearerToken, not both',
  path: ['bearerToken'],
};
