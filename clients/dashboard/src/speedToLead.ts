/** Median of the given values; null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Seconds from a lead's creation to its assignment, from two ISO timestamps. */
export function secondsToLead(createdAt: string, assignedAt: string): number {
  return (Date.parse(assignedAt) - Date.parse(createdAt)) / 1000;
}
