import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { ApolloGateway, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { INTERNAL_AUTH_HEADER } from '@cx/platform/auth';
import { loadEnv, type SubgraphName, subgraphUrlFor } from '@cx/platform/env';
import { readBody, requestUrl, sendGraphQLError, toHeaderMap, writeGraphQLResponse } from '@cx/platform/http';
import { Pool } from 'undici';
import { supergraphFile } from '../paths.ts';
import { baselineInternalAuth } from './internalAuth.ts';

/**
 * A prototype, not a product: this gateway's setup with the two changes the profile points at,
 * so their effect is measured rather than guessed. (1) A data source that calls undici's Pool
 * directly and parses the body once, skipping RemoteGraphQLDataSource's node-fetch Headers and
 * Request objects and the fetcher's Response wrapper. (2) Apollo's cache-control plugin off (the
 * gateway sends no cache headers).
 */
const env = loadEnv();

interface LeanContext {
  requestId: string;
}

class UndiciDataSource implements GraphQLDataSource<LeanContext> {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(url: string) {
    const target = new URL(url);
    this.pool = new Pool(target.origin, { keepAliveTimeout: 30_000 });
    this.path = target.pathname;
  }

  async process(options: GraphQLDataSourceProcessOptions<LeanContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    const requestId: unknown = options.context.requestId;
    const res = await this.pool.request({
      path: this.path,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [INTERNAL_AUTH_HEADER]: baselineInternalAuth(env.INTERNAL_AUTH_SECRET),
        ...(typeof requestId === 'string' ? { 'x-request-id': requestId } : {}),
      },
      body: JSON.stringify({
        query: request.query,
        variables: request.variables,
        operationName: request.operationName,
        extensions: request.extensions,
      }),
    });
    if (res.statusCode >= 300)
      throw new Error(`subgraph answered ${res.statusCode}: ${await res.body.text()}`);
    return (await res.body.json()) as GatewayGraphQLResponse;
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphFile, 'utf8'),
  buildService: ({ name }) => new UndiciDataSource(subgraphUrlFor(env, name as SubgraphName)),
});
const apollo = new ApolloServer<LeanContext>({
  gateway,
  stopOnTerminationSignals: false,
  plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled()],
});
await apollo.start();

const server = createServer(async (req, res) => {
  const requestId = randomUUID();
  try {
    const url = requestUrl(req);
    const raw = req.method === 'POST' ? await readBody(req, env.MAX_BODY_BYTES) : '';
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return sendGraphQLError(res, 400, 'BAD_REQUEST', 'body: is not valid JSON');
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: req.method ?? 'GET',
        headers: toHeaderMap(req),
        search: url.search,
        body,
      },
      context: async () => ({ requestId }),
    });
    await writeGraphQLResponse(res, response);
  } catch {
    if (!res.headersSent) sendGraphQLError(res, 500, 'INTERNAL_SERVER_ERROR', 'internal server error');
    else res.end();
  }
});
server.keepAliveTimeout = 65_000;
server.listen(env.GATEWAY_PORT, env.HOST);

const stop = () => {
  server.close();
  apollo.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
