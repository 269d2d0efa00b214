/** The budgets `npm run bench:check` holds the latest figures to. */

export type Comparison = 'at least' | 'at most' | 'equal to';

export interface Goal {
  comparison: Comparison;
  value: number | boolean;
}

export interface Figure {
  id: string;
  label: string;
  value: number | boolean | null;
  unit: string;
  goal: Goal | null;
  conditions: string;
}

export const GOALS: Record<string, Goal> = {
  'ingest.ratio': { comparison: 'at least', value: 0.6 },
  'ingest.half-rate.p99': { comparison: 'at most', value: 5 },
  'dashboard.first-load': { comparison: 'at most', value: 300 },
  'dashboard.visitors-exact': { comparison: 'equal to', value: true },
  'dashboard.bytes-per-event': { comparison: 'at most', value: 20 },
  'tracker.gzip': { comparison: 'at most', value: 1024 },
  'memory.peak-rss': { comparison: 'at most', value: 200 * 1000 * 1000 },
  'startup.first-event': { comparison: 'at most', value: 1000 },
};

/** Whether `value` meets `goal`; a figure that was not measured does not. */
export function meetsGoal(value: Figure['value'], goal: Goal): boolean {
  if (value === null) return false;
  switch (goal.comparison) {
    case 'at least':
      return typeof value === 'number' && value >= (goal.value as number);
    case 'at most':
      return typeof value === 'number' && value <= (goal.value as number);
    case 'equal to':
      return value === goal.value;
  }
}

export function formatValue(value: Figure['value'] | Goal['value'], unit: string): string {
  if (value === null) return 'not measured';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (unit === 'bytes' && value >= 1e6) return `${(value / 1e6).toFixed(1)} MB`;
  const digits = Number.isInteger(value) ? 0 : Math.abs(value) < 10 ? 2 : 1;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })}${unit && unit !== 'bytes' ? ' ' + unit : unit === 'bytes' ? ' bytes' : ''}`;
}
