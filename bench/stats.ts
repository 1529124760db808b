/** Percentile of a sample (nearest-rank), in the sample's unit. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

export function summary(label: string, values: number[]): string {
  return `${label.padEnd(28)} median ${fmt(percentile(values, 50)).padStart(10)}   p99 ${fmt(percentile(values, 99)).padStart(10)}   max ${fmt(Math.max(...values)).padStart(10)}   (n=${values.length})`;
}
