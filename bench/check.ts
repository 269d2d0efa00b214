/**
 * Compares the latest benchmark results (bench/results/latest.json, written by
 * `npm run bench`) with the goals, prints one line per figure and exits with 1 when a goal
 * is missed or a figure was not measured, 2 when there are no results.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GOALS, formatValue, meetsGoal, type Figure } from './lib/goals.js';
import { REPO_ROOT } from './lib/processes.js';

const file = path.join(REPO_ROOT, 'bench/results/latest.json');
if (!fs.existsSync(file)) {
  console.error(`No benchmark results at ${file}: run "npm run bench" first.`);
  process.exit(2);
}
const results = JSON.parse(fs.readFileSync(file, 'utf8')) as { finishedAt: string; figures: Figure[] };
console.log(`Results of ${results.finishedAt} (${path.relative(REPO_ROOT, file)})`);

let misses = 0;
for (const [id, goal] of Object.entries(GOALS)) {
  const figure = results.figures.find((candidate) => candidate.id === id);
  const value = figure?.value ?? null;
  const unit = figure?.unit ?? '';
  const met = meetsGoal(value, goal);
  if (!met) misses += 1;
  console.log(
    `${met ? 'met   ' : 'MISSED'} ${(figure?.label ?? id).padEnd(44)} ${formatValue(value, unit).padStart(14)}   goal ${goal.comparison} ${formatValue(goal.value, unit)}`,
  );
}
console.log(misses === 0 ? 'Every goal is met.' : `${misses} of ${Object.keys(GOALS).length} goals missed or not measured.`);
process.exit(misses === 0 ? 0 : 1);
