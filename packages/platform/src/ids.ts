import { badInput } from './errors.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/** Entity ids are UUIDs; anything else is rejected before it reaches SQL. */
export function assertUuid(value: string, field: string, entity: string): string {
  if (!uuidPattern.test(value)) throw badInput(field, `is not a ${entity} id`, 'INVALID_ID');
  return value.toLowerCase();
}
