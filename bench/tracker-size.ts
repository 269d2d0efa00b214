/** Tracker size: raw and gzipped bytes of the script the edge serves. */
import zlib from 'node:zlib';
import { defaultTrackerFile, loadTrackerScript } from '../src/server/routes/tracker-script.js';
import { DEFAULT_EVENT_PATH } from '../src/tracker-paths.js';

export interface TrackerSizeFigures {
  rawBytes: number;
  gzipBytes: number;
  conditions: Record<string, string | number>;
}

export function measureTrackerSize(): TrackerSizeFigures {
  const file = defaultTrackerFile();
  const script = Buffer.from(loadTrackerScript(file, DEFAULT_EVENT_PATH), 'utf8');
  return {
    rawBytes: script.length,
    gzipBytes: zlib.gzipSync(script, { level: 9 }).length,
    conditions: { file: 'dist/tracker/s.js with the default event path filled in, as served', gzip: 'node:zlib level 9' },
  };
}
