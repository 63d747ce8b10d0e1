import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { loadConfig } from '../config';
import { dynamoClient } from '../dynamodb/client';

/**
 * `Idempotency-Key` on mutating routes, with Powertools idempotency and its DynamoDB persistence:
 * the same key and body replay the first response and create nothing; the same key with another
 * body is refused (409). The key is scoped to the caller (form source or operator) and the path;
 * requests without the header are not deduplicated.
 */
export function idempotence(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const { tables } = loadConfig({ tables: ['idempotence'] });
  return makeHandlerIdempotent({
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: tables.idempotence,
      awsSdkV3Client: dynamoClient(),
    }),
    config: new IdempotencyConfig({
      // Headers are lower-cased by the header normaliser, which runs before.
      eventKeyJmesPath:
        'headers."idempotency-key" && [headers."idempotency-key", headers."x-source", requestContext.authorizer.claims.sub, path]',
      payloadValidationJmesPath: 'body',
      expiresAfterSeconds: 24 * 3600,
      responseHook: (response) => {
        const r = response as unknown as APIGatewayProxyResult;
        return { ...r, headers: { ...r.headers, 'Idempotent-Replayed': 'true' } } as never;
      },
    }),
  }) as MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;
}
