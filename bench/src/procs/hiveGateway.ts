import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { INTERNAL_AUTH_HEADER } from '@cx/platform/auth';
import { loadEnv, subgraphNames, subgraphUrlFor } from '@cx/platform/env';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import * as httpTransport from '@graphql-mesh/transport-http';
import { supergraphFile } from '../paths.ts';
import { baselineInternalAuth } from './internalAuth.ts';

/**
 * Baseline (c): Hive Gateway's runtime over the same supergraph and subgraphs, on node:http.
 * In-flight deduplication is off both ways (inbound requests and upstream subgraph calls), so
 * each of the bench's requests costs a full federated execution, as it does in the others.
 */
const env = loadEnv();

const runtime = createGatewayRuntime({
  supergraph: readFileSync(supergraphFile, 'utf8'),
  transports: { http: httpTransport },
  transportEntries: Object.fromEntries(
    subgraphNames.map((name) => [
      name,
      { location: subgraphUrlFor(env, name), options: { deduplicateInflightRequests: false } },
    ]),
  ),
  inboundInflightRequestDeduplication: false,
  graphqlEndpoint: '/graphql',
  landingPage: false,
  graphiql: false,
  logging: 'error',
  plugins: () => [
    {
      onFetch({ options, setOptions }) {
        const headers = new Headers(options.headers as HeadersInit | undefined);
        headers.set(INTERNAL_AUTH_HEADER, baselineInternalAuth(env.INTERNAL_AUTH_SECRET));
        setOptions({ ...options, headers: Object.fromEntries(headers) });
      },
    },
  ],
});

const server = createServer(runtime);
server.listen(env.GATEWAY_PORT, env.HOST, () => {
  process.send?.({ kind: 'bench:listening', url: `http://${env.HOST}:${env.GATEWAY_PORT}/graphql` });
});

const stop = () => {
  server.close();
  Promise.resolve(runtime.dispose()).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
