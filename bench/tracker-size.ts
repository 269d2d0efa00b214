/** Tracker size: raw and gzipped bytes of the script the edge serves. */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { DEFAULT_EVENT_PATH, EVENT_PATH_PLACEHOLDER } from '../src/tracker-paths.js';
import { REPO_ROOT } from './lib/processes.js';

export interface TrackerSizeFigures {
  rawBytes: number;
  gzipBytes: number;
  conditions: Record<string, string | number>;
}

export function measureTrackerSize(): TrackerSizeFigures {
  const file = path.join(REPO_ROOT, 'dist/tracker/s.js');
  // The server fills the event path into the built file before serving it.
  const served = fs.readFileSync(file, 'utf8').replace(JSON.stringify(EVENT_PATH_PLACEHOLDER), JSON.stringify(DEFAULT_EVENT_PATH));
  const script = Buffer.from(served, 'utf8');
  return {
    rawBytes: script.length,
    gzipBytes: zlib.gzipSync(script, { level: 9 }).length,
    conditions: { file: 'dist/tracker/s.js with the default event path filled in, as served', gzip: 'node:zlib level 9' },
  };
}
