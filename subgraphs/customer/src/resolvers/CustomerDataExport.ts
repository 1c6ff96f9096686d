import { requireDataSubjectRight } from '@cx/platform';
import type { Context } from '../context.ts';
import { customerExport, exportSubject } from '../privacy/export.ts';

export interface CustomerDataExportParent {
  customerId: string;
  mergedCustomerIds: string[];
  generatedAt: Date;
}

export const CustomerDataExport = {
  async __resolveReference(
    ref: { customerId: string },
    ctx: Context,
  ): Promise<CustomerDataExportParent | null> {
    requireDataSubjectRight(ctx.viewer, 'export');
    const subject = await exportSubject(ctx.db, ref.customerId);
    return subject && { ...subject, generatedAt: ctx.now() };
  },
  customerData(e: CustomerDataExportParent, _: unknown, ctx: Context) {
    requireDataSubjectRight(ctx.viewer, 'export');
    return customerExport(ctx.db, ctx.pii, [e.customerId, ...e.mergedCustomerIds]);
  },
};
