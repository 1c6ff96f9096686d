import { badInput } from '@cx/platform';

/** Stream cursors are outbox positions as decimal strings; "0" means "from the first event". */
export function encodePosition(position: number): string {
  return String(position);
}

export function parsePosition(value: string, field: string): number {
  if (!/^(0|[1-9][0-9]{0,14})$/.test(value))
    throw badInput(field, 'is not a cursor returned by this API', 'INVALID_CURSOR');
  return Number(value);
}
