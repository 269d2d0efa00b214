import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const BUILD_SCRIPT = fileURLToPath(new URL('../../scripts/build-tracker.mjs', import.meta.url));

export interface BuiltScript {
  /** `s.js`: the tracker with the explicit consent call and Global Privacy Control. */
  code: Buffer;
  /** `s.cmp.js`: the same, and also reading the page's CMP (TCF and Consent Mode). */
  cmpCode: Buffer;
}

/** Runs scripts/build-tracker.mjs into a temporary directory and returns the built files. */
export async function buildTracker(): Promise<BuiltScript> {
  const directory = await mkdtemp(join(tmpdir(), 'datakant-tracker-'));
  try {
    await promisify(execFile)(process.execPath, [BUILD_SCRIPT, '--outdir', directory]);
    return { code: await readFile(join(directory, 's.js')), cmpCode: await readFile(join(directory, 's.cmp.js')) };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
