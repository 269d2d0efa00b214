/**
 * Builds the HTTP server: host routing, intake, the tracker script, the Stats API and health.
 * One place (the error handler here) turns every failure into a catalogued JSON response, so no
 * stack trace or raw input reaches a response.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyReply, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ConfigStore } from '../config-store/config-store.js';
import type { ServerConfig } from '../config.js';
import type { EdgePipeline } from '../edge/pipeline.js';
import type { HostRouter } from '../edge/routing.js';
import { HttpError, type ErrorCode } from '../errors.js';
import type { EventStore } from '../storage/event-store.js';
import { StorageError } from '../storage/errors.js';
import { RequestLineController } from './logger.js';
import { consentRoutes } from './routes/consent.js';
import { intakeRoutes } from './routes/intake.js';
import { statsRoutes } from './routes/stats.js';
import { trackerScriptRoute, type TrackerScripts } from './routes/tracker-script.js';

/** Maximum time a client may take to send a whole request, in milliseconds. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** How often Node looks for requests past their timeout, in milliseconds. */
const CONNECTIONS_CHECK_MS = 1_000;

export interface AppDependencies {
  config: ServerConfig;
  logger: Logger;
  configStore: ConfigStore;
  eventStore: EventStore;
  router: HostRouter;
  pipeline: EdgePipeline;
  trackerScripts: TrackerScripts;
  /** True once start-up finished; `/healthz` returns 503 until then. */
  isReady: () => boolean;
}

/** Map Fastify's own client errors (body too large, bad content type, ...) to catalogue codes. */
function fromFastifyError(error: FastifyError): HttpError | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError('payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError('unsupported_media_type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError('invalid_body', [{ path: '/', message: 'The request body is empty.' }]);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpError('invalid_json');
    default:
      break;
  }
  if (error instanceof SyntaxError || (error as { statusCode?: number }).statusCode === 400) {
    return new HttpError('invalid_json');
  }
  return null;
}

/** Map a storage failure to the catalogue code the client receives. */
function storageErrorCode(error: StorageError): ErrorCode {
  if (error.code === 'STORAGE_QUERY_FAILED') return 'query_failed';
  // An event the store rejects as invalid is our bug, and a retry would fail the same way.
  if (error.code === 'STORAGE_INVALID_EVENT') return 'internal_error';
  return 'storage_unavailable';
}

/** Map a rejection of Node's HTTP parser to the catalogue code the client receives. */
function clientErrorCode(error: NodeJS.ErrnoException): ErrorCode {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  return 'bad_request';
}

/**
 * Respond to a request that Node's HTTP parser rejected (unknown method, oversized headers, a
 * body that did not arrive in time) with the catalogue's JSON body, then close the socket.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const answer = new HttpError(clientErrorCode(error));
  const body = JSON.stringify(answer.toBody());
  socket.end(
    `HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status]}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new RequestLineController(),
    bodyLimit: 64 * 1024,
    // Slow or idle clients must not hold sockets open for long.
    connectionTimeout: 30_000,
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: 5_000,
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
    frameworkErrors: (_error, _request, reply: FastifyReply) => {
      const answer = new HttpError('bad_request');
      void reply.code(answer.status).send(answer.toBody());
    },
    // Node checks requestTimeout only every connectionsCheckingInterval (30 s by default), so a
    // body trickled one byte at a time would hold its socket for far longer than the timeout.
    serverFactory: (handler) =>
      http.createServer({ connectionsCheckingInterval: CONNECTIONS_CHECK_MS, requestTimeout: REQUEST_TIMEOUT_MS }, handler),
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    let answer: HttpError;
    if (error instanceof HttpError) {
      answer = error;
    } else if (error instanceof StorageError) {
      request.log.error({ err: error }, 'storage failed');
      answer = new HttpError(storageErrorCode(error));
    } else {
      const mapped = fromFastifyError(error);
      if (mapped) {
        answer = mapped;
      } else {
        request.log.error({ err: error }, 'request failed');
        answer = new HttpError('internal_error');
      }
    }
    return reply.code(answer.status).type('application/json').send(answer.toBody());
  });
  app.setNotFoundHandler((_request, reply) => {
    const answer = new HttpError('not_found');
    return reply.code(answer.status).send(answer.toBody());
  });

  app.get('/healthz', (_request, reply) => {
    if (!deps.isReady()) return reply.code(503).send({ status: 'starting' });
    return reply.send({ status: 'ok' });
  });

  app.addHook('onRequest', async (request) => {
    if (request.url === '/healthz') return;
    if (deps.router.resolve(request.headers.host) === null) throw new HttpError('unknown_host');
  });

  await app.register(intakeRoutes, { eventPath: deps.config.eventPath, pipeline: deps.pipeline });
  await app.register(trackerScriptRoute, { scriptPath: deps.config.scriptPath, scripts: deps.trackerScripts });
  await app.register(statsRoutes, { configStore: deps.configStore, eventStore: deps.eventStore });
  await app.register(consentRoutes, { configStore: deps.configStore, router: deps.router, drops: deps.pipeline.consentDrops });
  return app;
}
