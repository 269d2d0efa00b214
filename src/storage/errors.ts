/** Stable codes of storage failures; callers branch on these, never on message text. */
export const STORAGE_ERROR_CODES = {
  /** A query or statement failed inside the engine. */
  queryFailed: 'STORAGE_QUERY_FAILED',
  /** The commit of a batch failed, so none of its events were stored. */
  commitFailed: 'STORAGE_COMMIT_FAILED',
  /** An event failed validation before it joined a batch, so nothing of it was stored. */
  invalidEvent: 'STORAGE_INVALID_EVENT',
  /** The store was closed (or is closing) when the call arrived. */
  closed: 'STORAGE_CLOSED',
  /** Opening the database file or applying migrations failed. */
  openFailed: 'STORAGE_OPEN_FAILED',
} as const;

export type StorageErrorCode = (typeof STORAGE_ERROR_CODES)[keyof typeof STORAGE_ERROR_CODES];

/**
 * A storage failure. It carries the SQL text and the engine's error as `cause`, but never the
 * bound parameters, because they contain page URLs and other event values.
 */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  /** The statement that failed, without its parameter values. */
  readonly sql: string | undefined;

  constructor(code: StorageErrorCode, message: string, options: { sql?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.sql = options.sql;
  }
}

/**
 * Replaces every occurrence of a bound string parameter in an engine error's message, because
 * engines quote offending values (for example in conversion errors). Strings shorter than
 * 4 characters are left alone so that the message stays readable.
 */
export function redactParameters(error: unknown, params: readonly unknown[]): unknown {
  if (!(error instanceof Error)) return error;
  for (const param of params) {
    if (typeof param !== 'string' || param.length < 4) continue;
    error.message = error.message.split(param).join('[redacted]');
    if (error.stack !== undefined) error.stack = error.stack.split(param).join('[redacted]');
  }
  return error;
}
