import { describe, expect, it } from 'vitest';
import { maskEmail, normalizeEmail } from '../src/domain/email.ts';
import { maskNationalId, validateNationalId } from '../src/domain/nationalId.ts';
import { maskPhone, normalizePhone } from '../src/domain/phone.ts';
import { validateVin } from '../src/domain/vin.ts';

describe('VIN (ISO 3779 check digit)', () => {
  it('accepts the reference example and normalizes case and spaces', () => {
    expect(validateVin(' 1m8gdm9axkp042788 ')).toEqual({ ok: true, vin: '1M8GDM9AXKP042788' });
  });
  it.each([
    ['1M8GDM9AXKP04278', 'VIN_LENGTH'],
    ['1M8GDM9AXKP0427888', 'VIN_LENGTH'],
    ['1M8GDM9AXKP04278O', 'VIN_CHARACTER'],
    ['1M8GDM9AXIP042788', 'VIN_CHARACTER'],
    ['1M8GDM9AXUP042788', 'VIN_MODEL_YEAR'],
    ['1M8GDM9A1KP042788', 'VIN_CHECK_DIGIT'],
  ])('rejects %s with %s', (vin, code) => {
    const result = validateVin(vin);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe(code);
  });
});

describe('national ID (GB 11643 MOD 11-2)', () => {
  it.each(['11010519491231002X', '440524188001010014', '11010519491231002x'])('accepts %s', (id) => {
    expect(validateNationalId(id).ok).toBe(true);
  });
  it('derives birth date and sex', () => {
    expect(validateNationalId('440524188001010014')).toMatchObject({ birthDate: '1880-01-01', sex: 'MALE' });
  });
  it.each([
    ['11010519491231002', 'NATIONAL_ID_FORMAT'],
    ['11010519490231002X', 'NATIONAL_ID_BIRTH_DATE'],
    ['110105194912310021', 'NATIONAL_ID_CHECKSUM'],
  ])('rejects %s with %s', (id, code) => {
    const result = validateNationalId(id);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe(code);
  });
  it('masks all but the last 4', () => {
    expect(maskNationalId('11010519491231002X')).toBe('**************002X');
  });
});

describe('mainland mobile numbers', () => {
  it.each(['+86 138-1234-5678', '0086 13812345678', '8613812345678', '138 1234 5678'])(
    'normalizes %s',
    (p) => {
      expect(normalizePhone(p)).toEqual({ ok: true, phone: '13812345678' });
    },
  );
  it.each([
    ['1381234567', 'PHONE_FORMAT'],
    ['12012345678', 'PHONE_PREFIX'],
    ['00000000000', 'PHONE_BLOCKED'],
    ['10000000000', 'PHONE_BLOCKED'],
  ])('rejects %s with %s', (p, code) => {
    const result = normalizePhone(p);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe(code);
  });
  it('masks as 138****5678', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
});

describe('email', () => {
  it('normalizes and masks', () => {
    expect(normalizeEmail(' Zhang.San@Example.com ')).toEqual({ ok: true, email: 'zhang.san@example.com' });
    expect(maskEmail('zhang.san@example.com')).toBe('z***@example.com');
    expect(normalizeEmail('not-an-email').ok).toBe(false);
  });
});
