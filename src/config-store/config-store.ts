import crypto from 'node:crypto';
import { isIP } from 'node:net';
import type { Kysely } from 'kysely';
import type SQLite from 'better-sqlite3';
import { openConfigDatabase } from './database.js';
import type { ConfigDatabase } from './schema.js';
import { normaliseDomain, normaliseHost, isSameOrSubdomain } from '../hostnames.js';
import { consentSettingsFromStorage, consentSettingsToStorage } from './consent-rows.js';
import { DEFAULT_CONSENT_SETTINGS, type ConsentSettings } from '../consent/settings.js';

export interface Site {
  domain: string;
  timezone: string;
  retentionDays: number | null;
  firstPartyHosts: string[];
  /** "Mode & consent" settings; the defaults until someone changes them. */
  consent: ConsentSettings;
}

export interface CreatedKey {
  id: number;
  name: string;
  /** The whole key. Shown once; only its hash is stored. */
  key: string;
  sites: string[] | 'all';
  /** True when the key may also change settings, not only read reports. */
  canWrite: boolean;
}

export interface KeyAccess {
  keyId: number;
  /** Property domains the key may read, or `all`. */
  sites: ReadonlySet<string> | 'all';
  /** True when the key may also change its properties' settings. */
  canWrite: boolean;
}

export class ConfigStoreError extends Error {
  override name = 'ConfigStoreError';
}

const KEY_PREFIX = 'dk_';

function hashKey(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex');
}

/** Check an IANA time zone name with the runtime's ICU data. */
export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Properties, first-party hosts, Stats API keys and visitor-hash salts in SQLite.
 * CLI commands and the server open the same file; the server notices changes through
 * `changeVersion()`.
 */
export class ConfigStore {
  private constructor(
    readonly db: Kysely<ConfigDatabase>,
    private readonly sqlite: SQLite.Database,
  ) {}

