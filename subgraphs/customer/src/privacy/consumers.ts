import { type EventConsumer, payloadOf } from '@cx/platform';
import { completeErasureStep } from './repositories.ts';

/** Marks each subgraph's part of an erasure done when its 'customer.erasure_completed' arrives. */
export const erasureProgressConsumer: EventConsumer = {
  name: 'erasure-progress',
  topics: ['customer.erasure_completed'],
  async handle(event, { db }) {
    const done = payloadOf('customer.erasure_completed', event);
    if (!done) return;
    await completeErasureStep(db, done.erasureId, done.subgraph, new Date(done.at));
  },
};
