/** `POST /api/v2/query`: the Stats API, authorised by a Bearer key scoped to properties. */
import type { FastifyInstance } from 'fastify';
import type { ConfigStore } from '../../config-store/config-store.js';
import { propertyForKey, verifyRequestKey } from '../auth.js';
import { HttpError } from '../../errors.js';
import type { EventStore } from '../../storage/event-store.js';
import { runStatsQuery, StatsQueryError } from '../../stats/index.js';

export interface StatsRouteOptions {
  configStore: ConfigStore;
  eventStore: EventStore;
}

export async function statsRoutes(app: FastifyInstance, options: StatsRouteOptions): Promise<void> {
  app.post('/api/v2/query', { bodyLimit: 64 * 1024 }, async (request, reply) => {
    const access = await verifyRequestKey(options.configStore, request.headers.authorization);
    const contentType = request.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(contentType)) throw new HttpError('unsupported_media_type');
    const body = request.body as Record<string, unknown> | null;
    const siteInput = body && typeof body === 'object' ? body.site_id : undefined;
    if (typeof siteInput !== 'string' || siteInput === '') {
      throw new HttpError('invalid_query', [{ path: '/site_id', message: 'Expected the property domain as a string.' }]);
    }
    const site = await propertyForKey(options.configStore, access, siteInput);

    try {
      const response = await runStatsQuery(options.eventStore, { id: site.domain, timezone: site.timezone }, body);
      return reply.send(response);
    } catch (error) {
      if (error instanceof StatsQueryError) throw new HttpError('invalid_query', error.errors);
      throw error;
    }
  });
}
