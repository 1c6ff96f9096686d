/** A business failure in a mutation payload: `UserError { field code message }` in the schema. */
export interface MutationError {
  field: string;
  code: string;
  message: string;
}

export function mutationError(field: string, code: string, message: string): MutationError {
  return { field, code, message: `${field}: ${message}` };
}

/** A per-record failure in a batch: `IngestError { index field code message }` in the schema. */
export interface RecordError extends MutationError {
  index: number;
}

export function recordError(index: number, field: string, code: string, message: string): RecordError {
  return { index, ...mutationError(field, code, message) };
}
