import { createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { CollectorService } from '@linkmesh/contracts/gen/collector/v1/collector_pb';

/**
 * A `@connectrpc/connect-node` client of `collector.v1.CollectorService` presenting `bearer`, as
 * Alloy's connect-go client calls remotecfg (HTTP/1.1; JSON unless `useBinaryFormat`).
 */
export function alloyClient(baseUrl: string, bearer: string, useBinaryFormat = false) {
  return createClient(
    CollectorService,
    createConnectTransport({
      baseUrl,
      httpVersion: '1.1',
      useBinaryFormat,
      interceptors: [
        (next) => (request) => {
          request.header.set('Authorization', `Bearer ${bearer}`);
          return next(request);
        },
      ],
    }),
  );
}
