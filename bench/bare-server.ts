/**
 * The baseline of the ingest benchmark: a bare `node:http` server that reads each request
 * body and answers 202 with an empty body, as the edge does when it accepts an event.
 * Prints `listening on <port>` once it listens on 127.0.0.1; stops on SIGTERM.
 */
import http from 'node:http';

const server = http.createServer((request, response) => {
  request.on('data', () => undefined);
  request.on('end', () => {
    response.writeHead(202, { 'content-length': '0' });
    response.end();
  });
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  console.log(`listening on ${address.port}`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
