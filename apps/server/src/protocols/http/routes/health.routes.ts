import type { FastifyInstance } from 'fastify';
import type { Storage } from '../../../domain/shared/storage.port.ts';
import type { ServerMetrics } from '../../../platform/metrics.ts';

/** Liveness, readiness (storage reachable) and the Prometheus endpoint. None needs auth. */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: { storage: Storage; metrics: ServerMetrics; isShuttingDown: () => boolean },
): void {
  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (deps.isShuttingDown()) return reply.code(503).send({ status: 'shutting_down' });
    const up = deps.metrics.storageUp.labels(deps.storage.dialect);
    try {
      await withTimeout(deps.storage.ping(), 2000);
      up.set(1);
      return { status: 'ready', storage: deps.storage.dialect };
    } catch (error) {
      up.set(0);
      return reply
        .code(503)
        .send({ status: 'unavailable', storage: deps.storage.dialect, error: (error as Error).message });
    }
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.header('content-type', deps.metrics.registry.contentType).send(body);
  });
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`storage did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
