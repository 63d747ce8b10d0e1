import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PageResultat } from '@ti/domain/candidatures/ports';
import { CHAMPS_LAUREAT } from '@ti/domain/laureats/champs';
import type { DonneesLaureat } from '@ti/domain/laureats/ligne';
import type {
  EcritureLaureat,
  ImportLaureats,
  ImportStore,
  LaureatStocke,
  LaureatStore,
  Signalement,
} from '@ti/domain/laureats/ports';
import { conditionEchouee, curseur, documentClient } from './client';
import { ecrireParLots, lireParLots } from './lots';

/** Keys of `tables.laureats`. */
export const cles = {
  laureat: (id: string) => ({ pk: `laureat#${id}`, sk: 'laureat' }),
  appartenance: (id: string, territoire: string) => ({ pk: `laureat#${id}`, sk: `territoire#${territoire}` }),
  import: (importId: string) => ({ pk: `import#${importId}`, sk: 'import' }),
  signalement: (importId: string, s: Pick<Signalement, 'type' | 'ligne' | 'ordre'>) => ({
    pk: `import#${importId}`,
    sk: `${s.type}#${String(s.ligne).padStart(9, '0')}#${String(s.ordre).padStart(3, '0')}`,
  }),
  export: (sha256: string) => ({ pk: `export#${sha256}`, sk: 'export' }),
};

/** What comparing a row with its stored laureate needs (a tenth of the item). */
const ATTRIBUTS_COMPARAISON = [
  'identifiantProjet',
  'empreinte',
  'importId',
  'trace',
  'codeRegion',
  'territoires',
];

/** Requests in flight when writing and reading batches (the benchmark's best, see docs/benchmarks.md). */
export const EN_VOL_LAUREATS = 32;

type Item = Record<string, unknown>;

/** The stored item of a laureate (amounts in cents), with the keys of its region index. */
export function itemLaureat(l: LaureatStocke): Item {
  return {
    ...cles.laureat(l.donnees.identifiantProjet),
    indexRegion: l.donnees.codeRegion,
    indexOrdre: l.donnees.identifiantProjet,
    ...l.donnees,
    empreinte: l.empreinte,
    importId: l.importId,
    ...(l.trace ? { trace: l.trace } : {}),
  };
}

/** A stored item back as a laureate (whatever the order of its maps' keys). */
export function laureatDe(item: Item): LaureatStocke {
  const donnees = Object.fromEntries(
    CHAMPS_LAUREAT.map((c) => [c, item[c] ?? null]),
  ) as unknown as DonneesLaureat;
  return {
    donnees,
    empreinte: String(item.empreinte),
    importId: String(item.importId),
    ...(item.trace ? { trace: item.trace as LaureatStocke['trace'] } : {}),
  };
}

/** The requests of a window's writes: laureates, their memberships, the import's signalements. */
export function requetesEcriture(
  ecritures: readonly EcritureLaureat[],
  signalements: { importId: string; liste: readonly Signalement[] },
) {
  const requetes: ({ PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } })[] = [];
  for (const e of ecritures) {
    for (const territoire of e.appartenances) {
      requetes.push({
        PutRequest: {
          Item: {
            ...cles.appartenance(e.identifiantProjet, territoire),
            indexTerritoire: territoire,
            indexOrdre: e.identifiantProjet,
            codeRegion: e.codeRegion,
          },
        },
      });
    }
    for (const territoire of e.retraits) {
      requetes.push({ DeleteRequest: { Key: cles.appartenance(e.identifiantProjet, territoire) } });
    }
    if (e.laureat) requetes.push({ PutRequest: { Item: itemLaureat(e.laureat) } });
  }
  for (const s of signalements.liste) {
    requetes.push({
      PutRequest: {
        Item: {
          ...cles.signalement(signalements.importId, s),
          ligne: s.ligne,
          ordre: s.ordre,
          ...(s.colonne ? { colonne: s.colonne } : {}),
          motif: s.motif,
        },
      },
    });
  }
  return requetes;
}

/**
 * Laureates in DynamoDB (see `tables.laureats`). Writes are plain puts and deletes of whole items,
 * sent with BatchWriteItem (25 per request, unprocessed items retried with backoff): the ingestion
 * decides what changed from a batched read, and its writes can be replayed.
 */
