import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '../observabilite';
import { correlationDeLaRequete, correlationValide } from './correlation';

/** The correlation id of the log entries being written (undefined outside an invocation). */
export function correlationCourante(): string | undefined {
  return correlationValide(logger.getCorrelationId());
}

/**
 * Sets the correlation id of the invocation's log entries (`correlation_id`), after
 * `injectLambdaContext`'s `before`; its `resetKeys` clears it at the end of the invocation.
 */
export function definirCorrelation(id: string | undefined): void {
  if (id) logger.setCorrelationId(id);
}

/** The route chain's middleware: the request's correlation id on every log entry of the invocation. */
export function correlationHttp(): MiddlewareObj<
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Error,
  Context
> {
  return {
    before: (request) => {
      definirCorrelation(correlationDeLaRequete(request.event, request.context));
    },
  };
}
