import type { GraphQLClient } from './client.ts';
import { UsageError } from './cliSupport.ts';
import { formatCustomer360 } from './format360.ts';
import {
  Customer360Document,
  type Customer360Query,
  CustomerIdsByPhoneDocument,
  VehicleOwnerDocument,
} from './generated/graphql.ts';

export type Customer360 = NonNullable<Customer360Query['customer']>;

/** What the CLI was given: a customer id, a mobile number or a VIN. */
export type CustomerKey = { kind: 'id' | 'phone' | 'vin'; value: string };

/** Not found, ambiguous or unreadable: a message meant for the person at the terminal. */
export class CustomerLookupError extends Error {
  override name = 'CustomerLookupError';
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The shape only; the gateway checks the check digit and names what is wrong.
const vinShape = /^[A-HJ-NPR-Z0-9]{17}$/i;
const phoneShape = /^(\+|00)?[\d\s-]{11,}$/;

export function parseCustomerKey(input: string): CustomerKey {
  const value = input.trim();
  if (uuid.test(value)) return { kind: 'id', value: value.toLowerCase() };
  if (vinShape.test(value)) return { kind: 'vin', value: value.toUpperCase() };
  if (phoneShape.test(value)) return { kind: 'phone', value };
  throw new UsageError(`'${input}' is neither a customer id (UUID), a mobile number nor a 17-character VIN`);
}

/** A phone goes through the customer search, a VIN through the vehicle's current owner. */
export async function resolveCustomerId(client: GraphQLClient, key: CustomerKey): Promise<string> {
  if (key.kind === 'id') return key.value;
  if (key.kind === 'vin') {
    const { vehicle } = await client.request(VehicleOwnerDocument, { vin: key.value });
    if (!vehicle) throw new CustomerLookupError(`no vehicle with VIN ${key.value}`);
    if (!vehicle.currentOwner) throw new CustomerLookupError(`vehicle ${vehicle.vin} has no current owner`);
    return vehicle.currentOwner.id;
  }
  const { customers } = await client.request(CustomerIdsByPhoneDocument, { phone: key.value });
  if (customers.totalCount === 0) throw new CustomerLookupError(`no customer with phone ${key.value}`);
  if (customers.totalCount > 1) {
    const ids = customers.nodes.map((c) => `${c.id} (${c.displayName})`).join(', ');
    throw new CustomerLookupError(
      `phone ${key.value} belongs to ${customers.totalCount} customers: ${ids}; pass an id instead`,
    );
  }
  return customers.nodes[0]!.id;
}

export async function fetchCustomer360(client: GraphQLClient, input: string): Promise<Customer360> {
  const id = await resolveCustomerId(client, parseCustomerKey(input));
  const { customer } = await client.request(Customer360Document, { id });
  if (!customer) throw new CustomerLookupError(`no customer with id ${id}`);
  return customer;
}

/** What `npm run customer360 -- <id|phone|vin>` prints. */
export async function customer360Summary(client: GraphQLClient, input: string): Promise<string> {
  return formatCustomer360(await fetchCustomer360(client, input));
}
