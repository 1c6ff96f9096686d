import { schema as serviceSchema } from '@cx/service';
import type { TestStack } from './testStack.ts';

/** A seeded customer whose 360 view touches every subgraph (the seed gives complainants vehicles, leads and surveys). */
export async function richCustomerId(stack: TestStack): Promise<string> {
  const [row] = await stack.dbs.service
    .select({ customerId: serviceSchema.complaints.customerId })
    .from(serviceSchema.complaints)
    .orderBy(serviceSchema.complaints.customerId)
    .limit(1);
  if (!row) throw new Error('the seeded dataset has no complaint: seed more customers');
  return row.customerId;
}
