/** `POST /api/v2/query`: the Stats API, authorised by a Bearer key scoped to properties. */
import type { FastifyInstance } from 'fastify';
import type { ConfigStore } from '../../config-store/config-store.js';
import { HttpError } from '../../errors.js';
import { normaliseDomain } from '../../hostnames.js';
import type { EventStore } from '../../storage/event-store.js';
import { runStatsQuery, StatsQueryError } from '../../stats/index.js';

export interface StatsRouteOptions {
  configStore: ConfigStore;
  eventStore: EventStore;
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export async function statsRoutes(app: FastifyInstance, options: StatsRouteOptions): Promise<void> {
  app.post('/api/v2/query', { bodyLimit: 64 * 1024 }, async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    const access = token === undefined ? undefined : await options.configStore.verifyKey(token);
    if (!access) throw new HttpError('unauthorized');

    const contentType = request.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(contentType)) throw new HttpError('unsupported_media_type');
    const body = request.body as Record<string, unknown> | null;
    const siteInput = body && typeof body === 'object' ? body.site_id : undefined;
    if (typeof siteInput !== 'string' || siteInput === '') {
      throw new HttpError('invalid_query', [{ path: '/site_id', message: 'Expected the property domain as a string.' }]);
    }
    const domain = normaliseDomain(siteInput);
    // An unknown property and a property the key may not read get the same answer, so a key
    // cannot probe which other properties exist.
    const allowed = domain !== null && (access.sites === 'all' || access.sites.has(domain));
    const site = allowed ? await options.configStore.getSite(domain) : undefined;
    if (!site) throw new HttpError('forbidden_property', undefined, `This key may not read the property "${siteInput}", or it does not exist.`);

    try {
      const response = await runStatsQuery(options.eventStore, { id: site.domain, timezone: site.timezone }, body);
      return reply.send(response);
    } catch (error) {
      if (error instanceof StatsQueryError) throw new HttpError('invalid_query', error.errors);
      throw error;
    }
  });
}