  static async open(dataDir: string): Promise<ConfigStore> {
    const { db, sqlite } = await openConfigDatabase(dataDir);
    return new ConfigStore(db, sqlite);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  /** Return a number that changes whenever another connection commits to the database. */
  changeVersion(): number {
    return this.sqlite.pragma('data_version', { simple: true }) as number;
  }

  async addSite(input: { domain: string; timezone?: string; retentionDays?: number | null; firstPartyHost?: string }): Promise<Site> {
    const domain = normaliseDomain(input.domain);
    if (domain === null || isIP(domain) !== 0) {
      throw new ConfigStoreError(`"${input.domain}" is not a valid domain; give a host name such as shop.example.`);
    }
    const timezone = input.timezone ?? 'UTC';
    if (!isValidTimeZone(timezone)) {
      throw new ConfigStoreError(`"${timezone}" is not an IANA time zone; use a name such as Europe/Berlin or UTC.`);
    }
    const retentionDays = input.retentionDays ?? null;
    if (retentionDays !== null && (!Number.isInteger(retentionDays) || retentionDays < 1)) {
      throw new ConfigStoreError(`Retention must be a whole number of days of at least 1, got ${retentionDays}.`);
    }
    if (await this.getSite(domain)) {
      throw new ConfigStoreError(`The property ${domain} already exists.`);
    }
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('sites')
        .values({ domain, timezone, retention_days: retentionDays, created_at: new Date().toISOString() })
        .execute();
    });
    if (input.firstPartyHost !== undefined) {
      await this.addFirstPartyHost(domain, input.firstPartyHost);
    }
    return (await this.getSite(domain))!;
  }

  async addFirstPartyHost(domain: string, hostInput: string): Promise<void> {
    const site = await this.getSite(domain);
    if (!site) throw new ConfigStoreError(`No property ${domain}; add it first with "datakant sites add ${domain}".`);
    const host = normaliseHost(hostInput);
    if (host === null || host === site.domain || !isSameOrSubdomain(host, site.domain)) {
      throw new ConfigStoreError(
        `The first-party host must be a subdomain of ${site.domain} (for example stats.${site.domain}), got "${hostInput}".`,
      );
    }
    const existing = await this.db.selectFrom('first_party_hosts').selectAll().where('host', '=', host).executeTakeFirst();
    if (existing) {
      throw new ConfigStoreError(`The host ${host} already belongs to the property ${existing.site_domain}.`);
    }
    await this.db
      .insertInto('first_party_hosts')
      .values({ host, site_domain: site.domain, created_at: new Date().toISOString() })
      .execute();
  }

  async getSite(domainInput: string): Promise<Site | undefined> {
    const domain = normaliseDomain(domainInput);
    if (domain === null) return undefined;
    const row = await this.db.selectFrom('sites').selectAll().where('domain', '=', domain).executeTakeFirst();
    if (!row) return undefined;
    const hosts = await this.db.selectFrom('first_party_hosts').select('host').where('site_domain', '=', domain).orderBy('host').execute();
    const consentRow = await this.db.selectFrom('consent_settings').selectAll().where('site_domain', '=', domain).executeTakeFirst();
    return {
      domain: row.domain,
      timezone: row.timezone,
      retentionDays: row.retention_days,
      firstPartyHosts: hosts.map((h) => h.host),
      consent: consentRow ? consentSettingsFromStorage(consentRow) : DEFAULT_CONSENT_SETTINGS,
    };
  }

  async listSites(): Promise<Site[]> {
    const rows = await this.db.selectFrom('sites').selectAll().orderBy('domain').execute();
    const hosts = await this.db.selectFrom('first_party_hosts').selectAll().orderBy('host').execute();
    const consentRows = new Map((await this.db.selectFrom('consent_settings').selectAll().execute()).map((r) => [r.site_domain, r]));
    return rows.map((row) => {
      const consentRow = consentRows.get(row.domain);
      return {
        domain: row.domain,
        timezone: row.timezone,
        retentionDays: row.retention_days,
        firstPartyHosts: hosts.filter((h) => h.site_domain === row.domain).map((h) => h.host),
        consent: consentRow ? consentSettingsFromStorage(consentRow) : DEFAULT_CONSENT_SETTINGS,
      };
    });
  }

  /** True when the property's consent settings were changed from the defaults at some point. */
  async hasCustomConsentSettings(domain: string): Promise<boolean> {
    const row = await this.db.selectFrom('consent_settings').select('site_domain').where('site_domain', '=', domain).executeTakeFirst();
    return row !== undefined;
  }

  /** Replace a property's consent settings; a running server applies them on its next reload. */
  async setConsentSettings(domainInput: string, settings: ConsentSettings): Promise<Site> {
    const site = await this.getSite(domainInput);
    if (!site) throw new ConfigStoreError(`No property ${domainInput}; add it first with "datakant sites add ${domainInput}".`);
    const row = { site_domain: site.domain, ...consentSettingsToStorage(settings), updated_at: new Date().toISOString() };
    await this.db
      .insertInto('consent_settings')
      .values(row)
      .onConflict((conflict) => conflict.column('site_domain').doUpdateSet({ mode: row.mode, no_signal: row.no_signal, systems: row.systems, updated_at: row.updated_at }))
      .execute();
    return (await this.getSite(site.domain))!;
  }

  /** Return a property to the default consent settings. */
  async resetConsentSettings(domainInput: string): Promise<Site> {
    const site = await this.getSite(domainInput);
    if (!site) throw new ConfigStoreError(`No property ${domainInput}; add it first with "datakant sites add ${domainInput}".`);
    await this.db.deleteFrom('consent_settings').where('site_domain', '=', site.domain).execute();
    return (await this.getSite(site.domain))!;
  }

  /**
   * Create a Stats API key for the listed properties, or for all of them when `sites` is
   * empty. With `write` the key may also change their settings. The key has 256 random bits,
   * so a plain SHA-256 of it is a safe stored form.
   */
  async createKey(input: { name?: string; sites?: string[]; write?: boolean }): Promise<CreatedKey> {
    const domains: string[] = [];
    for (const domainInput of input.sites ?? []) {
      const site = await this.getSite(domainInput);
      if (!site) throw new ConfigStoreError(`No property ${domainInput}; add it first with "datakant sites add".`);
      domains.push(site.domain);
    }
    const key = KEY_PREFIX + crypto.randomBytes(32).toString('base64url');
    const name = input.name?.trim() || 'Stats API key';
    const id = await this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('api_keys')
        .values({
          name,
          prefix: key.slice(0, KEY_PREFIX.length + 6),
          key_hash: hashKey(key),
          all_sites: domains.length === 0 ? 1 : 0,
          can_write: input.write ? 1 : 0,
          created_at: new Date().toISOString(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const domain of domains) {
        await trx.insertInto('api_key_sites').values({ key_id: inserted.id, site_domain: domain }).execute();
      }
      return inserted.id;
    });
    return { id, name, key, sites: domains.length === 0 ? 'all' : domains, canWrite: input.write === true };
  }

  /** Look up a presented key; undefined when it is unknown. */
  async verifyKey(key: string): Promise<KeyAccess | undefined> {
    if (!key.startsWith(KEY_PREFIX)) return undefined;
    const row = await this.db
      .selectFrom('api_keys')
      .select(['id', 'all_sites', 'can_write'])
      .where('key_hash', '=', hashKey(key))
      .executeTakeFirst();
    if (!row) return undefined;
    const canWrite = row.can_write === 1;
    if (row.all_sites === 1) return { keyId: row.id, sites: 'all', canWrite };
    const sites = await this.db.selectFrom('api_key_sites').select('site_domain').where('key_id', '=', row.id).execute();
    return { keyId: row.id, sites: new Set(sites.map((s) => s.site_domain)), canWrite };
  }

  /**
   * Return the salt of a UTC day, creating it on first use, and destroy the salts of every
   * other day, so old visitor ids cannot be recomputed.
   */
  async saltForDay(day: string): Promise<Buffer> {
    const { salt, destroyed } = await this.db.transaction().execute(async (trx) => {
      const deleted = await trx.deleteFrom('salts').where('day', '!=', day).executeTakeFirst();
      const row = await trx.selectFrom('salts').select('salt').where('day', '=', day).executeTakeFirst();
      if (row) return { salt: row.salt, destroyed: Number(deleted.numDeletedRows) };
      const created = crypto.randomBytes(32);
      await trx.insertInto('salts').values({ day, salt: created }).execute();
      return { salt: created, destroyed: Number(deleted.numDeletedRows) };
    });
    if (destroyed > 0) this.purgeDeletedPages();
    return salt;
  }

  /** Destroy the salts of every day but `day`; returns how many were destroyed. */
  async destroySaltsExcept(day: string): Promise<number> {
    const deleted = await this.db.deleteFrom('salts').where('day', '!=', day).executeTakeFirst();
    const destroyed = Number(deleted.numDeletedRows);
    if (destroyed > 0) this.purgeDeletedPages();
    return destroyed;
  }

  /**
   * Copy the write-ahead log into the database file and empty it. A deleted salt's bytes stay
   * in `config.sqlite-wal` until a checkpoint; `secure_delete` then zeroes them in the main file.
   * A checkpoint blocked by a reader of another process is retried at the next deletion.
   */
  private purgeDeletedPages(): void {
    this.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  }
}
