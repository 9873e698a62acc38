import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface EventStreamOptions {
  /** The event's name (`event: <name>`). */
  readonly event: string;
  /** The event sent, with `{message}`, when a render fails (the stream stays open). */
  readonly errorEvent: string;
  /** What the stream shows now; sent when it differs from what was sent last. */
  readonly render: () => Promise<object>;
  /** Subscribes to changes on this replica; returns the unsubscribe. */
  readonly watch: (changed: () => void) => () => void;
  /** Two sends are at least this far apart (a burst of commits is one update). */
  readonly minGapMs: number;
  /** Re-read this often anyway (changes made on another replica), with a keep-alive comment. */
  readonly refreshMs: number;
  /** Ends the stream (server shutdown). */
  readonly closing: AbortSignal;
}

/**
 * A Server-Sent Events response that re-renders on change: the view goes out at once, then
 * again whenever a change on this replica (or the periodic re-read) makes it differ from what
 * was sent — ignoring `generatedAt`, so an unchanged view is never resent. One render runs at
 * a time; changes during it coalesce into one more. Sent through Fastify (its onSend hooks and
 * security headers apply); everything stops when the client goes away.
 */
export function sendEventStream(request: FastifyRequest, reply: FastifyReply, options: EventStreamOptions) {
  const out = new PassThrough();
  let lastSent = '';
  let lastSentAtMs = 0;
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const write = (chunk: string) => {
    if (!closed) out.write(chunk);
  };
  const renderNow = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const view = await options.render();
      const { generatedAt: _generatedAt, ...compared } = view as { generatedAt?: unknown };
      const fingerprint = JSON.stringify(compared);
      if (fingerprint !== lastSent) {
        lastSent = fingerprint;
        lastSentAtMs = Date.now();
        write(`event: ${options.event}\ndata: ${JSON.stringify(view)}\n\n`);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : 'could not render';
      write(`event: ${options.errorEvent}\ndata: ${JSON.stringify({ message })}\n\n`);
    } finally {
      running = false;
      if (again && !closed) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    if (closed || timer) return;
    const waitMs = Math.max(0, lastSentAtMs + options.minGapMs - Date.now());
    timer = setTimeout(() => {
      timer = undefined;
      void renderNow();
    }, waitMs);
  };
  const unwatch = options.watch(schedule);
  const refresh = setInterval(() => {
    write(': keep-alive\n\n');
    void renderNow();
  }, options.refreshMs);
  const close = () => {
    if (closed) return;
    closed = true;
    options.closing.removeEventListener('abort', close);
    unwatch();
    clearInterval(refresh);
    if (timer) clearTimeout(timer);
    out.end();
  };
  reply.raw.on('close', close);
  if (options.closing.aborted) queueMicrotask(close);
  else options.closing.addEventListener('abort', close, { once: true });
  out.on('error', close);

  void renderNow();
  return reply
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache, no-transform')
    .header('x-accel-buffering', 'no')
    .send(out);
}
