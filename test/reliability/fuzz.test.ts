import { schema as customerSchema } from '@cx/customer';
import type { Db } from '@cx/platform';
import { normalizeEmail } from '@cx/platform/domain/email';
import { nationalIdCheckChar, validateNationalId } from '@cx/platform/domain/nationalId';
import { normalizePhone } from '@cx/platform/domain/phone';
import { isStorableText } from '@cx/platform/domain/text';
import { validateVin, vinCheckDigit } from '@cx/platform/domain/vin';
import { schema as serviceSchema } from '@cx/service';
import { schema as vehicleSchema } from '@cx/vehicle';
import { count } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';
import { authHeader } from '../helpers/tokens.ts';

/**
 * Property-based fuzzing of every public input: the validators directly, then the same inputs (and
 * malformed bodies, cursors, oversized and deep documents) through the real gateway. Properties:
 * nothing crashes or answers 500, every rejection carries a closed error code and names its field,
 * and the tables change by exactly the number of accepted records.
 */

// Any text a client could send, including astral-plane and lone-surrogate code points, NUL and controls.
const anyText = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'nul\u0000inside',
    '\ud83d',
    '\u202eevil',
    '𠮷野家',
    'e\u0301',
    'x'.repeat(5_000),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 40 }),
);

const vinChars = '0123456789ABCDEFGHJKLMNPRSTUVWXYZ';
const yearChars = 'ABCDEFGHJKLMNPRSTVWXY123456789';
/** A VIN with a correct check digit and a model-year character. */
const validVin = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...vinChars), minLength: 8, maxLength: 8 }),
    fc.constantFrom(...yearChars),
    fc.string({ unit: fc.constantFrom(...vinChars), minLength: 7, maxLength: 7 }),
  )
  .map(([wmiVds, year, serial]) => {
    const draft = `${wmiVds}0${year}${serial}`;
    return `${wmiVds}${vinCheckDigit(draft)}${year}${serial}`;
  });

const validNationalId = fc
  .tuple(
    fc.date({ min: new Date('1930-01-01'), max: new Date('2008-12-31'), noInvalidDate: true }),
    fc.integer({ min: 0, max: 999 }),
  )
  .map(([birth, seq]) => {
    const first17 = `110105${birth.toISOString().slice(0, 10).replaceAll('-', '')}${String(seq).padStart(3, '0')}`;
    return `${first17}${nationalIdCheckChar(first17)}`;
  });

