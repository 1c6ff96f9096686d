import { type UserError, userError } from '@cx/platform';

export { type UserError, userError };

/** The outcome of a step: the row it wrote, or why nothing was written. */
export type StepResult<T> = { ok: true; row: T } | { ok: false; userErrors: UserError[] };

export function rejected<T>(...userErrors: UserError[]): StepResult<T> {
  return { ok: false, userErrors };
}

export function done<T>(row: T): StepResult<T> {
  return { ok: true, row };
}

/** Who performed a step and when: every write of this subgraph is timestamped and attributed. */
export interface Attribution {
  now: Date;
  actor: string;
}

/** A mutation payload: the written row under `key` (null when rejected) and the user errors. */
export function toPayload<K extends string, T>(
  key: K,
  result: StepResult<T>,
): Record<K, T | null> & { userErrors: UserError[] } {
  const row = result.ok ? result.row : null;
  return { [key]: row, userErrors: result.ok ? [] : result.userErrors } as Record<K, T | null> & {
    userErrors: UserError[];
  };
}
