/** Mainland China mobile numbers, normalized to 11 digits. */
const mobilePattern = /^1(3\d|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8\d|9[0-35-9])\d{8}$/;
const junk = new Set(['00000000000', '10000000000', '13800138000', '12345678901', '11111111111']);

export type PhoneResult =
  | { ok: true; phone: string }
  | { ok: false; code: 'PHONE_FORMAT' | 'PHONE_PREFIX' | 'PHONE_BLOCKED'; message: string };

export function normalizePhone(input: string): PhoneResult {
  let digits = input.trim().replace(/[\s-]/g, '');
  if (digits.startsWith('+86')) digits = digits.slice(3);
  else if (digits.startsWith('0086')) digits = digits.slice(4);
  else if (digits.startsWith('86') && digits.length === 13) digits = digits.slice(2);
  if (!/^\d{11}$/.test(digits))
    return { ok: false, code: 'PHONE_FORMAT', message: 'must be an 11-digit mainland mobile number' };
  if (junk.has(digits))
    return { ok: false, code: 'PHONE_BLOCKED', message: 'is a placeholder or test number' };
  if (!mobilePattern.test(digits))
    return {
      ok: false,
      code: 'PHONE_PREFIX',
      message: `prefix ${digits.slice(0, 3)} is not a mobile prefix`,
    };
  return { ok: true, phone: digits };
}

/** 138****5678 */
export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : '****';
}
