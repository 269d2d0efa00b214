import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { EVENT_PATH_PLACEHOLDER } from '../../src/tracker-paths.js';
import { buildTracker, type BuiltScript } from './built-script.js';

/** Size budget of the default script `s.js`, gzipped at level 9, consent reading included. */
const MAX_GZIPPED_BYTES = 1024;
/**
 * Size budget of `s.cmp.js`, which also reads TCF and Consent Mode. It is over the default
 * budget by design; this bound only keeps it from growing unnoticed.
 */
const MAX_CMP_GZIPPED_BYTES = 1536;

let built: BuiltScript;
before(async () => {
  built = await buildTracker();
});

const variants = () => [
  { file: 's.js', code: built.code },
  { file: 's.cmp.js', code: built.cmpCode },
];

test('built tracker fits the size budget', (t) => {
  const gzipped = gzipSync(built.code, { level: 9 }).length;

  t.diagnostic(`s.js: ${built.code.length} bytes raw, ${gzipped} bytes gzipped (level 9)`);
  assert.ok(gzipped <= MAX_GZIPPED_BYTES, `${gzipped} bytes gzipped, budget ${MAX_GZIPPED_BYTES}`);
});

test('CMP build fits its size bound', (t) => {
  const gzipped = gzipSync(built.cmpCode, { level: 9 }).length;

  t.diagnostic(`s.cmp.js: ${built.cmpCode.length} bytes raw, ${gzipped} bytes gzipped (level 9)`);
  assert.ok(gzipped <= MAX_CMP_GZIPPED_BYTES, `${gzipped} bytes gzipped, bound ${MAX_CMP_GZIPPED_BYTES}`);
});

test('built tracker has the placeholder once', () => {
  for (const { file, code } of variants()) {
    const source = code.toString('utf8');

    assert.equal(source.split(EVENT_PATH_PLACEHOLDER).length - 1, 1, `occurrences of the placeholder in ${file}`);
    assert.ok(source.includes(`"${EVENT_PATH_PLACEHOLDER}"`), `the placeholder is a double-quoted string literal in ${file}`);
  }
});

test('built tracker is one IIFE script', () => {
  for (const { file, code } of variants()) {
    const source = code.toString('utf8').trim();

    assert.ok(source.startsWith('(()=>{'), `${file}: ${source.slice(0, 40)}`);
    assert.ok(source.endsWith('})();'), `${file}: ${source.slice(-40)}`);
    assert.doesNotMatch(source, /\bimport\b|\bexport\b|sourceMappingURL/, file);
  }
});

test('only the CMP build reads the CMP', () => {
  const plain = built.code.toString('utf8');
  const cmp = built.cmpCode.toString('utf8');

  for (const marker of ['__tcfapi', 'dataLayer', 'pagehide']) {
    assert.ok(!plain.includes(marker), `s.js contains ${marker}`);
    assert.ok(cmp.includes(marker), `s.cmp.js lacks ${marker}`);
  }
});
