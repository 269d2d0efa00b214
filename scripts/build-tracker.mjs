// Builds the tracker (tracker/src/index.ts) into one minified script, dist/tracker/s.js or the
// path given with `--outfile PATH`. Checks that the event path placeholder survived, and prints
// the raw and gzipped sizes (node:zlib, level 9).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

// Keep in step with EVENT_PATH_PLACEHOLDER in src/tracker-paths.ts, which this plain
// JavaScript file cannot import.
const PLACEHOLDER = '__DATAKANT_EVENT_PATH__';

const { values } = parseArgs({ options: { outfile: { type: 'string', default: 'dist/tracker/s.js' } } });
const outfile = values.outfile;

await build({
  entryPoints: [fileURLToPath(new URL('../tracker/src/index.ts', import.meta.url))],
  outfile,
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2017',
  legalComments: 'none',
  logLevel: 'warning',
  // The tracker runs inside its own function scope, so the "use strict" prologue only costs bytes.
  tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
});

const code = readFileSync(outfile);
const placeholderCount = code.toString('utf8').split(`"${PLACEHOLDER}"`).length - 1;
if (placeholderCount !== 1) {
  console.error(
    `build-tracker: ${outfile} contains the string literal "${PLACEHOLDER}" ${placeholderCount} times, ` +
      'expected exactly once; the server could not set the event path. Check tracker/src/index.ts.',
  );
  process.exit(1);
}

const gzipped = gzipSync(code, { level: 9 }).length;
console.log(`build-tracker: wrote ${outfile}: ${code.length} bytes, ${gzipped} bytes gzipped (level 9)`);
