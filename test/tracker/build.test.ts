import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { EVENT_PATH_PLACEHOLDER } from '../../src/tracker-paths.js';
import { buildTracker, type BuiltScript } from './built-script.js';

/** Size budget of the served script, gzipped at level 9, once consent reading is in. */
const MAX_GZIPPED_BYTES = 1024;

let built: BuiltScript;
before(async () => {
  built = await buildTracker();
});

test('built tracker fits the size budget', (t) => {
  const { code } = built;
  const gzipped = gzipSync(code, { level: 9 }).length;

  t.diagnostic(`tracker: ${code.length} bytes raw, ${gzipped} bytes gzipped (level 9)`);
  assert.ok(gzipped <= MAX_GZIPPED_BYTES, `${gzipped} bytes gzipped, budget ${MAX_GZIPPED_BYTES}`);
});

test('built tracker has the placeholder once', () => {
  const source = built.code.toString('utf8');

  assert.equal(source.split(EVENT_PATH_PLACEHOLDER).length - 1, 1, 'occurrences of the placeholder');
  assert.ok(source.includes(`"${EVENT_PATH_PLACEHOLDER}"`), 'the placeholder is a double-quoted string literal');
});

test('built tracker is one IIFE script', () => {
  const source = built.code.toString('utf8').trim();

  assert.ok(source.startsWith('(()=>{'), source.slice(0, 40));
  assert.ok(source.endsWith('})();'), source.slice(-40));
  assert.doesNotMatch(source, /\bimport\b|\bexport\b|sourceMappingURL/);
});
