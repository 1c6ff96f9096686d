/** Resident Identity Card number, GB 11643-1999 (ISO 7064 MOD 11-2). */
const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const checkChars = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

export type NationalIdResult =
  | { ok: true; id: string; birthDate: string; sex: 'MALE' | 'FEMALE' }
  | {
      ok: false;
      code: 'NATIONAL_ID_FORMAT' | 'NATIONAL_ID_BIRTH_DATE' | 'NATIONAL_ID_CHECKSUM';
      message: string;
    };

export function nationalIdCheckChar(first17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i += 1) s += Number(first17[i]) * weights[i]!;
  return checkChars[s % 11]!;
}

export function validateNationalId(input: string, today = new Date()): NationalIdResult {
  const id = input.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id))
    return { ok: false, code: 'NATIONAL_ID_FORMAT', message: 'must be 17 digits followed by a digit or X' };
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (
    y < 1800 ||
    date.getUTCFullYear() !== y ||
    date.getUTCMonth() !== m - 1 ||
    date.getUTCDate() !== d ||
    date > today
  ) {
    return {
      ok: false,
      code: 'NATIONAL_ID_BIRTH_DATE',
      message: `birth date ${id.slice(6, 14)} is not a real date`,
    };
  }
  if (nationalIdCheckChar(id) !== id[17])
    return { ok: false, code: 'NATIONAL_ID_CHECKSUM', message: 'check character does not match' };
  return {
    ok: true,
    id,
    birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
    sex: Number(id[16]) % 2 === 1 ? 'MALE' : 'FEMALE',
  };
}

/** Only the last 4 characters are ever shown without the PII scope. */
export function maskNationalId(id: string): string {
  return `**************${id.slice(-4)}`;
}
