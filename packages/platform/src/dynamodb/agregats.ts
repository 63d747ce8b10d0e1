import { GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { FichesTerritoire, LaureatAgrege } from '@ti/domain/agregats/calcul';
import type { AgregatStore, SourcesAgregats } from '@ti/domain/agregats/ports';
import type { Agregats } from '@ti/domain/agregats/schema';
import { enParallele } from '@ti/domain/commun/parallele';
import type { ImportStore } from '@ti/domain/laureats/ports';
import type { TerritoireStore } from '@ti/domain/territoires/ports';
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
const ATTRIBUTS_LAUREAT = [
  'identifiantProjet',
  'codeCommune',
  'codeRegion',
  'categorie',
  'investissementCentimes',
  'aideEtatCentimes',
  'aideRegionCentimes',
  'emploisPrevus',
  'relocalisation',
  'formation',
  'transitionEcologique',
  'territoireFragile',
  'importId',
] as const;

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

/**
 * A parallel scan: `segments` requests in flight, one per segment, pages yielded as they arrive.
 * Memory holds at most one page per segment.
 */
async function* scanParallele(
  base: Omit<ConstructorParameters<typeof ScanCommand>[0], 'Segment' | 'TotalSegments' | 'ExclusiveStartKey'>,
  segments: number,
): AsyncGenerator<Item[]> {
  const db = documentClient();
  const lire = (segment: number, depuis: Item | undefined) =>
    db
      .send(
        new ScanCommand({ ...base, Segment: segment, TotalSegments: segments, ExclusiveStartKey: depuis }),
      )
      .then((page) => ({ segment, page }));
  const enCours = new Map<number, ReturnType<typeof lire>>();
  for (let s = 0; s < segments; s++) enCours.set(s, lire(s, undefined));
  try {
    while (enCours.size > 0) {
      const { segment, page } = await Promise.race(enCours.values());
      if (page.LastEvaluatedKey) enCours.set(segment, lire(segment, page.LastEvaluatedKey));
      else enCours.delete(segment);
      if (page.Items && page.Items.length > 0) yield page.Items;
    }
  } finally {
    // A consumer that stops early must not leave rejections unhandled.
    for (const p of enCours.values()) p.catch(() => {});
  }
}

/** Scan segments of the laureates (the benchmark's figures: docs/benchmarks.md, Agrégats). */
export const SEGMENTS_LAUREATS = Number(process.env.TI_AGREGATS_SEGMENTS ?? 4);

/**
 * What the aggregates are computed from, read from the tables of the laureates, territories and
 * fiches-action:
 * - laureates: a parallel scan of the laureates table's `parRegion` index, which holds the laureate
 *   items only (not their memberships, imports and import reports), with just the summed attributes;
 * - territories: the registry's listing, then its batched reads (their communes);
 * - fiches-action: a scan of the `parTerritoire` index (current versions only), territory and date.
 */
export function sourcesAgregatsDynamo(deps: {
  tableLaureats: string;
  tableFichesAction: string;
  territoires: TerritoireStore;
  imports: Pick<ImportStore, 'lire'>;
  segments?: number;
}): SourcesAgregats {
  return {
    async *laureats() {
      const noms = Object.fromEntries(ATTRIBUTS_LAUREAT.map((a, i) => [`#a${i}`, a]));
      for await (const items of scanParallele(
        {
          TableName: deps.tableLaureats,
          IndexName: 'parRegion',
          ProjectionExpression: Object.keys(noms).join(', '),
          ExpressionAttributeNames: noms,
        },
        deps.segments ?? SEGMENTS_LAUREATS,
      )) {
        yield items.map(laureatAgrege);
      }
    },

    async territoires() {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await deps.territoires.lister({}, 200, cursor);
        ids.push(...page.items.map((t) => t.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const complets = await deps.territoires.lirePlusieurs(ids);
      return [...complets.values()].map((t) => ({
        id: t.id,
        nom: t.nom,
        generation: t.generation,
        regions: t.regions,
        communes: t.communes,
        modifieLe: t.modifieLe,
      }));
    },

    async fiches(territoires) {
      const voulus = new Set(territoires);
      const parTerritoire = new Map<string, FichesTerritoire>();
      for await (const items of scanParallele(
        {
          TableName: deps.tableFichesAction,
          IndexName: 'parTerritoire',
          ProjectionExpression: 'indexTerritoire, modifieeLe',
        },
        2,
      )) {
        for (const item of items) {
          const territoire = String(item.indexTerritoire);
          if (!voulus.has(territoire)) continue;
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
