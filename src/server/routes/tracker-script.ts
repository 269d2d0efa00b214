/**
 * Serves the two tracker builds: `s.js` (pageviews, custom events, explicit consent, GPC) and
 * `s.cmp.js` (the same plus IAB TCF and Google Consent Mode reading), each with the configured
 * event path put in.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { EVENT_PATH_PLACEHOLDER, cmpScriptPath } from '../../tracker-paths.js';

export interface TrackerScripts {
  standard: string;
  cmp: string;
}

/** Folder of the built tracker, relative to this compiled file (dist/server/routes → dist/tracker). */
export function defaultTrackerDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../tracker'), path.resolve(here, '../../../dist/tracker')];
  return candidates.find((candidate) => fs.existsSync(path.join(candidate, 's.js'))) ?? candidates[0]!;
}

/** Read one built tracker file and put the configured event path into it. */
function loadTrackerScript(file: string, eventPath: string): string {
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`The tracker script ${file} is missing; run "npm run build" first.`, { cause: error });
  }
  if (!source.includes(EVENT_PATH_PLACEHOLDER)) {
    throw new Error(`The tracker script ${file} has no event path placeholder; rebuild it with "npm run build".`);
  }
  return source.replace(JSON.stringify(EVENT_PATH_PLACEHOLDER), JSON.stringify(eventPath));
}

/** Read both tracker builds from `dir` (default `dist/tracker`). */
export function loadTrackerScripts(dir: string, eventPath: string): TrackerScripts {
  return {
    standard: loadTrackerScript(path.join(dir, 's.js'), eventPath),
    cmp: loadTrackerScript(path.join(dir, 's.cmp.js'), eventPath),
  };
}

function serveScript(app: FastifyInstance, urlPath: string, script: string): void {
  const etag = `"${crypto.createHash('sha256').update(script).digest('base64url').slice(0, 16)}"`;
  app.get(urlPath, (request, reply) => {
    reply.header('Cache-Control', 'public, max-age=3600');
    reply.header('ETag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/javascript; charset=utf-8').send(script);
  });
}

export async function trackerScriptRoute(app: FastifyInstance, options: { scriptPath: string; scripts: TrackerScripts }): Promise<void> {
  serveScript(app, options.scriptPath, options.scripts.standard);
  serveScript(app, cmpScriptPath(options.scriptPath), options.scripts.cmp);
}
