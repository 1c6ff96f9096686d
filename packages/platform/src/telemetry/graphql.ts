import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { Logger } from 'pino';
import { type Metrics, OperationLabels, outcomeSeries } from './metrics.ts';
import { activeSpan } from './tracing.ts';

/**
 * Request rate, errors and latency per operation name (gateway and subgraphs alike), the operation
 * on the active server span, and a debug line per request. Series are cached per operation label,
 * so a request costs two timestamps and two increments.
 */
export function graphqlTelemetryPlugin<TContext extends BaseContext>(
  metrics: Metrics,
  logger: Logger,
  /** The gateway has no request scope to read the id from (see README: Running in production). */
  requestIdOf?: (context: TContext) => string | undefined,
): ApolloServerPlugin<TContext> {
  const seriesFor = outcomeSeries(
    metrics,
    'operation',
    { name: 'cx_graphql_requests_total', help: 'GraphQL operations served.' },
    { name: 'cx_graphql_request_duration_seconds', help: 'GraphQL operation latency.' },
  );
  const labels = new OperationLabels();

  const finish = (ctx: GraphQLRequestContextWillSendResponse<TContext>, started: number) => {
    const seconds = (performance.now() - started) / 1000;
    const name = ctx.operationName ?? ctx.request.operationName;
    const operation = labels.label(name);
    const body = ctx.response.body;
    const failed = body.kind === 'single' ? (body.singleResult.errors?.length ?? 0) > 0 : false;
    const s = seriesFor(operation);
    s.duration.observe(seconds);
    (failed ? s.error : s.ok).inc();
    if (logger.isLevelEnabled('debug'))
      logger.debug(
        {
          // Only where given: an undefined key would override the logger mixin's request id.
          ...(requestIdOf ? { requestId: requestIdOf(ctx.contextValue) } : {}),
          operation: name ?? null,
          ms: Math.round(seconds * 10_000) / 10,
          outcome: failed ? 'error' : 'ok',
        },
        'graphql request',
      );
  };

  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async didResolveOperation(ctx) {
          const span = activeSpan();
          if (span && ctx.operationName) span.setAttribute('graphql.operation.name', ctx.operationName);
          if (span && ctx.operation) span.setAttribute('graphql.operation.type', ctx.operation.operation);
        },
        async willSendResponse(ctx) {
          finish(ctx, started);
        },
      };
    },
  };
}
