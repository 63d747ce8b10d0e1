import { randomUUID } from 'node:crypto';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import {
  DynamoDBClient,
  type DynamoDBClientConfig,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { loadConfig } from '../config';
import { DELAIS_DYNAMODB } from '../dynamodb/client';
import { logger } from '../observabilite';

type Requete = Request<APIGatewayProxyEvent, APIGatewayProxyResult>;

/** Set on a request that saved the in-progress record of its key, and so may release it. */
const DETIENT_LE_VERROU = 'ti.idempotence.detientLeVerrou';
const interne = (request: Requete) => request.internal as Record<string, unknown>;

/**
 * `Idempotency-Key` on mutating routes, with Powertools idempotency and its DynamoDB persistence:
 * the same key and body replay the first response and create nothing; the same key with another
 * body is refused (409). The key is scoped to the caller (form source or operator) and the path;
 * requests without the header are not deduplicated.
 *
 * Powertools' middleware (2.35.0) deletes the record in `onError` whatever failed, including its own
 * `before` refusing a duplicate: a request refused because the same key was in progress (409) deleted
 * the lock of the request still running, and the next duplicate ran the handler again (100 concurrent
 * submissions with one key created 5 candidatures; test/integration/concurrence.test.ts). Fixed
 * upstream after 2.35.0 (aws-powertools/powertools-lambda-typescript#5675, #5676); until a release
 * carries it, this wrapper lets only the request that acquired the record release it, and only while
 * its handler has not succeeded.
 *
 * And when the database fails under it (test/integration/pannes.test.ts): a record that cannot be
 * released no longer turns the answer into a Lambda error (502 from API Gateway) but leaves the
 * original failure answer (503 with Retry-After); a response that cannot be saved is still given
 * (the handler's effects are done: a 503 would invite a retry that, once the in-progress record
 * expires, does them twice). Either way the record stays "in progress" until its expiry (the
 * function's remaining time): a retry meanwhile gets 409 with Retry-After.
 */
export function idempotence(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const { tables } = loadConfig({ tables: ['idempotence'] });
  const powertools = makeHandlerIdempotent({
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: tables.idempotence,
      awsSdkV3Client: clientIdempotence(),
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

  return {
    before: async (request: Requete) => {
      interne(request)[DETIENT_LE_VERROU] = false;
      const rejeu = await powertools.before?.(request);
      // Reached without a throw: either a stored response is replayed (returned, the chain stops) or this
      // request saved the in-progress record (or carries no key, and `onError` has nothing to release).
      interne(request)[DETIENT_LE_VERROU] = rejeu === undefined;
      return rejeu;
    },
    after: async (request: Requete) => {
      interne(request)[DETIENT_LE_VERROU] = false;
      try {
        await powertools.after?.(request);
      } catch (error) {
        logger.warn('Idempotency record not completed: the response is given, a retry will get 409', {
          error: error as Error,
        });
      }
    },
    onError: async (request: Requete) => {
      if (interne(request)[DETIENT_LE_VERROU] !== true) return;
      try {
        await powertools.onError?.(request);
      } catch (error) {
        logger.warn('Idempotency record not released: a retry will get 409 until it expires', {
          error: error as Error,
        });
      }
    },
  };
}

/**
 * The DynamoDB client of the idempotency records. Powertools takes the lock with a conditional put
 * (absent, or expired); when the SDK retries that put because the first attempt's answer was lost
 * (connection reset, request timeout) although it was written, the retry found the lock taken (by
 * itself) and the request answered 409 "in progress" to its own client, the lock staying until it
 * expired (test/integration/pannes.test.ts). Each put now carries a token drawn once per call, before
 * the SDK's retries, and its condition also accepts the item that holds the same token.
 */
export function clientIdempotence(config: DynamoDBClientConfig = {}): DynamoDBClient {
  const client = new DynamoDBClient({ requestHandler: DELAIS_DYNAMODB, ...config });
  client.middlewareStack.add(
    (next, contexte) => async (args) => {
      const input = args.input as PutItemCommandInput;
      if (contexte.commandName === 'PutItemCommand' && input.ConditionExpression && input.Item) {
        const jeton = randomUUID();
        args.input = {
          ...input,
          Item: { ...input.Item, verrou: { S: jeton } },
          ConditionExpression: `(${input.ConditionExpression}) OR #tiVerrou = :tiVerrou`,
          ExpressionAttributeNames: { ...input.ExpressionAttributeNames, '#tiVerrou': 'verrou' },
          ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':tiVerrou': { S: jeton } },
        };
      }
      return next(args);
    },
    { step: 'initialize', name: 'verrouReconnuAuxRetries' },
  );
  return client;
}
