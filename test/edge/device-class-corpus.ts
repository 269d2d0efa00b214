/**
 * Reads the labelled device-class corpus (a TSV of class, User-Agent and client hints as
 * JSON) and scores a classifier on it. Shared by the corpus test and
 * `scripts/device-class-accuracy.ts`.
 */
import { existsSync, readFileSync } from 'node:fs';

import { DEVICE_CLASSES, type DeviceClass } from '../../src/domain.js';
import type { DeviceClassInput } from '../../src/edge/device-class.js';

/** The corpus lives beside the repository, in the shared folder, and is never copied in. */
export const DEFAULT_CORPUS_PATH = new URL('../../../shared/corpora/device-class/dev.tsv', import.meta.url);

export interface CorpusRow {
  expected: DeviceClass;
  userAgent: string;
  /** Hints in the classifier's form: lower-case header names, header-style values. */
  hints: Record<string, string> | undefined;
}

export function corpusExists(path: string | URL = DEFAULT_CORPUS_PATH): boolean {
  return existsSync(path);
}

export function readCorpus(path: string | URL = DEFAULT_CORPUS_PATH): CorpusRow[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const rows: CorpusRow[] = [];
  for (const [index, line] of lines.entries()) {
    if (index === 0 || line.trim() === '') continue;
    const [label, userAgent, hintsJson] = line.split('\t');
    if (!isDeviceClass(label) || userAgent === undefined) {
      throw new Error(`Invalid corpus line ${index + 1} in ${String(path)}: expected class<TAB>user_agent<TAB>client_hints`);
    }
    const hints = hintsJson ? toHeaderHints(JSON.parse(hintsJson) as Record<string, unknown>) : undefined;
    rows.push({ expected: label, userAgent, hints });
  }
  return rows;
}

/**
 * Converts a corpus hints object to header form. Most rows use `Sec-CH-UA-*` header names,
 * in any letter case and with values quoted or not. A few use the names of JavaScript's
 * `navigator.userAgentData` (`mobile`, `platform`, `model`, `brands`), which become the
 * matching headers here.
 */
export function toHeaderHints(source: Record<string, unknown>): Record<string, string> {
  const hints: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === null || value === undefined) continue;
    const lowerName = name.toLowerCase();
    if (lowerName === 'mobile') {
      hints['sec-ch-ua-mobile'] = value === true || value === '1' || value === 'true' ? '?1' : '?0';
    } else if (lowerName === 'platform' || lowerName === 'model') {
      hints[`sec-ch-ua-${lowerName}`] = `"${String(value)}"`;
    } else if (lowerName === 'brands' && Array.isArray(value)) {
      hints['sec-ch-ua'] = value
        .map((entry: { brand?: unknown; version?: unknown }) => `"${String(entry.brand)}";v="${String(entry.version)}"`)
        .join(', ');
    } else if (lowerName.startsWith('sec-ch-') || lowerName.endsWith('x-requested-with')) {
      hints[lowerName.replace(/^http-/, '')] = String(value);
    }
  }
  return hints;
}

export interface ClassFigures {
  /** Rows of this class in the corpus. */
  support: number;
  /** Share of rows classified as this class that are of it. */
  precision: number;
  /** Share of this class's rows classified as it; the per-class accuracy. */
  recall: number;
}

export interface CorpusReport {
  correct: number;
  perClass: Record<DeviceClass, ClassFigures>;
  /** Counts by expected class, then by classified class. */
  confusion: Record<DeviceClass, Record<DeviceClass, number>>;
  errors: { expected: DeviceClass; actual: DeviceClass; userAgent: string; hints: Record<string, string> | undefined }[];
}

export function evaluateCorpus(rows: readonly CorpusRow[], classify: (input: DeviceClassInput) => DeviceClass): CorpusReport {
  const confusion = Object.fromEntries(
    DEVICE_CLASSES.map((expected) => [expected, Object.fromEntries(DEVICE_CLASSES.map((actual) => [actual, 0]))]),
  ) as Record<DeviceClass, Record<DeviceClass, number>>;
  const errors: CorpusReport['errors'] = [];
  let correct = 0;

  for (const row of rows) {
    const actual = classify({ userAgent: row.userAgent, clientHints: row.hints });
    confusion[row.expected][actual] += 1;
    if (actual === row.expected) {
      correct += 1;
    } else {
      errors.push({ expected: row.expected, actual, userAgent: row.userAgent, hints: row.hints });
    }
  }

  const perClass = Object.fromEntries(
    DEVICE_CLASSES.map((deviceClass) => {
      const truePositives = confusion[deviceClass][deviceClass];
      const support = DEVICE_CLASSES.reduce((sum, actual) => sum + confusion[deviceClass][actual], 0);
      const predicted = DEVICE_CLASSES.reduce((sum, expected) => sum + confusion[expected][deviceClass], 0);
      return [deviceClass, { support, precision: truePositives / predicted, recall: truePositives / support }];
    }),
  ) as Record<DeviceClass, ClassFigures>;

  return { correct, perClass, confusion, errors };
}

function isDeviceClass(value: string | undefined): value is DeviceClass {
  return (DEVICE_CLASSES as readonly string[]).includes(value ?? '');
}
