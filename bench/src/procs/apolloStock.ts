import { readFileSync } from 'node:fs';
import {
  ApolloGateway,
  type GraphQLDataSourceProcessOptions,
  RemoteGraphQLDataSource,
} from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { INTERNAL_AUTH_HEADER } from '@cx/platform/auth';
import { loadEnv, type SubgraphName, subgraphUrlFor } from '@cx/platform/env';
import { supergraphFile } from '../paths.ts';
import { baselineInternalAuth } from './internalAuth.ts';

/**
 * Baseline (b): stock @apollo/gateway with its default make-fetch-happen fetcher, served by
 * Apollo's own startStandaloneServer. Only the subgraph URLs and the internal auth header are
 * configured, as anyone deploying it would.
 */
const env = loadEnv();

class SignedDataSource extends RemoteGraphQLDataSource {
  override willSendRequest(options: GraphQLDataSourceProcessOptions): void {
    options.request.http?.headers.set(INTERNAL_AUTH_HEADER, baselineInternalAuth(env.INTERNAL_AUTH_SECRET));
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphFile, 'utf8'),
  buildService: ({ name }) => new SignedDataSource({ url: subgraphUrlFor(env, name as SubgraphName) }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { host: env.HOST, port: env.GATEWAY_PORT } });
process.send?.({ kind: 'bench:listening', url });

const stop = () => {
  server.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
