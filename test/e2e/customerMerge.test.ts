import { schema as customerSchema } from '@cx/customer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ingest,
  mergeHistory,
  mergeManually,
  nationalIdNo,
  phoneNo,
  type Snapshot,
  snapshot,
  unmerge,
} from '../../subgraphs/customer/test/operations.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

/** Merge and unmerge through the gateway: every id resolves to its survivor, and unmerge restores each person. */
describe('customer merges and unmerges round-trip through the gateway', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('customer_merge');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const create = async (record: Record<string, unknown>) => {
    const { results, userErrors } = await ingest(stack, [record]);
    expect(userErrors).toEqual([]);
    expect(results[0]!.outcome).toBe('CREATED');
    return results[0]!.customer.id;
  };
  const resolvesTo = async (id: string) => (await snapshot(stack, id)).id;
  const withoutId = ({ id: _id, ...rest }: Snapshot) => rest;

  it('a three-way merge (verified phone, national ID, same source record) undoes merge by merge', async () => {
    const a = await create({
      source: 'APP',
      externalId: 'app-zhang',
      name: 'Zhang San',
      phone: phoneNo(101),
      phoneVerified: true,
      city: 'Beijing',
      consents: [{ purpose: 'MARKETING_PUSH', granted: true }],
    });
    const b = await create({
      source: 'DMS',
      externalId: 'dms-zhang',
      name: 'Zhang San',
      nationalId: nationalIdNo(101),
      city: 'Baoding',
      consents: [{ purpose: 'MARKETING_SMS', granted: true }],
    });
    const c = await create({
      source: 'MINI_PROGRAM',
      externalId: 'mp-zhang',
      name: 'San Zhang',
      phone: phoneNo(102),
      phoneVerified: true,
      email: 'zhang.san@example.com',
    });
    const before = { a: await snapshot(stack, a), b: await snapshot(stack, b), c: await snapshot(stack, c) };

    // The mini-program record comes back with the verified phone of A and the ID number of B.
    const { results } = await ingest(stack, [
      {
        source: 'MINI_PROGRAM',
        externalId: 'mp-zhang',
        name: 'San Zhang',
        phone: phoneNo(101),
        phoneVerified: true,
        nationalId: nationalIdNo(101),
      },
    ]);
    expect(results[0]!.outcome).toBe('MERGED');
    expect(results[0]!.customer.id).toBe(a);
    expect(await resolvesTo(b)).toBe(a);
    expect(await resolvesTo(c)).toBe(a);
    const merged = await snapshot(stack, a);
    expect(merged.consents).toEqual(['MARKETING_PUSH:true', 'MARKETING_SMS:true']);
    expect(merged.identities).toEqual(expect.arrayContaining([...before.b.identities]));

    const history = await mergeHistory(stack, a);
    expect(history.map((m) => [m.merged.id, m.rule, m.status]).sort()).toEqual(
      [
        [b, 'NATIONAL_ID', 'ACTIVE'],
        [c, 'SOURCE_RECORD', 'ACTIVE'],
      ].sort(),
    );
    const fromB = history.find((m) => m.merged.id === b)!;
    expect(fromB.evidence.record).toEqual({ source: 'MINI_PROGRAM', externalId: 'mp-zhang' });
    expect(fromB.movedSourceRecords).toEqual([{ source: 'DMS', externalId: 'dms-zhang' }]);
    // A merged id's history is its survivor's.
    expect((await mergeHistory(stack, b)).map((m) => m.id).sort()).toEqual(history.map((m) => m.id).sort());

    const undoB = await unmerge(stack, fromB.id);
    expect(undoB.userErrors).toEqual([]);
    // The ledger names who undid it: the same verified caller that ingested.
    expect(undoB.merge).toMatchObject({ status: 'UNDONE', undoneBy: fromB.actor });
    expect(undoB.merge!.undoneAt).not.toBeNull();
    expect(await snapshot(stack, b)).toEqual(before.b);
    expect(await resolvesTo(c)).toBe(a);
    const again = await unmerge(stack, fromB.id);
    expect(again.userErrors.map((e) => [e.field, e.code])).toEqual([
      ['input.mergeId', 'MERGE_ALREADY_UNDONE'],
    ]);

    const fromC = history.find((m) => m.merged.id === c)!;
    expect((await unmerge(stack, fromC.id)).userErrors).toEqual([]);
    expect(await resolvesTo(c)).toBe(c);
    // C has its own record back, as the mini-program last sent it, and A is A again.
    const cAfter = await snapshot(stack, c);
    expect(cAfter.identities).toEqual(expect.arrayContaining(before.c.identities));
    expect(cAfter.displayName).toBe('San Zhang');
    const aAfter = await snapshot(stack, a);
    expect(withoutId(aAfter)).toEqual(withoutId(before.a));
    expect((await mergeHistory(stack, a)).every((m) => m.status === 'UNDONE')).toBe(true);
  });

  it('a merge chain (B into A, then A into C) undoes last first, and refuses the other order', async () => {
    const c = await create({
      source: 'CALL_CENTER',
      externalId: 'cc-li',
      name: 'Li Si',
      phone: phoneNo(201),
      phoneVerified: true,
      city: 'Tianjin',
    });
    const a = await create({
      source: 'APP',
      externalId: 'app-li',
      name: 'Li Si',
      phone: phoneNo(202),
      phoneVerified: true,
      city: 'Beijing',
    });
    const b = await create({
      source: 'DMS',
      externalId: 'dms-li',
      name: 'Li Si',
      nationalId: nationalIdNo(202),
      city: 'Shanghai',
    });
    const before = { a: await snapshot(stack, a), b: await snapshot(stack, b), c: await snapshot(stack, c) };

    // B's ID number turns up with A's phone: B merges into A (A is older).
    const first = await ingest(stack, [
      {
        source: 'WEBSITE',
        externalId: 'web-li-1',
        name: 'Li Si',
        phone: phoneNo(202),
        phoneVerified: true,
        nationalId: nationalIdNo(202),
      },
    ]);
    expect(first.results[0]).toMatchObject({ outcome: 'MERGED', customer: { id: a } });
    // Then A's tree turns out to be C (older): a steward merges it.
    const chain = await mergeManually(stack, {
      survivorId: c,
      mergedId: b,
      reason: 'same person per call recording',
    });
    expect(chain.userErrors).toEqual([]);
    expect(chain.merge).toMatchObject({ rule: 'MANUAL', survivor: { id: c }, merged: { id: a } });
    expect(chain.merge!.evidence.reason).toBe('same person per call recording');
    for (const id of [a, b, c]) expect(await resolvesTo(id)).toBe(c);
    const duplicate = await mergeManually(stack, { survivorId: a, mergedId: b, reason: 'again' });
    expect(duplicate.userErrors.map((e) => e.code)).toEqual(['ALREADY_MERGED']);

    const history = await mergeHistory(stack, c);
    expect(history.map((m) => [m.survivor.id, m.merged.id])).toEqual([
      [c, a],
      [a, b],
    ]);
    const [aIntoC, bIntoA] = history as [(typeof history)[0], (typeof history)[0]];
    const refused = await unmerge(stack, bIntoA.id);
    expect(refused.userErrors.map((e) => [e.field, e.code])).toEqual([
      ['input.mergeId', 'MERGE_HAS_DEPENDENTS'],
    ]);
    expect(await resolvesTo(b)).toBe(c);

    expect((await unmerge(stack, aIntoC.id)).userErrors).toEqual([]);
    expect(withoutId(await snapshot(stack, c))).toEqual(withoutId(before.c));
    expect(await resolvesTo(a)).toBe(a);
    expect(await resolvesTo(b)).toBe(a);

    expect((await unmerge(stack, bIntoA.id)).userErrors).toEqual([]);
    for (const id of [a, b, c]) expect(await resolvesTo(id)).toBe(id);
    expect(await snapshot(stack, b)).toEqual(before.b);
    expect(await snapshot(stack, c)).toEqual(before.c);
    // A keeps only what it had plus the website record that resolved to it.
    const aAfter = await snapshot(stack, a);
    expect(aAfter.identities).toEqual(expect.arrayContaining(before.a.identities));
    expect(
      aAfter.identities.filter((i) => !before.a.identities.includes(i)).map((i) => i.split(':')[1]),
    ).toEqual(expect.arrayContaining(['WEBSITE']));
    expect(aAfter.city).toBe('Beijing');
  });

  it('a manual merge of two customers undoes to exactly what they were', async () => {
    const a = await create({
      source: 'ECOMMERCE',
      externalId: 'ec-wang',
      name: 'Wang Wu',
      email: 'wang.wu@example.com',
      city: 'Chengdu',
      consents: [{ purpose: 'MARKETING_SMS', granted: false }],
    });
    const b = await create({
      source: 'MEDIA_PLATFORM',
      externalId: 'mp-wang',
      name: 'Wu Wang',
      phone: phoneNo(301),
      city: 'Chongqing',
      consents: [{ purpose: 'MARKETING_SMS', granted: true }],
    });
    const before = { a: await snapshot(stack, a), b: await snapshot(stack, b) };
    const { merge } = await mergeManually(stack, { survivorId: a, mergedId: b, reason: 'steward review 42' });
    expect(await resolvesTo(b)).toBe(a);
    expect((await snapshot(stack, a)).identities).toEqual(
      [...before.a.identities, ...before.b.identities].sort(),
    );
    expect((await unmerge(stack, merge!.id)).userErrors).toEqual([]);
    expect(await snapshot(stack, a)).toEqual(before.a);
    expect(await snapshot(stack, b)).toEqual(before.b);
  });

  it('tells other subgraphs about every merge and unmerge through the outbox, in the same transaction', async () => {
    const events = await stack.dbs.customer
      .select()
      .from(customerSchema.outbox)
      .orderBy(customerSchema.outbox.id);
    const ledger = await stack.dbs.customer.select().from(customerSchema.mergeRecords);
    const payloads = (topic: string) =>
      events.filter((e) => e.topic === topic).map((e) => e.payload as Record<string, string>);
    expect(
      payloads('customer.merged')
        .map((p) => [p.mergeId, p.survivorId, p.mergedId])
        .sort(),
    ).toEqual(ledger.map((m) => [m.id, m.survivorId, m.mergedId]).sort());
    expect(
      payloads('customer.unmerged')
        .map((p) => [p.mergeId, p.restoredId])
        .sort(),
    ).toEqual(
      ledger
        .filter((m) => m.undoneAt)
        .map((m) => [m.id, m.mergedId])
        .sort(),
    );
  });

  it('rejects malformed ids naming the field, and unknown ones in userErrors', async () => {
    const bad = await stack.graphql(
      `mutation { customerUnmerge(input: { mergeId: "nope" }) { userErrors { code } } }`,
    );
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.mergeId' });
    const unknown = await unmerge(stack, '00000000-0000-4000-8000-00000000abcd');
    expect(unknown.userErrors.map((e) => e.code)).toEqual(['MERGE_NOT_FOUND']);
  });
});
