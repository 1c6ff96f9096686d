import { isUuid } from '@cx/platform';
import { validateVin } from '@cx/platform/domain/vin';
import { type UserError, userError } from './userErrors.ts';

export const DEALER_CODE = /^[A-Z0-9-]{2,32}$/;
const DECIMAL = /^\d{1,10}(\.\d{1,2})?$/;

/**
 * Validates a mutation's input field by field and collects every problem at once, each naming
 * its field, so a caller can fix a whole form in one round trip.
 */
export function inputChecker() {
  const errors: UserError[] = [];
  const fail = (field: string, code: string, message: string) => {
    errors.push(userError(field, code, message));
  };
  return {
    errors,
    fail,
    uuid(value: string, field: string, entity: string): string {
      const trimmed = value.trim();
      if (!isUuid(trimmed)) fail(field, 'INVALID_ID', `is not a ${entity} id`);
      return trimmed.toLowerCase();
    },
    /** Each VIN error class keeps its own code: VIN_LENGTH, VIN_CHARACTER, VIN_MODEL_YEAR, VIN_CHECK_DIGIT. */
    vin(value: string, field = 'vin'): string {
      const result = validateVin(value);
      if (!result.ok) {
        fail(field, result.code, result.message);
        return '';
      }
      return result.vin;
    },
    dealerCode(value: string, field = 'dealerCode'): string {
      const code = value.trim().toUpperCase();
      if (!DEALER_CODE.test(code))
        fail(field, 'DEALER_CODE_INVALID', 'must be 2 to 32 letters, digits or dashes');
      return code;
    },
    text(value: string, field: string, max: number): string {
      const trimmed = value.trim();
      if (!trimmed) fail(field, 'REQUIRED', 'must not be empty');
      else if (trimmed.length > max) fail(field, 'TOO_LONG', `must be at most ${max} characters`);
      return trimmed;
    },
    optionalText(value: string | null | undefined, field: string, max: number): string | null {
      const trimmed = value?.trim();
      if (!trimmed) return null;
      if (trimmed.length > max) fail(field, 'TOO_LONG', `must be at most ${max} characters`);
      return trimmed;
    },
    /** A positive amount as a decimal string with at most 2 decimals, e.g. "380.00". */
    amount(value: string, field: string): string {
      const trimmed = value.trim();
      if (!DECIMAL.test(trimmed) || Number(trimmed) <= 0)
        fail(field, 'MONEY_INVALID', 'must be a positive decimal amount with at most 2 decimals');
      return trimmed;
    },
    intRange(value: number, field: string, min: number, max: number): number {
      if (!Number.isInteger(value) || value < min || value > max)
        fail(field, 'OUT_OF_RANGE', `must be a whole number from ${min} to ${max}`);
      return value;
    },
  };
}

export const DECIMAL_AMOUNT = DECIMAL;

export type InputChecker = ReturnType<typeof inputChecker>;
