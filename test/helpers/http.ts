/** Small HTTP helpers for integration tests; every request goes to a loopback server. */
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Send one request with exactly the given headers (fetch would add a User-Agent of its own,
 * which the missing-user-agent tests must avoid).
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'POST', headers: options.headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.setTimeout(10_000, () => request.destroy(new Error(`Request to ${url} timed out.`)));
    if (options.body !== undefined) request.write(options.body);
    request.end();
  });
}

export const DESKTOP_CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** Send an Events API event as a site's backend would. */
export function postEvent(
  baseUrl: string,
  body: unknown,
  headers: Record<string, string> = { 'User-Agent': DESKTOP_CHROME_UA },
): Promise<RawResponse> {
  return rawRequest(`${baseUrl}/api/event`, {
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Run a Stats API query; throws with the answer's body unless it is 200. */
export async function queryStats(baseUrl: string, key: string, body: unknown): Promise<{ results: { metrics: unknown[]; dimensions: unknown[] }[] }> {
  const response = await rawRequest(`${baseUrl}/api/v2/query`, {
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`Stats API answered ${response.status}: ${response.body}`);
  return JSON.parse(response.body);
}

/** Total of one metric over all time for a property, or 0 when there are no rows. */
export async function totalOf(baseUrl: string, key: string, siteId: string, metric: string, filters?: unknown[]): Promise<number> {
  const answer = await queryStats(baseUrl, key, { site_id: siteId, metrics: [metric], date_range: 'all', ...(filters ? { filters } : {}) });
  const value = answer.results[0]?.metrics[0];
  return typeof value === 'number' ? value : 0;
}
