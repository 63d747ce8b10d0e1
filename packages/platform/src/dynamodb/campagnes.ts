import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Campagne } from '@ti/domain/campagnes/campagne';
import type { CampagneStore } from '@ti/domain/candidatures/ports';
import { conditionEchouee, documentClient } from './client';

/** Campaigns in DynamoDB, one item per campaign, written with optimistic concurrency on `version`. */
export function campagneStoreDynamo(tableName: string): CampagneStore {
  const db = documentClient();
  return {
    async lire(id) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: { id } }));
      return Item as Campagne | undefined;
    },
    async enregistrer(campagne, versionLue) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: campagne,
            ...(versionLue === undefined
              ? { ConditionExpression: 'attribute_not_exists(id)' }
              : {
                  ConditionExpression: '#v = :v',
                  ExpressionAttributeNames: { '#v': 'version' },
                  ExpressionAttributeValues: { ':v': versionLue },
                }),
          }),
        );
        return true;
      } catch (error) {
        if (conditionEchouee(error)) return false;
        throw error;
      }
    },
  };
}
