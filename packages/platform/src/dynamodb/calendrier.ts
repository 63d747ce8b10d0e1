import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CleJeton, JetonsPort, MarquesStore } from '@ti/domain/calendrier/ports';
import type { TaskCallbacks } from '../calendrier/callbacks';
import { conditionEchouee, documentClient } from './client';

const pk = (campagne: string) => `campagne#${campagne}`;
const skJeton = (cle: CleJeton) => (cle.etape === 'avis' ? `jeton#avis#${cle.region}` : 'jeton#decision');
/** Task tokens die with their execution (a year at most); the item goes a little later. */
const VIE_JETON_SECONDES = 400 * 24 * 3600;

/**
 * Task tokens kept in the `calendrier` table, resumed through `callbacks` (`SendTaskSuccess` in AWS,
 * the local runner locally): the same storage in both, only the resume differs.
 */
export function jetonsDynamo(tableName: string, callbacks: TaskCallbacks): JetonsPort {
  const db = documentClient();
  return {
    async garder(cle, jeton) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: pk(cle.campagne),
            sk: skJeton(cle),
            jeton,
            depuis: new Date().toISOString(),
            expiration: Math.floor(Date.now() / 1000) + VIE_JETON_SECONDES,
          },
        }),
      );
    },

    async reprendre(cle, sortie) {
      const Key = { pk: pk(cle.campagne), sk: skJeton(cle) };
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }));
      if (!Item) return false;
      const jeton = String(Item.jeton);
      const repris = await callbacks.succeed(jeton, sortie);
      try {
        // Only this token: a later wait of the same step keeps its own.
        await db.send(
          new DeleteCommand({
            TableName: tableName,
            Key,
            ConditionExpression: 'jeton = :jeton',
            ExpressionAttributeValues: { ':jeton': jeton },
          }),
        );
      } catch (error) {
        if (!conditionEchouee(error)) throw error;
      }
      return repris;
    },
  };
}

/** The reminders sent and the candidates notified, per campaign, in the `calendrier` table. */
export function marquesDynamo(tableName: string): MarquesStore {
  const db = documentClient();
  const lire = async (campagne: string, sk: string) =>
    (
      await db.send(
        new GetCommand({ TableName: tableName, Key: { pk: pk(campagne), sk }, ConsistentRead: true }),
      )
    ).Item;
  return {
    async rappelEnvoye(campagne, region) {
      return (await lire(campagne, `rappel#${region}`)) !== undefined;
    },

    async marquerRappel(campagne, region, date) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: pk(campagne), sk: `rappel#${region}`, envoyeLe: date },
        }),
      );
    },

    async reserverNotification(campagne, candidature, maintenant, bailSecondes) {
      const sk = `notification#${candidature}`;
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: pk(campagne), sk },
            UpdateExpression: 'SET etat = :envoi, depuis = :maintenant',
            // Free, or reserved by a run that has not confirmed within the lease (it died).
            ConditionExpression: 'attribute_not_exists(pk) OR (etat = :envoi AND depuis < :limite)',
            ExpressionAttributeValues: {
              ':envoi': 'envoi',
              ':maintenant': maintenant.toISOString(),
              ':limite': new Date(maintenant.getTime() - bailSecondes * 1000).toISOString(),
            },
          }),
        );
        return 'reservee';
      } catch (error) {
        if (!conditionEchouee(error)) throw error;
      }
      return (await lire(campagne, sk))?.etat === 'envoyee' ? 'envoyee' : 'occupee';
    },

    async confirmerNotification(campagne, candidature, date) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: pk(campagne), sk: `notification#${candidature}`, etat: 'envoyee', envoyeeLe: date },
        }),
      );
    },
  };
}
