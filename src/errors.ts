/**
 * The catalogue of errors datakant returns over HTTP. Each code is stable; docs/errors.md
 * lists them with their fixes. Response body: `{ "error": { "code", "message", "fields"? } }`.
 */

export const ERROR_CATALOGUE = {
  invalid_body: { status: 400, message: 'The request body is invalid; see "fields" for each problem.' },
  invalid_tc_string: { status: 400, message: 'The TC string is not a valid IAB TCF v2 string; see "fields".' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  payload_too_large: { status: 413, message: 'The request body is larger than the limit.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json or text/plain.' },
  missing_user_agent: { status: 400, message: 'The User-Agent header is missing; send the visitor\'s User-Agent.' },
  unknown_property: { status: 400, message: 'No property with this domain is registered on this edge.' },
  foreign_page_url: { status: 400, message: 'The page URL\'s host is neither the property\'s domain nor one of its subdomains.' },
  wrong_first_party_host: { status: 400, message: 'This first-party host belongs to another property.' },
  unknown_host: { status: 421, message: 'This host is neither a public ingest host nor a configured first-party host.' },
  unauthorized: { status: 401, message: 'Send a valid Stats API key as "Authorization: Bearer <key>".' },
  read_only_key: { status: 403, message: 'This key may only read; create one with "datakant keys create --write" to change settings.' },
  forbidden_property: { status: 403, message: 'This key may not read that property.' },
  invalid_query: { status: 400, message: 'The query is invalid; see "fields" for each problem.' },
  not_found: { status: 404, message: 'No such endpoint.' },
  bad_request: { status: 400, message: 'The request is not valid HTTP/1.1.' },
  request_timeout: { status: 408, message: 'The request was not received in time.' },
  headers_too_large: { status: 431, message: 'The request line or headers are too large.' },
  storage_unavailable: { status: 503, message: 'Events could not be stored; retry later.' },
  query_failed: { status: 500, message: 'The query could not be run; the server log has details.' },
  internal_error: { status: 500, message: 'Internal error; the server log has details.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface FieldError {
  /** JSON-pointer-like path of the offending field, for example `/props/plan`. */
  path: string;
  message: string;
}

/** An error that maps to a catalogued HTTP answer. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly fields?: FieldError[],
    message?: string,
  ) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.status = ERROR_CATALOGUE[code].status;
  }

  toBody(): { error: { code: ErrorCode; message: string; fields?: FieldError[] } } {
    return { error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) } };
  }
}
