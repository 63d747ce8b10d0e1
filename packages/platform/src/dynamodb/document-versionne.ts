import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { conditionEchouee, documentClient } from './client';

export const COURANT = 'courant';
export const versionSk = (v: number) => `version#${String(v).padStart(6, '0')}`;

type Item = Record<string, unknown>;

/**
 * A document kept as one current item (`sk = "courant"`) plus one item per version
 * (`sk = "version#000001"`…), both written in one transaction: the current item conditioned on the
 * version read (optimistic concurrency), the version item on being new. Candidatures and fiches-action.
 */
export function documentVersionne(tableName: string) {
  const db = documentClient();
  return {
    /** Creates the document and its first version; false (nothing written) if the id exists. */
    async creer(courant: Item, version: Item): Promise<boolean> {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: { TableName: tableName, Item: courant, ConditionExpression: 'attribute_not_exists(pk)' },
              },
              { Put: { TableName: tableName, Item: version } },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (conditionEchouee(error)) return false;
        throw error;
      }
    },

    /** Replaces the document if its stored version is still `versionLue`; false when another write came first. */
    async remplacer(courant: Item, version: Item, versionLue: number): Promise<boolean> {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: courant,
                  ConditionExpression: '#v = :v',
                  ExpressionAttributeNames: { '#v': 'version' },
                  ExpressionAttributeValues: { ':v': versionLue },
                },
              },
              {
                Put: { TableName: tableName, Item: version, ConditionExpression: 'attribute_not_exists(pk)' },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (conditionEchouee(error)) return false;
        throw error;
      }
    },

    async lireCourant(id: string): Promise<Item | undefined> {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: { pk: id, sk: COURANT } }));
      return Item;
    },

    /** Every version item of the document, oldest first, with only the attributes named. */
    async versions(id: string, attributs: readonly string[]): Promise<Item[]> {
      const versions: Item[] = [];
      const noms = Object.fromEntries(attributs.map((a, i) => [`#a${i}`, a]));
      let ExclusiveStartKey: Item | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :id AND begins_with(sk, :v)',
            ExpressionAttributeValues: { ':id': id, ':v': 'version#' },
            ProjectionExpression: Object.keys(noms).join(', '),
            ExpressionAttributeNames: noms,
            ExclusiveStartKey,
          }),
        );
        versions.push(...(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return versions;
    },
  };
}
