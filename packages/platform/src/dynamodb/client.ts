import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requeteInvalide } from '@ti/domain/commun/erreurs';

let client: DynamoDBClient | undefined;
let document: DynamoDBDocumentClient | undefined;

/**
 * Connecting is bounded (1 s): without it a connection to an unreachable host waits for the system's TCP
 * timeout (minutes), beyond the function's. An answer that never comes is the API functions' concern
 * (`avantLeDelai` in ../http/route.ts answers 503 before their timeout); a per-request timeout here would
 * also cut the ingestion's batch writes, legitimately slow on DynamoDB Local under load.
 */
export const DELAIS_DYNAMODB = { connectionTimeout: 1_000 };

/** The client, created once per process (endpoint from `AWS_ENDPOINT_URL_DYNAMODB` locally). */
export function dynamoClient(): DynamoDBClient {
  client ??= new DynamoDBClient({ requestHandler: DELAIS_DYNAMODB });
  return client;
}

export function documentClient(): DynamoDBDocumentClient {
  document ??= DynamoDBDocumentClient.from(dynamoClient(), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return document;
}

/** Opaque pagination cursor ⇄ DynamoDB's LastEvaluatedKey. */
export const curseur = {
  encoder: (cle: Record<string, unknown> | undefined): string | null =>
    cle ? Buffer.from(JSON.stringify(cle)).toString('base64url') : null,
  /** Decodes a cursor that must hold exactly these string attributes (a forged one is refused). */
  decoder: (valeur: string | undefined, attributs: readonly string[]): Record<string, string> | undefined => {
    if (!valeur) return undefined;
    let cle: unknown;
    try {
      cle = JSON.parse(Buffer.from(valeur, 'base64url').toString('utf8'));
    } catch {
      cle = undefined;
    }
    const valide =
      typeof cle === 'object' &&
      cle !== null &&
      Object.keys(cle).length === attributs.length &&
      attributs.every((a) => typeof (cle as Record<string, unknown>)[a] === 'string');
    if (!valide) {
      throw requeteInvalide('Curseur de pagination invalide', [
        { path: 'cursor', message: 'Curseur inconnu ou altéré' },
      ]);
    }
    return cle as Record<string, string>;
  },
};

/** Whether a DynamoDB write failed on its condition (alone, or inside a transaction). */
export function conditionEchouee(error: unknown): boolean {
  const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (e?.name === 'ConditionalCheckFailedException') return true;
  return (
    e?.name === 'TransactionCanceledException' &&
    (e.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')
  );
}
