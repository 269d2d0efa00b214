import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from 'kysely';
import { CONFIG_MIGRATIONS } from './migrations.js';
import type { ConfigDatabase } from './schema.js';

export const CONFIG_DATABASE_FILE = 'config.sqlite';

export interface OpenedConfigDatabase {
  db: Kysely<ConfigDatabase>;
  /** The underlying connection, for `PRAGMA data_version` polling. */
  sqlite: SQLite.Database;
}

const provider: MigrationProvider = {
  async getMigrations() {
    return CONFIG_MIGRATIONS;
  },
};

/**
 * Open (creating it if needed) `<dataDir>/config.sqlite` and apply pending migrations.
 * WAL mode lets CLI commands write while the server reads. `secure_delete` overwrites deleted
 * rows, so a destroyed visitor-hash salt does not linger in free pages of the file.
 */
export async function openConfigDatabase(dataDir: string): Promise<OpenedConfigDatabase> {
  fs.mkdirSync(dataDir, { recursive: true });
  const sqlite = new SQLite(path.join(dataDir, CONFIG_DATABASE_FILE));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('secure_delete = ON');
  const db = new Kysely<ConfigDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    await db.destroy();
    throw new Error(`Configuration database migration ${failed} failed in ${dataDir}.`, { cause: error });
  }
  return { db, sqlite };
}
