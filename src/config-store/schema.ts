import type { Generated } from 'kysely';

/** Tables of the configuration database, as Kysely sees them. */
export interface ConfigDatabase {
  sites: SitesTable;
  first_party_hosts: FirstPartyHostsTable;
  api_keys: ApiKeysTable;
  api_key_sites: ApiKeySitesTable;
  salts: SaltsTable;
  consent_settings: ConsentSettingsTable;
}

export interface SitesTable {
  domain: string;
  timezone: string;
  /** Days events are kept; null keeps them until the property is removed. */
  retention_days: number | null;
  created_at: string;
}

export interface FirstPartyHostsTable {
  host: string;
  site_domain: string;
  created_at: string;
}

export interface ApiKeysTable {
  id: Generated<number>;
  name: string;
  /** First characters of the key, shown in listings so a key can be recognised. */
  prefix: string;
  /** SHA-256 of the whole key, hex. */
  key_hash: string;
  /** 1 when the key may read every property. */
  all_sites: number;
  /** 1 when the key may also change its properties' settings (consent settings API). */
  can_write: Generated<number>;
  created_at: string;
}

export interface ApiKeySitesTable {
  key_id: number;
  site_domain: string;
}

export interface SaltsTable {
  /** UTC day the salt belongs to, `YYYY-MM-DD`. */
  day: string;
  salt: Buffer;
}

export interface ConsentSettingsTable {
  site_domain: string;
  /** `cookieless` or `consent-cookies`. */
  mode: string;
  /** `store` or `drop`. */
  no_signal: string;
  /** JSON of the per-system consent mapping, as in the consent settings API. */
  systems: string;
  updated_at: string;
}
