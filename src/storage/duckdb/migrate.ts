import type { DuckDBConnection } from '@duckdb/node-api';
import { STORAGE_ERROR_CODES, StorageError } from '../errors.js';
import { MIGRATIONS } from './schema.js';

export interface Migration {
  version: number;
  sql: string;
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in ascending version order,
 * each in its own transaction together with its record, so a failed migration leaves neither
 * its changes nor its record behind. Running it again on a migrated database changes nothing.
 *
 * @returns the versions applied by this call.
 * @throws StorageError with code `STORAGE_OPEN_FAILED` when a migration fails.
 */
export async function applyMigrations(
  connection: DuckDBConnection,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  await connection.run(`
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER   PRIMARY KEY,
  applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp
)`);
  const reader = await connection.runAndReadAll('SELECT version FROM schema_migrations');
  const appliedVersions = new Set(reader.getRows().map(([version]) => Number(version)));

  const applied: number[] = [];
  const pending = [...migrations].sort((a, b) => a.version - b.version).filter((m) => !appliedVersions.has(m.version));
  for (const migration of pending) {
    try {
      await connection.run('BEGIN TRANSACTION');
      await connection.run(migration.sql);
      await connection.run('INSERT INTO schema_migrations (version) VALUES ($1)', [migration.version]);
      await connection.run('COMMIT');
    } catch (error) {
      await connection.run('ROLLBACK').catch(() => undefined);
      throw new StorageError(
        STORAGE_ERROR_CODES.openFailed,
        `Migration ${migration.version} failed, so the database was left at the previous version: ${errorMessage(error)}`,
        { sql: migration.sql, cause: error },
      );
    }
    applied.push(migration.version);
  }
  return applied;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
