import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { enLots, enParallele } from '@ti/domain/commun/parallele';

type Requete = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/** BatchWriteItem takes 25 requests; BatchGetItem 100 keys. */
const LOT_ECRITURE = 25;
const LOT_LECTURE = 100;
const EN_VOL = 8;
const ESSAIS = 8;

const attendre = (essai: number) => new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** essai)));

/**
 * Puts and deletes in batches of 25, several in flight (`enVol`, default 8), retrying what DynamoDB
 * left unprocessed with exponential backoff.
 */
export async function ecrireParLots(
  db: DynamoDBDocumentClient,
  table: string,
  requetes: Requete[],
  options: { enVol?: number } = {},
): Promise<void> {
  await enParallele(enLots(requetes, LOT_ECRITURE), options.enVol ?? EN_VOL, async (lot) => {
    let restantes: Requete[] = lot;
    for (let essai = 0; restantes.length > 0; essai++) {
      if (essai === ESSAIS)
        throw new Error(`BatchWrite on ${table}: ${restantes.length} requests left unprocessed`);
      if (essai > 0) await attendre(essai);
      const { UnprocessedItems } = await db.send(
        new BatchWriteCommand({ RequestItems: { [table]: restantes } }),
      );
      restantes = (UnprocessedItems?.[table] ?? []) as Requete[];
    }
  });
}

/** Gets items by key in batches of 100 (only the `projection` attributes when given), retrying what DynamoDB left unprocessed. */
export async function lireParLots(
  db: DynamoDBDocumentClient,
  table: string,
  cles: Record<string, string>[],
  options: { enVol?: number; projection?: readonly string[] } = {},
): Promise<Record<string, unknown>[]> {
  const projection = options.projection
    ? {
        ProjectionExpression: options.projection.map((_, i) => `#p${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(options.projection.map((a, i) => [`#p${i}`, a])),
      }
    : {};
  const lus = await enParallele(enLots(cles, LOT_LECTURE), options.enVol ?? EN_VOL, async (lot) => {
    const items: Record<string, unknown>[] = [];
    let restantes: Record<string, unknown>[] = lot;
    for (let essai = 0; restantes.length > 0; essai++) {
      if (essai === ESSAIS)
        throw new Error(`BatchGet on ${table}: ${restantes.length} keys left unprocessed`);
      if (essai > 0) await attendre(essai);
      const { Responses, UnprocessedKeys } = await db.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: restantes, ...projection } } }),
      );
      items.push(...(Responses?.[table] ?? []));
      restantes = UnprocessedKeys?.[table]?.Keys ?? [];
    }
    return items;
  });
  return lus.flat();
}