describe('validators under arbitrary input', () => {
  it('VIN: never throws, a closed set of codes, every well-formed VIN passes and stays as it is', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const r = validateVin(s);
        if (r.ok) {
          expect(r.vin).toMatch(/^[0-9A-HJ-NPR-Z]{17}$/);
          expect(validateVin(r.vin)).toEqual(r);
        } else expect(['VIN_LENGTH', 'VIN_CHARACTER', 'VIN_MODEL_YEAR', 'VIN_CHECK_DIGIT']).toContain(r.code);
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(validVin, (vin) => {
        expect(validateVin(vin)).toEqual({ ok: true, vin });
        expect(validateVin(` ${vin.toLowerCase()} `)).toEqual({ ok: true, vin });
      }),
      { numRuns: 1_000 },
    );
  });

  it('phone: never throws, normalizes to 11 digits idempotently, formatting does not change the result', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const r = normalizePhone(s);
        if (r.ok) {
          expect(r.phone).toMatch(/^1\d{10}$/);
          expect(normalizePhone(r.phone)).toEqual(r);
        } else expect(['PHONE_FORMAT', 'PHONE_PREFIX', 'PHONE_BLOCKED']).toContain(r.code);
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(
        fc
          .string({ unit: fc.constantFrom(...'0123456789'), minLength: 10, maxLength: 10 })
          .map((d) => `1${d}`),
        (digits) => {
          const plain = normalizePhone(digits);
          for (const formatted of [
            `+86 ${digits}`,
            `0086${digits}`,
            `${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`,
          ])
            expect(normalizePhone(formatted)).toEqual(plain);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('national ID: never throws, every valid number passes with its birth date, a wrong check character fails', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const r = validateNationalId(s);
        if (!r.ok)
          expect(['NATIONAL_ID_FORMAT', 'NATIONAL_ID_BIRTH_DATE', 'NATIONAL_ID_CHECKSUM']).toContain(r.code);
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(validNationalId, fc.constantFrom(...'0123456789X'), (id, other) => {
        const r = validateNationalId(id.toLowerCase());
        expect(r.ok && r.birthDate).toBe(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`);
        if (other !== id[17])
          expect(validateNationalId(id.slice(0, 17) + other)).toMatchObject({
            ok: false,
            code: 'NATIONAL_ID_CHECKSUM',
          });
      }),
      { numRuns: 1_000 },
    );
  });

  it('email: never throws, accepted addresses are trimmed, lower-case, without spaces, at most 254 characters', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.emailAddress()), (s) => {
        const r = normalizeEmail(s);
        if (r.ok) {
          expect(r.email).toBe(r.email.toLowerCase());
          expect(r.email).not.toMatch(/\s/);
          expect(r.email.length).toBeLessThanOrEqual(254);
          expect(normalizeEmail(r.email)).toEqual(r);
        } else expect(r.code).toBe('EMAIL_FORMAT');
      }),
      { numRuns: 2_000 },
    );
  });

  it('storable text: exactly the strings that survive UTF-8 unchanged and hold no NUL', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(isStorableText(s)).toBe(
          Buffer.from(s, 'utf8').toString('utf8') === s && !s.includes('\u0000'),
        );
      }),
      { numRuns: 3_000 },
    );
  });
});

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

// Codes a client may see; INTERNAL_SERVER_ERROR would mean an input reached code that did not expect it.
const clientCodes = new Set([
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'QUERY_TOO_COMPLEX',
  'PAYLOAD_TOO_LARGE',
  'NOT_FOUND',
]);

describe('public inputs through the gateway', () => {
  let stack: TestStack;
  let authorization: string;
  let vins: string[];
  let dealerCodes: string[];
  let modelCodes: string[];
  let serial = 0;
  const nextSerial = () => {
    serial += 1;
    return serial;
  };

  beforeAll(async () => {
    stack = await startTestStack('rel_fuzz', { customers: 10 });
    authorization = (await authHeader({ role: 'hq_admin' })).authorization;
    vins = (
      await stack.dbs.vehicle.select({ vin: vehicleSchema.vehicles.vin }).from(vehicleSchema.vehicles)
    ).map((r) => r.vin);
    modelCodes = (
      await stack.dbs.vehicle.select({ code: vehicleSchema.models.code }).from(vehicleSchema.models)
    ).map((r) => r.code);
    const ros = await stack.dbs.service
      .select({ dealerCode: serviceSchema.repairOrders.dealerCode })
      .from(serviceSchema.repairOrders);
    dealerCodes = [...new Set(ros.map((r) => r.dealerCode))];
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function post(body: string, contentType = 'application/json'): Promise<Answer> {
    const res = await request(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization },
      body,
    });
    const text = await res.body.text();
    let parsed: Answer['body'];
    try {
      parsed = JSON.parse(text) as Answer['body'];
    } catch {
      throw new Error(`status ${res.statusCode} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
    return { status: res.statusCode, body: parsed };
  }

  const graphql = (query: string, variables?: unknown) => post(JSON.stringify({ query, variables }));

  /** Never a 500 and never a crash: either data, or errors that each carry a client-facing code. */
  function expectClean(answer: Answer, context: unknown): void {
    expect(answer.status, JSON.stringify(context)).toBeLessThan(500);
    for (const error of answer.body.errors ?? [])
      expect(
        clientCodes.has(error.extensions?.code ?? ''),
        `${JSON.stringify(error)} for ${JSON.stringify(context).slice(0, 300)}`,
      ).toBe(true);
  }

  interface IngestPayload {
    results: { index: number; outcome: string }[];
    userErrors: { index: number; field: string; code: string; message: string }[];
  }

  /**
   * Each record is a result or has user errors naming one of its fields (never both, never
   * neither); or, for text no column can hold, the whole call is refused naming the record's
   * field, like a type error. Returns the accepted results (none when refused).
   */
  function accountedResults(
    answer: Answer,
    root: string,
    records: Record<string, unknown>[],
    fields: string[],
  ): IngestPayload['results'] {
    const payload = answer.body.data?.[root] as IngestPayload | null | undefined;
    if (!payload) {
      const [error] = answer.body.errors ?? [];
      expect(error?.extensions?.code, JSON.stringify(answer.body)).toBe('BAD_USER_INPUT');
      const named = /^input\.records\[(\d+)\]\.([a-zA-Z]+)/.exec(error!.message);
      expect(named, error!.message).not.toBeNull();
      expect(fields).toContain(named![2]);
      expect(Number(named![1])).toBeLessThan(records.length);
      return [];
    }
    const accepted = new Set(payload.results.map((r) => r.index));
    const rejected = new Set(payload.userErrors.map((e) => e.index));
    for (const [index] of records.entries())
      expect(accepted.has(index) !== rejected.has(index), `record ${index}`).toBe(true);
    for (const e of payload.userErrors) {
      expect(e.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(e.message.length).toBeGreaterThan(0);
      expect(
        fields.some((f) => e.field === f || e.field.startsWith(`${f}.`) || e.field.startsWith(`${f}[`)),
        e.field,
      ).toBe(true);
    }
    return payload.results;
  }

  /**
   * Sends one ingest batch and checks it: a clean answer, every record accounted for, and the
   * table grown by exactly the records `written` counts among the results (nothing half-written).
   */
  async function ingestAndCheck(
    mutation: string,
    records: Record<string, unknown>[],
    fields: string[],
    rows: () => Promise<number>,
    written: (results: IngestPayload['results']) => number = (results) => results.length,
  ): Promise<void> {
    const before = await rows();
    const inputType = `${mutation[0]!.toUpperCase()}${mutation.slice(1)}Input`;
    const answer = await graphql(
      `mutation ($input: ${inputType}!) { ${mutation}(input: $input) {
        results { index outcome } userErrors { index field code message } } }`,
      { input: { records } },
    );
    expectClean(answer, records);
    const results = accountedResults(answer, mutation, records, fields);
    expect((await rows()) - before).toBe(written(results));
  }

  const rowCount = async (db: Db, table: PgTable): Promise<number> => {
    const [row] = await db.select({ n: count() }).from(table);
    return row!.n;
  };

  const customerFields = [
    'source',
    'externalId',
    'name',
    'phone',
    'phoneVerified',
    'nationalId',
    'email',
    'city',
    'province',
    'observedAt',
    'consents',
  ];

  it('customersIngest with arbitrary strings: accepted or rejected per record, field named, nothing half-written', async () => {
    const record = fc.record({
      source: fc.constantFrom('DMS', 'APP', 'WEBSITE', 'CALL_CENTER'),
      externalId: anyText.map((s) => `FZ-${nextSerial()}-${s}`),
      name: anyText,
      phone: fc.option(
        fc.oneof(anyText, fc.string({ unit: fc.constantFrom(...'0123456789+- '), maxLength: 16 })),
        { nil: null },
      ),
      phoneVerified: fc.option(fc.boolean(), { nil: null }),
      nationalId: fc.option(fc.oneof(anyText, validNationalId), { nil: null }),
      email: fc.option(fc.oneof(anyText, fc.emailAddress()), { nil: null }),
      city: fc.option(anyText, { nil: null }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 6 }), async (records) => {
        // Every externalId is new, so each accepted record adds exactly one source record.
        await ingestAndCheck('customersIngest', records, customerFields, () =>
          rowCount(stack.dbs.customer, customerSchema.sourceRecords),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('vehiclesIngest with arbitrary VINs, model codes and mileages: only accepted records are written', async () => {
    const record = fc.record({
      vin: fc.oneof(
        anyText,
        validVin,
        validVin.map((v) => v.slice(0, 8) + (v[8] === '0' ? '1' : '0') + v.slice(9)),
      ),
      modelCode: fc.oneof(fc.constantFrom(...modelCodes), anyText),
      color: fc.option(anyText, { nil: null }),
      mileageKm: fc.option(fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }), { nil: null }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(record, { minLength: 1, maxLength: 6, selector: (r) => r.vin.trim().toUpperCase() }),
        async (records) => {
          await ingestAndCheck(
            'vehiclesIngest',
            records,
            ['vin', 'modelCode', 'color', 'dealerCode', 'ownerCustomerId', 'purchasedAt', 'mileageKm'],
            () => rowCount(stack.dbs.vehicle, vehicleSchema.vehicles),
            (results) => results.filter((r) => r.outcome === 'CREATED').length,
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('repairOrdersIngest with arbitrary money amounts and quantities: each record rejected with a named field or stored', async () => {
    const amount = fc.oneof(
      anyText,
      fc.double({ noNaN: true }).map(String),
      fc
        .tuple(fc.integer({ min: -10, max: 10_000_000 }), fc.integer({ min: 0, max: 999 }))
        .map(([a, b]) => `${a}.${b}`),
      fc.constantFrom(
        '1e5',
        '0x10',
        '-0',
        '00.10',
        '1,000.00',
        '  12.50 ',
        'NaN',
        'Infinity',
        '9'.repeat(40),
      ),
    );
    const line = fc.record({
      kind: fc.constantFrom('LABOR', 'PART'),
      description: anyText,
      quantity: fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: -5, max: 1_000 }),
      ),
      unitPrice: amount,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            dealerCode: fc.constantFrom(...dealerCodes),
            externalId: fc.constant(null).map(() => `FZ-RO-${nextSerial()}`),
            vin: fc.constantFrom(...vins),
            openedAt: fc.constant('2026-10-01T02:00:00Z'),
            lines: fc.array(line, { minLength: 1, maxLength: 3 }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        async (records) => {
          await ingestAndCheck(
            'repairOrdersIngest',
            records,
            [
              'dealerCode',
              'externalId',
              'vin',
              'customerId',
              'status',
              'mileageKm',
              'openedAt',
              'closedAt',
              'lines',
            ],
            () => rowCount(stack.dbs.service, serviceSchema.repairOrders),
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('arbitrary cursors on connections: a page or BAD_USER_INPUT naming `after`', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(anyText, fc.base64String({ maxLength: 60 })),
        fc.integer({ min: -5, max: 200 }),
        async (after, first) => {
          const answer = await graphql(
            'query ($first: Int, $after: String) { customers(first: $first, after: $after) { totalCount nodes { id } } }',
            { first, after },
          );
          expectClean(answer, { first, after });
          for (const error of answer.body.errors ?? []) expect(error.message).toMatch(/after|first/);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('arbitrary search filters: a page or a coded error, never a failed statement', async () => {
    const filter = fc.record(
      { phone: anyText, namePrefix: anyText, city: anyText, tag: anyText, dealerCode: anyText },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(filter, async (f) => {
        const answer = await graphql(
          'query ($f: CustomerFilter) { customers(filter: $f, first: 5) { totalCount nodes { id } } }',
          { f },
        );
        expectClean(answer, f);
      }),
      { numRuns: 60 },
    );
  });

  it('malformed bodies, wrong shapes and oversized variables: 4xx with a code, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.json().filter((j) => !j.startsWith('{')),
          fc.jsonValue().map((v) => JSON.stringify({ query: v })),
          fc.record({ query: anyText, variables: fc.jsonValue() }).map((b) => JSON.stringify(b)),
        ),
        async (body) => {
          const answer = await post(body);
          expectClean(answer, body);
          expect(answer.body.errors?.length ?? 0, body).toBeGreaterThan(0);
        },
      ),
      { numRuns: 120 },
    );
    // Just over the body cap (1 MB): refused before parsing.
    const big = await post(
      JSON.stringify({ query: '{ dealers { code } }', variables: { pad: 'x'.repeat(1_100_000) } }),
    );
    expect(big.status).toBe(413);
    expect(big.body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    // Under the cap but over the batch limit: one clear error naming the list.
    const many = Array.from({ length: 1_001 }, (_, i) => ({
      source: 'DMS',
      externalId: `FZ-BIG-${i}`,
      name: 'x',
    }));
    const batch = await graphql(
      'mutation ($input: CustomersIngestInput!) { customersIngest(input: $input) { results { index } } }',
      { input: { records: many } },
    );
    expectClean(batch, 'batch of 1001');
    expect(batch.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(batch.body.errors?.[0]?.message).toMatch(/records/);
  });

  it('deep and wide documents: answered or refused with a 4xx code, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 120 }),
        async (depth, width) => {
          const deep = `{ customers(first: 1) { nodes { ${'vehicles { currentOwner { '.repeat(depth)}id${' } }'.repeat(depth)} } } }`;
          const wide = `{ ${Array.from({ length: width }, (_, i) => `a${i}: dealers { code }`).join(' ')} }`;
          for (const query of [deep, wide]) {
            const a = await graphql(query);
            expectClean(a, { depth, width });
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
