import type { Db } from '@cx/platform';
import { type InputChecker, inputChecker } from './inputs.ts';
import { done, rejected, type StepResult, type UserError, userError } from './userErrors.ts';

/** The states each state may move to; a state with no successor is final. */
export type Transitions<S extends string> = Readonly<Record<S, readonly S[]>>;

export function canMove<S extends string>(transitions: Transitions<S>, from: S, to: S): boolean {
  return transitions[from].includes(to);
}

export function transitionMessage(entity: string, from: string, to: string): string {
  return `${/^[aeiou]/.test(entity) ? 'an' : 'a'} ${entity} cannot move from ${from} to ${to}`;
}

/** The ILLEGAL_TRANSITION user error, naming both ends so a caller can tell what went wrong. */
export function illegalTransition(field: string, entity: string, from: string, to: string): UserError {
  return userError(field, 'ILLEGAL_TRANSITION', transitionMessage(entity, from, to));
}

export interface Move<S extends string, R extends { id: string; status: S }> {
  /** How the entity is named in messages, e.g. "repair order". */
  entity: string;
  /** The id as given; checked here, along with whatever the caller already checked. */
  id: string;
  /** The input field naming the entity, reported when it does not exist. */
  idField: string;
  to: S;
  /** The input field reported for an illegal move. */
  toField: string;
  transitions: Transitions<S>;
  /** Reads the row and locks it until the transaction ends, so two steps cannot interleave. */
  lock(tx: Db, id: string): Promise<R | null>;
  /** Further checks on the locked row once the move itself is legal. */
  guard?(row: R): UserError | null;
  /** Writes the move (status and whatever goes with it). */
  apply(tx: Db, row: R): Promise<R>;
}

/**
 * One step of a state machine: validate the input (the id here, other fields by the caller on the
 * same checker), then lock, check and write in one transaction.
 */
export async function moveLocked<S extends string, R extends { id: string; status: S }>(
  db: Db,
  check: InputChecker,
  move: Move<S, R>,
): Promise<StepResult<R>> {
  // The id leads the errors: it is the first field of every such input.
  const idCheck = inputChecker();
  const id = idCheck.uuid(move.id, move.idField, move.entity);
  const errors = [...idCheck.errors, ...check.errors];
  if (errors.length > 0) return rejected(...errors);
  return db.transaction(async (tx) => {
    const row = await move.lock(tx, id);
    if (!row) return rejected(userError(move.idField, 'NOT_FOUND', `${move.entity} ${id} was not found`));
    if (!canMove(move.transitions, row.status, move.to))
      return rejected(illegalTransition(move.toField, move.entity, row.status, move.to));
    const problem = move.guard?.(row);
    if (problem) return rejected(problem);
    return done(await move.apply(tx, row));
  });
}
