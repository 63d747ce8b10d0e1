import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { enParallele } from '@ti/domain/commun/parallele';
import type { TerritoireStore } from '@ti/domain/territoires/ports';
import type { Territoire, TerritoireResume } from '@ti/domain/territoires/schema';
import { conditionEchouee, curseur, documentClient } from './client';
import { ecrireParLots, lireParLots } from './lots';

const SK_TERRITOIRE = 'territoire';
const LISTE = 'territoires';
const pkTerritoire = (id: string) => `territoire#${id}`;
const pkCommune = (code: string) => `commune#${code}`;
const skIndex = (id: string) => `territoire#${id}`;
/** Commune lookups in flight at once. */
const RECHERCHES_SIMULTANEES = 16;

function sansCles<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, indexListe: _l, indexOrdre: _o, ...reste } = item;
  return reste as T;
}

/** Everything but the communes, which a listing does not return. */
const ATTRIBUTS_RESUME = [
  'id',
  'nom',
  'generation',
  'epcis',
  'regions',
  'departements',
  'population',
  'source',
  'nbCommunes',
  'creeLe',
  'modifieLe',
  'version',
] as const;

/**
 * Territories in DynamoDB (see `tables.territoires`). The commune index is written before the
 * territory item, so a failure between the two leaves the territory "changed" and the next import
 * writes both again; index writes are idempotent.
 */
export function territoireStoreDynamo(tableName: string): TerritoireStore {
  const db = documentClient();

  const item = (t: Territoire) => ({
    ...t,
    pk: pkTerritoire(t.id),
    sk: SK_TERRITOIRE,
    indexListe: LISTE,
    indexOrdre: `${t.generation}#${t.id}`,
  });

  return {
    async lire(id) {
      const { Item } = await db.send(
        new GetCommand({ TableName: tableName, Key: { pk: pkTerritoire(id), sk: SK_TERRITOIRE } }),
      );
      return Item ? sansCles<Territoire>(Item) : undefined;
    },

    async lirePlusieurs(ids) {
      const cles = [...new Set(ids)].map((id) => ({ pk: pkTerritoire(id), sk: SK_TERRITOIRE }));
      const items = await lireParLots(db, tableName, cles);
      return new Map(items.map((i) => sansCles<Territoire>(i)).map((t) => [t.id, t]));
    },

    async enregistrer(territoire, precedent) {
      const avant = new Set(precedent?.communes ?? []);
      const apres = new Set(territoire.communes);
      const generationChangee = precedent !== undefined && precedent.generation !== territoire.generation;
      await ecrireParLots(db, tableName, [
        ...territoire.communes
          .filter((c) => generationChangee || !avant.has(c))
          .map((c) => ({
            PutRequest: {
              Item: {
                pk: pkCommune(c),
                sk: skIndex(territoire.id),
                territoire: territoire.id,
                generation: territoire.generation,
              },
            },
          })),
        ...[...avant]
          .filter((c) => !apres.has(c))
          .map((c) => ({ DeleteRequest: { Key: { pk: pkCommune(c), sk: skIndex(territoire.id) } } })),
      ]);
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: item(territoire),
            ...(precedent === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: '#v = :v',
                  ExpressionAttributeNames: { '#v': 'version' },
                  ExpressionAttributeValues: { ':v': precedent.version },
                }),
          }),
        );
        return true;
      } catch (error) {
        if (conditionEchouee(error)) return false;
        throw error;
      }
    },

    async lister(filtre, limit, cursor) {
      const noms: Record<string, string> = Object.fromEntries(ATTRIBUTS_RESUME.map((a) => [`#${a}`, a]));
      const valeurs: Record<string, unknown> = { ':liste': LISTE };
      let condition = 'indexListe = :liste';
      if (filtre.generation) {
        condition += ' AND begins_with(indexOrdre, :generation)';
        valeurs[':generation'] = `${filtre.generation}#`;
      }
      if (filtre.region) valeurs[':region'] = filtre.region;
      let ExclusiveStartKey: Record<string, unknown> | undefined = curseur.decoder(cursor, [
        'pk',
        'sk',
        'indexListe',
        'indexOrdre',
      ]);
      const items: TerritoireResume[] = [];
      // Limit bounds what is evaluated, so a page never overshoots and the cursor stays exact.
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'liste',
            KeyConditionExpression: condition,
            ...(filtre.region ? { FilterExpression: 'contains(#regions, :region)' } : {}),
            ProjectionExpression: ATTRIBUTS_RESUME.map((a) => `#${a}`).join(', '),
            ExpressionAttributeNames: noms,
            ExpressionAttributeValues: valeurs,
            Limit: limit - items.length,
            ExclusiveStartKey,
          }),
        );
        items.push(...((page.Items ?? []) as TerritoireResume[]));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey && items.length < limit);
      return { items, nextCursor: curseur.encoder(ExclusiveStartKey) };
    },

    async territoiresDeCommunes(codes, generation) {
      const distincts = [...new Set(codes)];
      const resultats = await enParallele(distincts, RECHERCHES_SIMULTANEES, async (code) => {
        const ids: string[] = [];
        let ExclusiveStartKey: Record<string, unknown> | undefined;
        do {
          const page = await db.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk',
              ...(generation
                ? {
                    FilterExpression: '#generation = :generation',
                    ExpressionAttributeNames: { '#generation': 'generation' },
                  }
                : {}),
              ExpressionAttributeValues: {
                ':pk': pkCommune(code),
                ...(generation ? { ':generation': generation } : {}),
              },
              ProjectionExpression: 'territoire',
              ExclusiveStartKey,
            }),
          );
          ids.push(...(page.Items ?? []).map((i) => String(i.territoire)));
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey);
        return [code, ids.sort()] as const;
      });
      return new Map(resultats);
    },
  };
}
