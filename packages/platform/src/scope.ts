import { eq, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { GraphQLError } from 'graphql';
import { dealerScopeOf, type Viewer } from './auth.ts';

/**
 * Row scope, enforced inside each subgraph: HQ roles see everything, dealer roles their own
 * dealer's rows, a sales consultant only the leads assigned to them. A null viewer is an
 * in-process caller without the gateway (unit tests, seeding) and is not restricted.
 */
export function forbidden(entity: string, id: string): GraphQLError {
  return new GraphQLError(`${entity} ${id} is outside your data scope`, {
    extensions: { code: 'FORBIDDEN', entity, id },
  });
}

/** The dealer a viewer is limited to, or null when unrestricted. */
export function dealerOf(viewer: Viewer | null): string | null {
  return viewer ? dealerScopeOf(viewer) : null;
}

/** A SQL condition limiting rows to the viewer's dealer (undefined: no restriction). */
export function dealerCondition(viewer: Viewer | null, column: PgColumn): SQL | undefined {
  const dealer = dealerOf(viewer);
  return dealer === null ? undefined : eq(column, dealer);
}

export function isVisibleToDealer(viewer: Viewer | null, dealerCode: string | null | undefined): boolean {
  const dealer = dealerOf(viewer);
  return dealer === null || dealerCode === dealer;
}

/** Direct lookups out of scope fail with FORBIDDEN on their path; lists drop such rows instead. */
export function assertDealerVisible<T>(
  viewer: Viewer | null,
  row: T,
  dealerCode: string | null | undefined,
  entity: string,
  id: string,
): T {
  if (!isVisibleToDealer(viewer, dealerCode)) throw forbidden(entity, id);
  return row;
}

export function holdsPiiScope(viewer: Viewer | null): boolean {
  return viewer?.scopes.includes('pii:read') ?? false;
}
