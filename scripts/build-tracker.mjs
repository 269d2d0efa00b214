// Builds the tracker (tracker/src/index.ts) into two minified scripts in dist/tracker/, or in
// the directory given with `--outdir DIR`: s.js, and s.cmp.js, which also reads the page's
// consent management platform (IAB TCF and Google Consent Mode). Checks that the event path placeholder survived in each, and prints the raw and gzipped
// sizes (node:zlib, level 9).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

// Keep in step with EVENT_PATH_PLACEHOLDER in src/tracker-paths.ts, which this plain
// JavaScript file cannot import.
const PLACEHOLDER = '__DATAKANT_EVENT_PATH__';

/** Script file names, and whether each reads the page's CMP (the READ_CMP constant). */
const VARIANTS = [
  { file: 's.js', readCmp: false },
  { file: 's.cmp.js', readCmp: true },
];

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist/tracker' } } });

for (const variant of VARIANTS) {
  await buildVariant(join(values.outdir, variant.file), variant.readCmp);
}

async function buildVariant(outfile, readCmp) {
  await build({
    entryPoints: [fileURLToPath(new URL('../tracker/src/index.ts', import.meta.url))],
    outfile,
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2017',
    legalComments: 'none',
    logLevel: 'warning',
    define: { READ_CMP: String(readCmp) },
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
}
