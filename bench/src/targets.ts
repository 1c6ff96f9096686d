/** One of the targets, judged against this run's figures. */
export interface TargetResult {
  name: string;
  goal: string;
  measured: string;
  /** null: not measured in this run. */
  met: boolean | null;
  /** How far over or short of the goal, in words. */
  margin: string;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/** `value` must reach at least `goal`. */
export function atLeast(
  name: string,
  value: number | undefined,
  goal: number,
  unit: string,
  digits = 2,
): TargetResult {
  const goalText = `>= ${goal}${unit}`;
  if (value === undefined || !Number.isFinite(value))
    return { name, goal: goalText, measured: 'not measured', met: null, margin: '-' };
  const met = value >= goal;
  return {
    name,
    goal: goalText,
    measured: `${value.toFixed(digits)}${unit}`,
    met,
    margin: met ? `${pct(value / goal - 1)} above the goal` : `${pct(1 - value / goal)} short of the goal`,
  };
}

/** `value` must stay at or below `goal` (`strict`: below). */
export function atMost(
  name: string,
  value: number | undefined,
  goal: number,
  unit: string,
  { strict = false, digits = 2 } = {},
): TargetResult {
  const goalText = `${strict ? '<' : '<='} ${goal}${unit}`;
  if (value === undefined || !Number.isFinite(value))
    return { name, goal: goalText, measured: 'not measured', met: null, margin: '-' };
  const met = strict ? value < goal : value <= goal;
  return {
    name,
    goal: goalText,
    measured: `${value.toFixed(digits)}${unit}`,
    met,
    margin: met ? `${pct(1 - value / goal)} under the limit` : `${pct(value / goal - 1)} over the limit`,
  };
}
