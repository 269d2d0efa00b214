/**
 * The consent settings API of a property ("Mode & consent"):
 * - `GET /api/v1/sites/:domain/consent`: the settings, in the JSON form of `ConsentSettingsJson`;
 * - `PUT /api/v1/sites/:domain/consent`: replaces them with a whole settings document;
 * - `DELETE /api/v1/sites/:domain/consent`: returns the property to the defaults;
 * - `GET /api/v1/sites/:domain/consent/drops`: events consent kept from each system since the
 *   process started, as counts.
 * Each needs `Authorization: Bearer <key>` with a key that may access the property.
 */
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConfigStore, Site } from '../../config-store/config-store.js';
import { ConsentSettingsJson, checkConsentRules, consentSettingsFromJson, consentSettingsToJson } from '../../consent/settings.js';
import type { ConsentDropCounter } from '../../consent/drop-counter.js';
import type { HostRouter } from '../../edge/routing.js';
import { authoriseProperty } from '../auth.js';
import { HttpError } from '../../errors.js';
import { normaliseDomain } from '../../hostnames.js';
import { fieldErrors, parseJsonBody } from '../../intake/payloads.js';

export interface ConsentRouteOptions {
  configStore: ConfigStore;
  router: HostRouter;
  drops: ConsentDropCounter;
}

const PutBody = Type.Composite([ConsentSettingsJson, Type.Object({ site_id: Type.Optional(Type.String()) })], {
  additionalProperties: false,
});
const putCheck = TypeCompiler.Compile(PutBody);

function settingsBody(site: Site) {
  return { site_id: site.domain, ...consentSettingsToJson(site.consent) };
}

export async function consentRoutes(app: FastifyInstance, options: ConsentRouteOptions): Promise<void> {
  // Fastify's default JSON parser rejects a `__proto__` key as invalid JSON. `JSON.parse` keeps
  // it as an own property, so the schema check reports it as an unknown field instead.
  // Registered inside this plugin, so it applies to these routes only.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(new HttpError('invalid_body', [{ path: '/', message: 'The request body is empty.' }]));
      return;
    }
    try {
      done(null, parseJsonBody(text));
    } catch (error) {
      done(error as Error);
    }
  });

  /**
   * Return the property named in the path, or throw unless the request's key may access it
   * (and, with `write`, change it).
   */
  function authorisedSite(request: FastifyRequest<{ Params: { domain: string } }>, write = false): Promise<Site> {
    return authoriseProperty(options.configStore, request.headers.authorization, request.params.domain, { write });
  }

  /** Apply a change at once: the server's own writes do not change SQLite's data_version. */
  async function refreshRouter(): Promise<void> {
    options.router.update(await options.configStore.listSites());
  }

  app.get<{ Params: { domain: string } }>('/api/v1/sites/:domain/consent', async (request, reply) => {
    const site = await authorisedSite(request);
    return reply.send(settingsBody(site));
  });

  app.put<{ Params: { domain: string } }>('/api/v1/sites/:domain/consent', { bodyLimit: 16 * 1024 }, async (request, reply) => {
    const site = await authorisedSite(request, true);
    const body: unknown = request.body;
    if (!putCheck.Check(body)) throw new HttpError('invalid_body', fieldErrors(putCheck, body));
    if (body.site_id !== undefined && normaliseDomain(body.site_id) !== site.domain) {
      throw new HttpError('invalid_body', [{ path: '/site_id', message: `Expected ${site.domain}, the property in the path, or no site_id.` }]);
    }
    const { site_id: _ignored, ...settingsJson } = body;
    const settings = consentSettingsFromJson(settingsJson);
    const broken = checkConsentRules(settings);
    if (broken.length > 0) throw new HttpError('invalid_body', broken);
    const updated = await options.configStore.setConsentSettings(site.domain, settings);
    await refreshRouter();
    request.log.info({ property: site.domain, mode: settings.mode }, 'consent settings changed');
    return reply.send(settingsBody(updated));
  });

  app.delete<{ Params: { domain: string } }>('/api/v1/sites/:domain/consent', async (request, reply) => {
    const site = await authorisedSite(request, true);
    const updated = await options.configStore.resetConsentSettings(site.domain);
    await refreshRouter();
    request.log.info({ property: site.domain }, 'consent settings reset to defaults');
    return reply.send(settingsBody(updated));
  });

  app.get<{ Params: { domain: string } }>('/api/v1/sites/:domain/consent/drops', async (request, reply) => {
    const site = await authorisedSite(request);
    return reply.send({
      site_id: site.domain,
      since: new Date(options.drops.since).toISOString(),
      drops: options.drops.forSite(site.domain),
    });
  });
}
