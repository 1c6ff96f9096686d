import {
  IngestRepairOrdersDocument,
  type RepairLineKind,
  type RepairOrderRecordInput,
  type RepairOrderStatus,
} from '@cx/web';
import type { EntitySpec } from './entity.ts';

// Records, not lists: a value added to the schema fails the typecheck here until it is mapped.
const statuses: Record<RepairOrderStatus, true> = {
  OPEN: true,
  DISPATCHED: true,
  IN_REPAIR: true,
  QUALITY_CHECK: true,
  SETTLED: true,
  DELIVERED: true,
  CANCELLED: true,
};
const lineKinds: Record<RepairLineKind, true> = { LABOR: true, PART: true };

/** Repair orders: idempotent by (dealerCode, externalId); lines are replaced as a whole. */
export const repairOrders: EntitySpec<RepairOrderRecordInput> = {
  name: 'repairOrders',
  requiredColumns: ['externalId', 'vin', 'openedAt'],
  parse(r, context) {
    const dealerCode = r.text('dealerCode') ?? context.defaultDealer;
    if (!dealerCode) r.fail('dealerCode', 'REQUIRED', 'must not be empty (or pass --dealer)');
    const externalId = r.text('externalId', true);
    const vin = r.text('vin', true)?.toUpperCase();
    const customerExternalId = r.text('customerExternalId');
    const customerId = r.text('customerId');
    const status = r.oneOf('status', statuses);
    const mileageKm = r.int('mileageKm');
    const openedAt = r.dateTime('openedAt', true);
    const closedAt = r.dateTime('closedAt');
    const lines = r.list('lines', ['kind', 'description', 'quantity', 'unitPrice'], '|')?.map((l) => ({
      kind: l.oneOf('kind', lineKinds, true)!,
      description: l.text('description', true)!,
      quantity: l.number('quantity', true)!,
      unitPrice: l.text('unitPrice', true)!,
    }));
    if (r.issues.length > 0) return undefined;
    return {
      input: {
        dealerCode: dealerCode!,
        externalId: externalId!,
        vin: vin!,
        customerId,
        status,
        mileageKm,
        openedAt: openedAt!,
        closedAt,
        lines,
      },
      key: { field: 'externalId', value: `${dealerCode!.toUpperCase()} ${externalId}` },
      customerRef: customerExternalId
        ? { field: 'customerExternalId', externalId: customerExternalId }
        : undefined,
    };
  },
  withCustomer: (input, customerId) => ({ ...input, customerId }),
  async send(client, records) {
    return (await client.request(IngestRepairOrdersDocument, { input: { records } })).repairOrdersIngest;
  },
};
