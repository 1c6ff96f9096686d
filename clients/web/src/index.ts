export * from './client.ts';
export * from './cliSupport.ts';
export * from './customer360.ts';
export * from './env.ts';
export * from './format360.ts';
export * from './generated/graphql.ts';
export * from './retry.ts';
