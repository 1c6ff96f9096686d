/** Entity references other subgraphs resolve; a missing code means no reference. */
export const customerRef = (row: { customerId: string }) => ({ id: row.customerId });
export const dealerRef = (row: { dealerCode: string | null }) =>
  row.dealerCode ? { code: row.dealerCode } : null;