export function laureatStoreDynamo(tableName: string, options: { enVol?: number } = {}): LaureatStore {
  const db = documentClient();
  const enVol = options.enVol ?? EN_VOL_LAUREATS;

  return {
    async lirePlusieurs(ids, portee = 'complet') {
      if (ids.length === 0) return new Map();
      const items = await lireParLots(db, tableName, ids.map(cles.laureat), {
        enVol,
        ...(portee === 'comparaison' ? { projection: ATTRIBUTS_COMPARAISON } : {}),
      });
      return new Map(items.map((i) => laureatDe(i)).map((l) => [l.donnees.identifiantProjet, l]));
    },

    async ecrire(ecritures, signalements) {
      const requetes = requetesEcriture(ecritures, signalements);
      if (requetes.length > 0) await ecrireParLots(db, tableName, requetes, { enVol });
    },

    async lister(filtre, limit, cursor): Promise<PageResultat<LaureatStocke>> {
      if (filtre.territoire) {
        // Memberships by territory (keys only), then the laureates themselves.
        const page = await db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'parTerritoire',
            KeyConditionExpression: 'indexTerritoire = :t',
            ...(filtre.region
              ? {
                  FilterExpression: 'codeRegion = :r',
                  ExpressionAttributeValues: { ':t': filtre.territoire, ':r': filtre.region },
                }
              : { ExpressionAttributeValues: { ':t': filtre.territoire } }),
            Limit: limit,
            ExclusiveStartKey: curseur.decoder(cursor, ['pk', 'sk', 'indexTerritoire', 'indexOrdre']),
          }),
        );
        const ids = (page.Items ?? []).map((i) => String(i.indexOrdre));
        const lus = await this.lirePlusieurs(ids);
        return {
          items: ids.map((id) => lus.get(id)).filter((l): l is LaureatStocke => l !== undefined),
          nextCursor: curseur.encoder(page.LastEvaluatedKey),
        };
      }
      const commun = {
        TableName: tableName,
        IndexName: 'parRegion',
        Limit: limit,
        ExclusiveStartKey: curseur.decoder(cursor, ['pk', 'sk', 'indexRegion', 'indexOrdre']),
      };
      // Only laureates carry `indexRegion`: without a region, a scan of that index lists them all.
      const page = filtre.region
        ? await db.send(
            new QueryCommand({
              ...commun,
              KeyConditionExpression: 'indexRegion = :r',
              ExpressionAttributeValues: { ':r': filtre.region },
            }),
          )
        : await db.send(new ScanCommand(commun));
      return { items: (page.Items ?? []).map(laureatDe), nextCursor: curseur.encoder(page.LastEvaluatedKey) };
    },
  };
}

const ATTRIBUTS_AVANCEMENT = ['curseur', 'lignes', 'octetsLus', 'nbRejets', 'nbAvertissements'] as const;

export function importDe(item: Item): ImportLaureats {
  const { pk: _pk, sk: _sk, ...reste } = item;
  return reste as unknown as ImportLaureats;
}

/** Import records and their signalements, in the same table. */
export function importStoreDynamo(tableName: string): ImportStore {
  const db = documentClient();

  const mettreAJour = async (
    importId: string,
    curseurAttendu: number,
    valeurs: Record<string, unknown>,
  ): Promise<boolean> => {
    const noms = Object.keys(valeurs);
    try {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: cles.import(importId),
          UpdateExpression: `SET ${noms.map((n) => `#${n} = :${n}`).join(', ')}`,
          ConditionExpression: '#curseurLu = :attendu AND #statutLu = :enCours',
          ExpressionAttributeNames: {
            ...Object.fromEntries(noms.map((n) => [`#${n}`, n])),
            '#curseurLu': 'curseur',
            '#statutLu': 'statut',
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(noms.map((n) => [`:${n}`, valeurs[n]])),
            ':attendu': curseurAttendu,
            ':enCours': 'en_cours',
          },
        }),
      );
      return true;
    } catch (error) {
      if (conditionEchouee(error)) return false;
      throw error;
    }
  };

  return {
    async lire(importId) {
      const { Item } = await db.send(
        new GetCommand({ TableName: tableName, Key: cles.import(importId), ConsistentRead: true }),
      );
      return Item ? importDe(Item) : undefined;
    },

    async creer(imp) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...cles.import(imp.importId), ...imp },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (conditionEchouee(error)) return false;
        throw error;
      }
    },

    avancer(importId, curseurAttendu, avancement) {
      return mettreAJour(
        importId,
        curseurAttendu,
        Object.fromEntries(ATTRIBUTS_AVANCEMENT.map((a) => [a, avancement[a]])),
      );
    },

    clore(importId, curseurAttendu, cloture) {
      return mettreAJour(importId, curseurAttendu, {
        ...Object.fromEntries(ATTRIBUTS_AVANCEMENT.map((a) => [a, cloture[a]])),
        statut: cloture.statut,
        fin: cloture.fin,
        ...(cloture.rapport ? { rapport: cloture.rapport } : {}),
        ...(cloture.colonnesManquantes ? { colonnesManquantes: cloture.colonnesManquantes } : {}),
      });
    },

    async *signalements(importId, type, limite) {
      let ExclusiveStartKey: Item | undefined;
      let rendus = 0;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :type)',
            ExpressionAttributeValues: { ':pk': cles.import(importId).pk, ':type': `${type}#` },
            ProjectionExpression: 'ligne, ordre, colonne, motif',
            ...(limite ? { Limit: Math.min(1000, limite - rendus) } : {}),
            ExclusiveStartKey,
          }),
        );
        for (const item of page.Items ?? []) {
          rendus += 1;
          yield {
            type,
            ligne: Number(item.ligne),
            ordre: Number(item.ordre),
            ...(item.colonne ? { colonne: String(item.colonne) } : {}),
            motif: String(item.motif),
          };
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey && (limite === undefined || rendus < limite));
    },
  };
}

/** Exports already fetched, by content hash (the scheduled fetch stores one content once). */
export function exportsRecusDynamo(tableName: string) {
  const db = documentClient();
  return {
    async lire(sha256: string): Promise<{ cle: string; recuLe: string } | undefined> {
      const { Item } = await db.send(
        new GetCommand({ TableName: tableName, Key: cles.export(sha256), ConsistentRead: true }),
      );
      return Item ? { cle: String(Item.cle), recuLe: String(Item.recuLe) } : undefined;
    },
    /** Records the hash with the key its content is stored under; false when it was recorded first elsewhere. */
    async enregistrer(sha256: string, cle: string, recuLe: string): Promise<boolean> {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...cles.export(sha256), cle, recuLe },
            ConditionExpression: 'attribute_not_exists(pk)',
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
