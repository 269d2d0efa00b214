import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { EVENT_PATH_PLACEHOLDER } from '../../tracker-paths.js';

/** The built tracker, relative to this compiled file (dist/server/routes → dist/tracker). */
export function defaultTrackerFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../tracker/s.js'), path.resolve(here, '../../../dist/tracker/s.js')];
  return candidates.find((candidate) => fs.existsSync(candidate)) ?? candidates[0]!;
}

/** Read the built tracker and put the configured event path into it. */
export function loadTrackerScript(file: string, eventPath: string): string {
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

export async function trackerScriptRoute(app: FastifyInstance, options: { scriptPath: string; script: string }): Promise<void> {
  const etag = `"${crypto.createHash('sha256').update(options.script).digest('base64url').slice(0, 16)}"`;
  app.get(options.scriptPath, (request, reply) => {
    reply.header('Cache-Control', 'public, max-age=3600');
    reply.header('ETag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/javascript; charset=utf-8').send(options.script);
  });
}
