/**
 * Domain failures, by kind. Protocol adapters map a kind to their own status codes
 * (HTTP 401/403/404/409/410/422/429, Connect codes, OpAMP error responses); the domain never
 * speaks HTTP.
 */
export type DomainErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'rate_limited'
  /** Could not be done now (storage failed); nothing was kept, the caller may retry. */
  | 'unavailable';

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    /** For `invalid`: the request field at fault, e.g. `ttlSeconds`. */
    readonly field?: string,
    /** For `rate_limited` and `unavailable`: when the caller may retry. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const invalid = (field: string, message: string) => new DomainError('invalid', message, field);
export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const conflict = (message: string) => new DomainError('conflict', message);
