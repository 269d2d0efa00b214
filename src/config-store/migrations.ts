import { type Kysely, type Migration } from 'kysely';

/** Configuration schema migrations, applied in name order by Kysely's Migrator. */
export const CONFIG_MIGRATIONS: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('sites')
        .addColumn('domain', 'text', (column) => column.primaryKey())
        .addColumn('timezone', 'text', (column) => column.notNull())
        .addColumn('retention_days', 'integer')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('first_party_hosts')
        .addColumn('host', 'text', (column) => column.primaryKey())
        .addColumn('site_domain', 'text', (column) => column.notNull().references('sites.domain').onDelete('cascade'))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('prefix', 'text', (column) => column.notNull())
        .addColumn('key_hash', 'text', (column) => column.notNull().unique())
        .addColumn('all_sites', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('api_key_sites')
        .addColumn('key_id', 'integer', (column) => column.notNull().references('api_keys.id').onDelete('cascade'))
        .addColumn('site_domain', 'text', (column) => column.notNull().references('sites.domain').onDelete('cascade'))
        .addPrimaryKeyConstraint('api_key_sites_pk', ['key_id', 'site_domain'])
        .execute();
      await db.schema
        .createTable('salts')
        .addColumn('day', 'text', (column) => column.primaryKey())
        .addColumn('salt', 'blob', (column) => column.notNull())
        .execute();
    },
  },
  '0002_consent_settings': {
    // One row per property whose "Mode & consent" settings were changed; a property without a
    // row uses DEFAULT_CONSENT_SETTINGS. `systems` is the JSON form of the per-system mapping.
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('consent_settings')
        .addColumn('site_domain', 'text', (column) => column.primaryKey().references('sites.domain').onDelete('cascade'))
        .addColumn('mode', 'text', (column) => column.notNull())
        .addColumn('no_signal', 'text', (column) => column.notNull())
        .addColumn('systems', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
    },
  },
  '0003_key_write_scope': {
    // Keys created before this migration may only read: changing settings needs a key made
    // with `datakant keys create --write`.
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('api_keys')
        .addColumn('can_write', 'integer', (column) => column.notNull().defaultTo(0))
        .execute();
    },
  },
};
