import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CHAMPS_AGREGES, type FichesTerritoire, type LaureatAgrege } from '@ti/domain/agregats/calcul';
import type { AgregatStore, SourcesAgregats } from '@ti/domain/agregats/ports';
import type { Agregats } from '@ti/domain/agregats/schema';
import { enParallele } from '@ti/domain/commun/parallele';
import { codesRegions } from '@ti/domain/geographie/officielle';
import type { ImportStore } from '@ti/domain/laureats/ports';
import type { TerritoireStore } from '@ti/domain/territoires/ports';
import { tousLesTerritoires } from '@ti/domain/territoires/service';
import { conditionEchouee, documentClient } from './client';
import { ecrireParLots } from './lots';

type Item = Record<string, unknown>;

const PK = 'agregats';
const SK_NATIONAL = 'national';
const skRegion = (code: string) => `region#${code}`;
const skTerritoire = (id: string) => `territoire#${id}`;

/**
 * The aggregates in DynamoDB (see `tables.agregats`). Each aggregate is a JSON text: what a route
 * returns is what the recompute wrote, in the same order, and an unchanged aggregate is recognised by
 * comparing texts.
 */
export function agregatStoreDynamo(tableName: string): AgregatStore {
  const db = documentClient();

  const lireDocument = async (sk: string, coherent = false) => {
    const { Item } = await db.send(
      new GetCommand({ TableName: tableName, Key: { pk: PK, sk }, ConsistentRead: coherent }),
    );
    return Item as { empreinte?: string; document: string } | undefined;
  };

  /** sk → stored JSON text, for every item but the national one. */
  async function documentsStockes(): Promise<Map<string, string>> {
    const stockes = new Map<string, string>();
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': PK },
          ProjectionExpression: 'sk, #d',
          ExpressionAttributeNames: { '#d': 'document' },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.sk !== SK_NATIONAL) stockes.set(String(item.sk), String(item.document));
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return stockes;
  }

  return {
    async lire() {
      const item = await lireDocument(SK_NATIONAL, true);
      return item
        ? { empreinte: String(item.empreinte), agregats: JSON.parse(item.document) as Agregats }
        : undefined;
    },

    async lireRegion(code) {
      const item = await lireDocument(skRegion(code));
      return item ? JSON.parse(item.document) : undefined;
    },

    async lireTerritoire(id) {
      const item = await lireDocument(skTerritoire(id));
      return item ? JSON.parse(item.document) : undefined;
    },

    async enregistrer(resultat, empreinte, precedente) {
      const voulus = new Map<string, string>([
        ...resultat.regions.map((r) => [skRegion(r.code), JSON.stringify(r)] as const),
        ...resultat.territoires.map((t) => [skTerritoire(t.id), JSON.stringify(t)] as const),
      ]);
      const stockes = await documentsStockes();
      await ecrireParLots(db, tableName, [
        ...[...voulus]
          .filter(([sk, document]) => stockes.get(sk) !== document)
          .map(([sk, document]) => ({ PutRequest: { Item: { pk: PK, sk, document } } })),
        ...[...stockes.keys()]
          .filter((sk) => !voulus.has(sk))
          .map((sk) => ({ DeleteRequest: { Key: { pk: PK, sk } } })),
      ]);
      // The national document last: it carries the hash the next recompute compares with.
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: PK, sk: SK_NATIONAL, empreinte, document: JSON.stringify(resultat.agregats) },
            ...(precedente === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'empreinte = :precedente',
                  ExpressionAttributeValues: { ':precedente': precedente },
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

/** The laureate attributes the aggregates read (of `itemLaureat` in ./laureats.ts). */
const ATTRIBUTS_LAUREAT = [...CHAMPS_AGREGES, 'importId'] as const satisfies readonly (keyof LaureatAgrege)[];

const laureatAgrege = (item: Item): LaureatAgrege => ({
  identifiantProjet: String(item.identifiantProjet),
  codeCommune: String(item.codeCommune),
  codeRegion: String(item.codeRegion),
  categorie: (item.categorie ?? null) as LaureatAgrege['categorie'],
  investissementCentimes: Number(item.investissementCentimes ?? 0),
  aideEtatCentimes: Number(item.aideEtatCentimes ?? 0),
  aideRegionCentimes: Number(item.aideRegionCentimes ?? 0),
  emploisPrevus: Number(item.emploisPrevus ?? 0),
  relocalisation: item.relocalisation === true,
  formation: item.formation === true,
  transitionEcologique: item.transitionEcologique === true,
  territoireFragile: item.territoireFragile === true,
  importId: String(item.importId),
});

/** One paged query: its next page from where the previous one stopped. */
type Pagination = (depuis: Item | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>;

/**
 * Several paged queries read together, `enVol` requests in flight, pages yielded as they arrive:
 * memory holds at most one page per query in flight.
 */
async function* pagesEnParallele(requetes: readonly Pagination[], enVol: number): AsyncGenerator<Item[]> {
  const enCours = new Map<number, Promise<{ i: number; page: Awaited<ReturnType<Pagination>> }>>();
  const lancer = (i: number, depuis: Item | undefined) =>
    enCours.set(
      i,
      (requetes[i] as Pagination)(depuis).then((page) => ({ i, page })),
    );
  let suivante = 0;
  while (suivante < requetes.length && enCours.size < enVol) lancer(suivante++, undefined);
  try {
    while (enCours.size > 0) {
      const { i, page } = await Promise.race(enCours.values());
      enCours.delete(i);
      if (page.LastEvaluatedKey) lancer(i, page.LastEvaluatedKey);
      else if (suivante < requetes.length) lancer(suivante++, undefined);
      if (page.Items && page.Items.length > 0) yield page.Items;
    }
  } finally {
    // A consumer that stops early must not leave rejections unhandled.
    for (const p of enCours.values()) p.catch(() => {});
  }
}

/** Queries in flight when reading the laureates and the fiches (the benchmark's figures: docs/benchmarks.md). */
export const EN_VOL_AGREGATS = Number(process.env.TI_AGREGATS_EN_VOL ?? 4);

/**
 * What the aggregates are computed from, read from the tables of the laureates, territories and
 * fiches-action:
 * - laureates: one query per region of the official geography (the 18 regions and the overseas
 *   collectivities) on the laureates table's `parRegion` index (every stored laureate has one: the
 *   ingestion rejects a commune without a region), which holds the laureate items
 *   only (not their memberships, imports and import reports), with just the summed attributes. The
 *   same items and read units as a scan of the index, but each page a key range, whatever the size;
 * - territories: the registry's listing, then its batched reads (their communes);
 * - fiches-action: one query per territory of the `parTerritoire` index (current versions only).
 */
export function sourcesAgregatsDynamo(deps: {
  tableLaureats: string;
  tableFichesAction: string;
  territoires: TerritoireStore;
  imports: Pick<ImportStore, 'lire'>;
  enVol?: number;
}): SourcesAgregats {
  const db = documentClient();
  const enVol = deps.enVol ?? EN_VOL_AGREGATS;
  return {
    async *laureats() {
      const noms = Object.fromEntries(ATTRIBUTS_LAUREAT.map((a, i) => [`#a${i}`, a]));
      const parRegion = codesRegions().map(
        (region): Pagination =>
          (depuis) =>
            db.send(
              new QueryCommand({
                TableName: deps.tableLaureats,
                IndexName: 'parRegion',
                KeyConditionExpression: '#region = :region',
                ExpressionAttributeNames: { ...noms, '#region': 'indexRegion' },
                ExpressionAttributeValues: { ':region': region },
                ProjectionExpression: Object.keys(noms).join(', '),
                ExclusiveStartKey: depuis,
              }),
            ),
      );
      for await (const items of pagesEnParallele(parRegion, enVol)) yield items.map(laureatAgrege);
    },

    async territoires() {
      return (await tousLesTerritoires(deps.territoires)).map((t) => ({
        id: t.id,
        nom: t.nom,
        generation: t.generation,
        regions: t.regions,
        communes: t.communes,
        modifieLe: t.modifieLe,
      }));
    },

    async fiches(territoires) {
      const parTerritoire = new Map<string, FichesTerritoire>();
      const requetes = territoires.map(
        (territoire): Pagination =>
          (depuis) =>
            db.send(
              new QueryCommand({
                TableName: deps.tableFichesAction,
                IndexName: 'parTerritoire',
                KeyConditionExpression: 'indexTerritoire = :t',
                ExpressionAttributeValues: { ':t': territoire },
                ProjectionExpression: 'indexTerritoire, modifieeLe',
                ExclusiveStartKey: depuis,
              }),
            ),
      );
      for await (const items of pagesEnParallele(requetes, 2 * enVol)) {
        for (const item of items) {
          const territoire = String(item.indexTerritoire);
          const modifieeLe = typeof item.modifieeLe === 'string' ? item.modifieeLe : null;
          const f = parTerritoire.get(territoire) ?? { territoire, nb: 0, derniereModification: null };
          f.nb += 1;
          if (modifieeLe && (f.derniereModification === null || modifieeLe > f.derniereModification)) {
            f.derniereModification = modifieeLe;
          }
          parTerritoire.set(territoire, f);
        }
      }
      return [...parTerritoire.values()];
    },

    async imports(importIds) {
      const lus = await enParallele(importIds, 8, (id) => deps.imports.lire(id));
      return lus.flatMap((imp) =>
        imp && imp.statut === 'termine' && imp.fin
          ? [{ importId: imp.importId, fichier: imp.fichier, ingereLe: imp.fin }]
          : [],
      );
    },
  };
}
