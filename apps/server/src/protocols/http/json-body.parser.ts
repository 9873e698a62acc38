import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { HttpError } from './api-errors.ts';
import { jsonDepthProblem } from './json-depth.ts';

/**
 * The server's one `application/json` body parser (REST API, agent and bootstrap routes):
 * bounded by `maxBodyBytes` (413), refused past `maxDepth` levels before parsing (400), and
 * parsed with Fastify's usual prototype-poisoning protection (`__proto__` / `constructor` keys
 * are refused).
 */
export function registerJsonBodyParser(
  app: FastifyInstance,
  limits: { readonly maxBodyBytes: number; readonly maxDepth: number },
): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: limits.maxBodyBytes },
    (_request, body: Buffer, done) => {
      if (body.length === 0) {
        done(null, undefined);
        return;
      }
      const depthProblem = jsonDepthProblem(body, limits.maxDepth);
      if (depthProblem !== undefined) {
        done(new HttpError(400, 'invalid', depthProblem), undefined);
        return;
      }
      try {
        done(null, secureJson.parse(body, undefined, { protoAction: 'error', constructorAction: 'error' }));
      } catch (error) {
        done(new HttpError(400, 'invalid', `invalid JSON body: ${(error as Error).message}`), undefined);
      }
    },
  );
}
