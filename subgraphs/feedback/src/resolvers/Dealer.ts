import type { Context } from '../context.ts';
import { npsScore } from '../scores/nps.ts';

export const Dealer = {
  __resolveReference(ref: { code: string }) {
    return { code: ref.code };
  },
  async nps(d: { code: string }, args: { from?: Date | null; to?: Date | null }, ctx: Context) {
    return npsScore(
      await ctx.loaders.npsCounts(d.code, { from: args.from ?? undefined, to: args.to ?? undefined }),
    );
  },
};
