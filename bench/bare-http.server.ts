// The baseline of `bench:remotecfg`: a bare `node:http` server that reads each request body and
// answers every POST with the same 200 `application/proto` body — the bytes of a `not_modified`
// GetConfigResponse, passed hex-encoded in BENCH_BARE_BODY_HEX — i.e. the least any HTTP/1.1
// server on Node must do per poll.
import http from 'node:http';

const body = Buffer.from(process.env.BENCH_BARE_BODY_HEX ?? '1801', 'hex');
const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/proto', 'content-length': body.length });
    response.end(body);
  });
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address !== null && typeof address === 'object')
    process.stdout.write(`listening http://127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
