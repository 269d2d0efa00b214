import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const BUILD_SCRIPT = fileURLToPath(new URL('../../scripts/build-tracker.mjs', import.meta.url));

export interface BuiltScript {
  code: Buffer;
}

/** Runs scripts/build-tracker.mjs into a temporary directory and returns the built file. */
export async function buildTracker(): Promise<BuiltScript> {
  const directory = await mkdtemp(join(tmpdir(), 'datakant-tracker-'));
  try {
    const outfile = join(directory, 's.js');
    await promisify(execFile)(process.execPath, [BUILD_SCRIPT, '--outfile', outfile]);
    return { code: await readFile(outfile) };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
