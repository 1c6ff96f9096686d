export * from './inbox.ts';
export * from './inProcessBus.ts';
export * from './outbox.ts';
export * from './relay.ts';
export * from './topics.ts';
export * from './types.ts';
