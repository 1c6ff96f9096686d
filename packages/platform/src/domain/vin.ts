/** VIN validation per ISO 3779 / GB 16735 (position 9 is always the check digit). */
const transliteration: Record<string, number> = {
  A: 1,
  B: 2,
  C: 3,
  D: 4,
  E: 5,
  F: 6,
  G: 7,
  H: 8,
  J: 1,
  K: 2,
  L: 3,
  M: 4,
  N: 5,
  P: 7,
  R: 9,
  S: 2,
  T: 3,
  U: 4,
  V: 5,
  W: 6,
  X: 7,
  Y: 8,
  Z: 9,
};
const weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

export type VinErrorCode = 'VIN_LENGTH' | 'VIN_CHARACTER' | 'VIN_MODEL_YEAR' | 'VIN_CHECK_DIGIT';

export type VinResult = { ok: true; vin: string } | { ok: false; code: VinErrorCode; message: string };

function charValue(c: string): number {
  return c >= '0' && c <= '9' ? Number(c) : (transliteration[c] ?? -1);
}

export function vinCheckDigit(vin17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += charValue(vin17[i]!) * weights[i]!;
  const r = sum % 11;
  return r === 10 ? 'X' : String(r);
}

export function validateVin(input: string): VinResult {
  const vin = input.trim().toUpperCase();
  if (vin.length !== 17)
    return { ok: false, code: 'VIN_LENGTH', message: `must be 17 characters, got ${vin.length}` };
  const bad = [...vin].findIndex((c) => !/[0-9A-HJ-NPR-Z]/.test(c));
  if (bad >= 0) {
    return {
      ok: false,
      code: 'VIN_CHARACTER',
      message: `character ${bad + 1} ('${vin[bad]}') is not allowed (I, O, Q never appear)`,
    };
  }
  if (/[UZ0]/.test(vin[9]!)) {
    return { ok: false, code: 'VIN_MODEL_YEAR', message: `position 10 (model year) cannot be '${vin[9]}'` };
  }
  const expected = vinCheckDigit(vin);
  if (vin[8] !== expected) {
    return {
      ok: false,
      code: 'VIN_CHECK_DIGIT',
      message: `check digit (position 9) is '${vin[8]}', expected '${expected}'`,
    };
  }
  return { ok: true, vin };
}
