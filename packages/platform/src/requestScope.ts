import { AsyncLocalStorage } from 'node:async_hooks';

/** Marks work done on behalf of a GraphQL request, as opposed to background jobs (relays, timers). */
export const requestScope = new AsyncLocalStorage<{ requestId: string }>();
