/**
 * Maps a request's Host header to a route: a property's first-party host serves the
 * first-party route for that property; a public host serves the standard route. With no
 * public hosts configured every other host serves the standard route, so `localhost` works
 * out of the box.
 */
import type { Route } from '../domain.js';
import type { Site } from '../config-store/config-store.js';

export type RouteResolution = { route: Route; site: Site | null } | null;

/** Strip the port and IPv6 brackets from a Host header value and lower-case it. */
export function hostWithoutPort(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end === -1 ? value : value.slice(1, end);
  }
  const colon = value.indexOf(':');
  return colon === -1 ? value : value.slice(0, colon);
}

export class HostRouter {
  private sitesByDomain = new Map<string, Site>();
  private sitesByFirstPartyHost = new Map<string, Site>();
  private readonly publicHosts: ReadonlySet<string> | null;

  constructor(publicHosts: readonly string[] | null) {
    this.publicHosts = publicHosts ? new Set(publicHosts) : null;
  }

  /** Replace the known properties, for example after a CLI command changed them. */
  update(sites: readonly Site[]): void {
    const byDomain = new Map<string, Site>();
    const byHost = new Map<string, Site>();
    for (const site of sites) {
      byDomain.set(site.domain, site);
      for (const host of site.firstPartyHosts) byHost.set(host, site);
    }
    this.sitesByDomain = byDomain;
    this.sitesByFirstPartyHost = byHost;
  }

  site(domain: string): Site | undefined {
    return this.sitesByDomain.get(domain);
  }

  get siteCount(): number {
    return this.sitesByDomain.size;
  }

  /** The route a request for this host takes, or null when the host must be refused. */
  resolve(hostHeader: string | undefined): RouteResolution {
    if (hostHeader === undefined || hostHeader === '') return this.publicHosts ? null : { route: 'standard', site: null };
    const host = hostWithoutPort(hostHeader);
    const firstPartySite = this.sitesByFirstPartyHost.get(host);
    if (firstPartySite) return { route: 'first-party', site: firstPartySite };
    if (this.publicHosts === null || this.publicHosts.has(host)) return { route: 'standard', site: null };
    return null;
  }
}
