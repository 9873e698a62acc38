import type { FastifyReply } from 'fastify';
import type { ErrorBody, ErrorCode } from '@linkmesh/contracts/api';
import { ZodError } from 'zod';
import { DomainError, type DomainErrorKind } from '../../domain/shared/errors.ts';

const statusOf: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  rate_limited: 429,
  unavailable: 503,
};

/** An error the HTTP layer itself raises (bad body, wrong media type …). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function errorBody(code: ErrorCode, message: string, field?: string): ErrorBody {
  return { error: { code, message, ...(field === undefined ? {} : { field }) } };
}

/** Sends `error` as `{error: {code, message, field?}}`; returns false for errors it does not know. */
export function sendKnownError(reply: FastifyReply, error: unknown): boolean {
  if (error instanceof DomainError) {
    if (error.retryAfterSeconds !== undefined)
      void reply.header('retry-after', String(error.retryAfterSeconds));
    void reply.code(statusOf[error.kind]).send(errorBody(error.kind, error.message, error.field));
    return true;
  }
  if (error instanceof HttpError) {
    void reply.code(error.statusCode).send(errorBody(error.code, error.message, error.field));
    return true;
  }
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const field = issue?.path.map(String).join('.') ?? '';
    const message = issue ? `${field || 'body'}: ${issue.message}` : 'invalid request body';
    void reply.code(400).send(errorBody('invalid', message, field || undefined));
    return true;
  }
  return false;
}
