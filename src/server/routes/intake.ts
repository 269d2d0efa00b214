/**
 * The two intake endpoints: the tracker's own (`POST <event path>`, text/plain JSON, see
 * docs/tracker.md) and Plausible's Events API (`POST /api/event`). Both return 202 once the
 * event is durably stored, or at once when consent drops it. The `X-Datakant-Stored` header
 * carries the count stored (1 or 0). On the first-party route the response may set or clear the
 * edge's cookies (docs/consent.md).
 */
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LIMITS, parseJsonBody, readEventsApiBody, readTrackerPayload, type IntakeEvent } from '../../intake/payloads.js';
import type { EdgePipeline, IntakeSource } from '../../edge/pipeline.js';
import { HttpError } from '../../errors.js';

export interface IntakeRouteOptions {
  eventPath: string;
  pipeline: EdgePipeline;
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return '';
}

export async function intakeRoutes(app: FastifyInstance, options: IntakeRouteOptions): Promise<void> {
  // Registered inside this plugin, so only the intake endpoints parse cookies.
  await app.register(fastifyCookie);

  // Parse every content type as text here: beacons send text/plain, backends JSON, and a
  // wrong or missing type must still get a clear error about the body itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: LIMITS.bodyBytes }, (_request, body, done) => {
    done(null, body);
  });

  async function accept(request: FastifyRequest, reply: FastifyReply, source: IntakeSource, read: (value: unknown) => IntakeEvent) {
    const text = bodyText(request.body);
    if (text === '') throw new HttpError('invalid_body', [{ path: '/', message: 'The request body is empty.' }]);
    const event = read(parseJsonBody(text));
    const outcome = await options.pipeline.process({
      source,
      event,
      peerAddress: request.socket.remoteAddress ?? '',
      host: request.headers.host,
      headers: request.headers,
      cookies: request.cookies,
      receivedAt: Date.now(),
    });
    for (const cookie of outcome.cookies) {
      reply.setCookie(cookie.name, cookie.value, { ...cookie.attributes });
    }
    // Responses with cookies must not be reused for another visitor by a shared cache.
    if (outcome.cookies.length > 0) reply.header('Cache-Control', 'no-store');
    return reply.code(202).header('X-Datakant-Stored', outcome.stored ? '1' : '0').send();
  }

  app.post(options.eventPath, { bodyLimit: LIMITS.bodyBytes }, (request, reply) =>
    accept(request, reply, 'tracker', readTrackerPayload),
  );
  app.post('/api/event', { bodyLimit: LIMITS.bodyBytes }, (request, reply) =>
    accept(request, reply, 'events-api', readEventsApiBody),
  );
}
