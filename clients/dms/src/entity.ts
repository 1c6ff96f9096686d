import type { GraphQLClient } from '@cx/web';
import type { RowReader } from './fields.ts';

export type EntityName = 'customers' | 'vehicles' | 'repairOrders';

/** A row mapped to its mutation input, before customer references are resolved. */
export interface ParsedRecord<I> {
  input: I;
  /** Two rows with the same key are the same record: the later one is refused as a duplicate. */
  key: { field: string; value: string };
  /** A customer referenced by its DMS externalId, resolved from this run's customersIngest results. */
  customerRef?: { field: string; externalId: string };
}

export interface IngestOutcome {
  index: number;
  outcome: string;
  externalId?: string;
  customer?: { id: string };
}

export interface IngestPayload {
  results: IngestOutcome[];
  userErrors: { index: number; field: string; code: string; message: string }[];
}

export interface ParseContext {
  /** Fills a missing dealerCode (`--dealer`). */
  defaultDealer?: string;
}

/** How one kind of record is read, linked to customers and sent. */
export interface EntitySpec<I> {
  name: EntityName;
  /** A CSV header without one of these is refused before anything is sent. */
  requiredColumns: string[];
  parse(reader: RowReader, context: ParseContext): ParsedRecord<I> | undefined;
  withCustomer(input: I, customerId: string): I;
  send(client: GraphQLClient, records: I[]): Promise<IngestPayload>;
}
