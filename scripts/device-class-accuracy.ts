/**
 * Prints the device classifier's precision, recall and accuracy per class, and its confusion
 * matrix, over the labelled device-class corpus.
 *
 * Run: npx tsx scripts/device-class-accuracy.ts [path/to/dev.tsv] [--errors]
 * The default corpus path is `../shared/corpora/device-class/dev.tsv` from the repository
 * root. `--errors` also lists each misclassified row as `expected → actual: User-Agent`.
 */
import { fileURLToPath } from 'node:url';

import { DEVICE_CLASSES } from '../src/domain.js';
import { classifyDevice } from '../src/edge/device-class.js';
import { DEFAULT_CORPUS_PATH, evaluateCorpus, readCorpus } from '../test/edge/device-class-corpus.js';

const args = process.argv.slice(2);
const showErrors = args.includes('--errors');
const corpusPath = args.find((argument) => !argument.startsWith('--')) ?? fileURLToPath(DEFAULT_CORPUS_PATH);

const rows = readCorpus(corpusPath);
const report = evaluateCorpus(rows, classifyDevice);

console.log(`corpus: ${corpusPath} (${rows.length} rows)`);
console.log(`overall accuracy: ${percent(report.correct / rows.length)}\n`);

console.log(['class', 'rows', 'precision', 'recall'].map((cell) => cell.padEnd(11)).join(''));
for (const deviceClass of DEVICE_CLASSES) {
  const figures = report.perClass[deviceClass];
  const cells = [deviceClass, String(figures.support), percent(figures.precision), percent(figures.recall)];
  console.log(cells.map((cell) => cell.padEnd(11)).join(''));
}
console.log('\nA class\'s accuracy is its recall: the share of its rows classified correctly.');

console.log('\nconfusion matrix (rows: expected, columns: classified as)');
console.log([''.padEnd(10), ...DEVICE_CLASSES.map((deviceClass) => deviceClass.padStart(9))].join(''));
for (const expected of DEVICE_CLASSES) {
  const counts = DEVICE_CLASSES.map((actual) => String(report.confusion[expected][actual]).padStart(9));
  console.log([expected.padEnd(10), ...counts].join(''));
}

if (showErrors) {
  console.log('\nmisclassified rows:');
  for (const error of report.errors) {
    console.log(`${error.expected} → ${error.actual}: ${error.userAgent}${error.hints ? `  ${JSON.stringify(error.hints)}` : ''}`);
  }
}

function percent(value: number): string {
  return Number.isNaN(value) ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}
