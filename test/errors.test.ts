import { it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ERROR_CATALOGUE } from '../src/errors.js';
import { REPO_ROOT } from './helpers/server-process.js';

it('documents every error code with its status', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/errors.md'), 'utf8');
  for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
    assert.match(doc, new RegExp(`^\\| \`${code}\` \\| ${entry.status} \\|`, 'm'), `docs/errors.md lists ${code}`);
  }
});
