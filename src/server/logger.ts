/**
 * Logger options. Request and response serializers list the fields they keep, so a client
 * address, a user-agent or any other header cannot reach a log line by accident: what is not
 * listed is not written. `redact` removes the same fields if code logs a raw request object
 * anyway.
 */
import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';

interface SerializableRequest {
  method?: string;
  url?: string;
  routeOptions?: { url?: string };
  id?: string;
}

/** Path of a request URL without its query string: queries of page URLs can hold anything. */
function pathOnly(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export const REDACTED_PATHS = [
  'req.headers',
  'req.remoteAddress',
  'req.remotePort',
  'req.ip',
  'request.headers',
  'request.ip',
  'headers',
  'userAgent',
  'clientAddress',
  'peerAddress',
  '*.headers',
  '*.userAgent',
  '*.clientAddress',
  '*.peerAddress',
];

export function loggerOptions(level: string): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    redact: { paths: REDACTED_PATHS, remove: true },
    serializers: {
      req(request: SerializableRequest) {
        return { method: request.method, url: pathOnly(request.url), id: request.id };
      },
      res(reply: { statusCode?: number }) {
        return { statusCode: reply.statusCode };
      },
    },
  };
}

/**
 * Writes exactly one line per request, when the answer has gone out: method, path without
 * query, status and milliseconds. The incoming-request line goes to debug level only.
 */
export class RequestLineController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      path: pathOnly(request.url),
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request failed');
    else reply.log.info(line, 'request');
  }
}
