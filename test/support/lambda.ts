/** What a Lambda handler is called with, built by the tests that call one directly. */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/** A context with what the handlers read: the function's name, the request id, the time left. */
export const contexteLambda = (overrides: Partial<Context> = {}): Context =>
  ({
    functionName: 'test',
    awsRequestId: 'req-1',
    getRemainingTimeInMillis: () => 10_000,
    ...overrides,
  }) as unknown as Context;

/**
 * An API Gateway (REST, proxy) event: `POST /`, no header, query or body unless given; `resource` is the
 * path; `requestContext` holds `requestId: 'req-1'` and what is given (an authorizer's claims, …).
 */
export function evenementApi(
  overrides: Omit<Partial<APIGatewayProxyEvent>, 'requestContext'> & {
    requestContext?: Record<string, unknown>;
  } = {},
): APIGatewayProxyEvent {
  const { requestContext, ...champs } = overrides;
  return {
    httpMethod: 'POST',
    path: '/',
    resource: overrides.path ?? '/',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    ...champs,
    requestContext: {
      requestId: 'req-1',
      ...requestContext,
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}
