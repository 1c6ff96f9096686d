import { nationalIdCheckChar } from '@cx/platform/domain/nationalId';

/** GraphQL documents and helpers shared by the subgraph tests and the gateway (e2e) tests. */
export interface GraphQLClient {
  graphql<T>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
}

async function run<T>(client: GraphQLClient, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await client.graphql<T>(query, variables);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!;
}

export interface UserErrorData {
  field: string;
  code: string;
  message: string;
}
export interface IngestErrorData extends UserErrorData {
  index: number;
}

export interface IngestResult {
  results: { index: number; externalId: string; outcome: string; customer: { id: string } }[];
  userErrors: IngestErrorData[];
}

export async function ingest(
  client: GraphQLClient,
  records: Record<string, unknown>[],
): Promise<IngestResult> {
  const data = await run<{ customersIngest: IngestResult }>(
    client,
    `mutation ($input: CustomersIngestInput!) {
      customersIngest(input: $input) {
        results { index externalId outcome customer { id } }
        userErrors { index field code message }
      }
    }`,
    { input: { records } },
  );
  return data.customersIngest;
}

export interface MergeData {
  id: string;
  rule: string;
  status: string;
  actor: string;
  undoneBy: string | null;
  undoneAt: string | null;
  survivor: { id: string };
  merged: { id: string };
  evidence: {
    matchedKeys: string[];
    reason: string | null;
    record: { source: string; externalId: string } | null;
  };
  movedSourceRecords: { source: string; externalId: string }[];
}

const mergeFields = `id rule status actor undoneBy undoneAt survivor { id } merged { id }
  evidence { matchedKeys reason record { source externalId } } movedSourceRecords { source externalId }`;

export async function unmerge(client: GraphQLClient, mergeId: string) {
  const data = await run<{ customerUnmerge: { merge: MergeData | null; userErrors: UserErrorData[] } }>(
    client,
    `mutation ($input: CustomerUnmergeInput!) {
      customerUnmerge(input: $input) { merge { ${mergeFields} } userErrors { field code message } }
    }`,
    { input: { mergeId } },
  );
  return data.customerUnmerge;
}

export async function mergeManually(
  client: GraphQLClient,
  input: { survivorId: string; mergedId: string; reason: string },
) {
  const data = await run<{ customerMerge: { merge: MergeData | null; userErrors: UserErrorData[] } }>(
    client,
    `mutation ($input: CustomerMergeInput!) {
      customerMerge(input: $input) { merge { ${mergeFields} } userErrors { field code message } }
    }`,
    { input },
  );
  return data.customerMerge;
}

export async function mergeHistory(client: GraphQLClient, id: string): Promise<MergeData[]> {
  const data = await run<{ customer: { mergeHistory: { totalCount: number; nodes: MergeData[] } } }>(
    client,
    `query ($id: ID!) { customer(id: $id) { mergeHistory(first: 50) { totalCount nodes { ${mergeFields} } } } }`,
    { id },
  );
  return data.customer.mergeHistory.nodes;
}

/** Everything the customer subgraph says about a person, in a stable order for comparisons. */
export interface Snapshot {
  id: string;
  displayName: string;
  phone: string | null;
  email: string | null;
  nationalId: string | null;
  gender: string | null;
  city: string | null;
  province: string | null;
  identities: string[];
  tags: string[];
  consents: string[];
}

export async function snapshot(client: GraphQLClient, id: string): Promise<Snapshot> {
  const data = await run<{
    customer: Omit<Snapshot, 'identities' | 'tags' | 'consents'> & {
      identities: { kind: string; value: string; source: string; verified: boolean }[];
      tags: { key: string; kind: string }[];
      consents: { purpose: string; granted: boolean }[];
    };
  }>(
    client,
    `query ($id: ID!) {
      customer(id: $id) {
        id displayName phone email nationalId gender city province
        identities { kind value source verified }
        tags { key kind }
        consents { purpose granted }
      }
    }`,
    { id },
  );
  const c = data.customer;
  return {
    ...c,
    identities: c.identities.map((i) => `${i.kind}:${i.source}:${i.value}:${i.verified}`).sort(),
    tags: c.tags.map((t) => `${t.kind}:${t.key}`).sort(),
    consents: c.consents.map((x) => `${x.purpose}:${x.granted}`).sort(),
  };
}

/** A valid mainland mobile number, distinct per serial. */
export const phoneNo = (serial: number) => `139${String(serial).padStart(8, '0')}`;

/** A valid resident ID number, distinct per serial: 1,000 sequence numbers per birth date from 1960-01-01. */
export function nationalIdNo(serial: number): string {
  const birth = new Date(Date.UTC(1960, 0, 1) + Math.floor(serial / 1000) * 86_400_000);
  const first17 = `110105${birth.toISOString().slice(0, 10).replaceAll('-', '')}${String(serial % 1000).padStart(3, '0')}`;
  return `${first17}${nationalIdCheckChar(first17)}`;
}
