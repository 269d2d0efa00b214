/** Stats API keys on requests: `Authorization: Bearer <key>`, scoped to properties. */
import type { ConfigStore, KeyAccess, Site } from '../config-store/config-store.js';
import { HttpError } from '../errors.js';
import { normaliseDomain } from '../hostnames.js';

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

/** Return what the request's key may access; throws `unauthorized` without a valid key. */
export async function verifyRequestKey(configStore: ConfigStore, authorization: string | undefined): Promise<KeyAccess> {
  const token = bearerToken(authorization);
  const access = token === undefined ? undefined : await configStore.verifyKey(token);
  if (!access) throw new HttpError('unauthorized');
  return access;
}

/**
 * Return the property `domainInput` names if `access` covers it. Throws `forbidden_property`
 * both for a property the key may not access and for one that does not exist, so a key
 * cannot probe which properties exist.
 */
export async function propertyForKey(configStore: ConfigStore, access: KeyAccess, domainInput: string): Promise<Site> {
  const domain = normaliseDomain(domainInput);
  const allowed = domain !== null && (access.sites === 'all' || access.sites.has(domain));
  const site = allowed ? await configStore.getSite(domain) : undefined;
  if (!site) {
    throw new HttpError('forbidden_property', undefined, `This key may not access the property "${domainInput}", or it does not exist.`);
  }
  return site;
}

/**
 * Return the property `domainInput` names if the request's key may access it, and with
 * `write` change it; a read-only key gets `read_only_key` for a change.
 */
export async function authoriseProperty(
  configStore: ConfigStore,
  authorization: string | undefined,
  domainInput: string,
  options: { write?: boolean } = {},
): Promise<Site> {
  const access = await verifyRequestKey(configStore, authorization);
  const site = await propertyForKey(configStore, access, domainInput);
  if (options.write && !access.canWrite) throw new HttpError('read_only_key');
  return site;
}
