import { badInput } from '@cx/platform';
import { validateVin } from '@cx/platform/domain/vin';

/** Normalizes a VIN argument or throws BAD_USER_INPUT with the VIN error class in extensions.reason. */
export function assertVin(input: string, field = 'vin'): string {
  const result = validateVin(input);
  if (!result.ok) throw badInput(field, result.message, result.code);
  return result.vin;
}
