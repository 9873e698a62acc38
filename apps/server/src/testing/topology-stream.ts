import type { TopologyView } from '@linkmesh/contracts/topology-api';

export interface TopologyStream {
  /** The first view (already received or still to come) that satisfies `match`; fails after 15 s. */
  next(match: (view: TopologyView) => boolean): Promise<TopologyView>;
  /** Every `topology` event received so far. */
  readonly views: readonly TopologyView[];
  close(): void;
}

/**
 * A client of `GET /api/v1/collectors/{id}/topology/stream` (Server-Sent Events) over fetch, as
 * a browser's EventSource reads it: `event:` / `data:` lines, a blank line ends an event,
 * comments (`: keep-alive`) skipped.
 */
export async function openTopologyStream(
  baseUrl: string,
  collectorId: string,
  bearer: string,
  path = `/api/v1/collectors/${collectorId}/topology/stream?window=15m`,
): Promise<TopologyStream> {
  const abort = new AbortController();
  const response = await fetch(baseUrl + path, {
    headers: { authorization: `Bearer ${bearer}`, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  if (!response.ok || !response.body) throw new Error(`stream: ${response.status} ${await response.text()}`);
  const views: TopologyView[] = [];
  let seen = 0;
  let wake: (() => void) | undefined;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const lines = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
          if (event === 'topology' && data.length > 0) {
            views.push(JSON.parse(data.join('\n')) as TopologyView);
            wake?.();
          }
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return {
    views,
    async next(match) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        for (; seen < views.length; seen++) {
          const view = views[seen] as TopologyView;
          if (match(view)) {
            seen += 1;
            return view;
          }
        }
        const remainingMs = deadline - Date.now();
        if (remainingMs <= 0) throw new Error(`stream: no matching view in 15 s (${views.length} received)`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remainingMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    close: () => abort.abort(),
  };
}
