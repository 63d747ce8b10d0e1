import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ImportStore } from '@ti/domain/laureats/ports';
import { logger } from '../observabilite';
import { conditionEchouee, documentClient } from './client';

/**
 * The item of `tables.laureats` that holds the last import ended `termine` (its id and end): the probe
 * reads this one item rather than scanning the table for import records (they have no index).
 */
export const CLE_DERNIER_IMPORT = { pk: 'imports', sk: 'dernier-termine' } as const;

/**
 * The import records' store, also keeping `CLE_DERNIER_IMPORT` up to date: once the ingestion closed an
 * import as `termine`, the item takes its id and end, unless it already holds a later end (an old
 * import delivered late never moves it back). Written after the close, not with it: a run that dies
 * in between leaves the item on the import before, until the next one ends; the probe then reports an
 * older import than the true last one (a stale alarm, never a missed one). A failure to write it is
 * logged, not thrown: the import is ended and reported, a retry would find nothing to do.
 */
export function avecDernierImport(store: ImportStore, tableName: string): ImportStore {
  const db = documentClient();
  const retenir = async (importId: string, fin: string) => {
    try {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...CLE_DERNIER_IMPORT, importId, fin },
          ConditionExpression: 'attribute_not_exists(fin) OR fin < :fin',
          ExpressionAttributeValues: { ':fin': fin },
        }),
      );
    } catch (error) {
      if (!conditionEchouee(error)) {
        logger.warn('Last import not recorded: the probe reports the one before', {
          importId,
          error: error as Error,
        });
      }
    }
  };
  return {
    lire: (importId) => store.lire(importId),
    creer: (imp) => store.creer(imp),
    avancer: (importId, curseurAttendu, avancement) => store.avancer(importId, curseurAttendu, avancement),
    async clore(importId, curseurAttendu, cloture) {
      const fait = await store.clore(importId, curseurAttendu, cloture);
      if (fait && cloture.statut === 'termine' && cloture.fin) await retenir(importId, cloture.fin);
      return fait;
    },
    signalements: (importId, type, limite) => store.signalements(importId, type, limite),
  };
}

/** The last import ended `termine` (see `CLE_DERNIER_IMPORT`); undefined before the first one. */
export function dernierImportTermineDynamo(tableName: string) {
  const db = documentClient();
  return async (): Promise<{ importId: string; fin: string } | undefined> => {
    const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: CLE_DERNIER_IMPORT }));
    return Item ? { importId: String(Item.importId), fin: String(Item.fin) } : undefined;
  };
}
