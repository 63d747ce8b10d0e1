import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { requeteInvalide } from '@ti/domain/commun/erreurs';
import type { FicheActionStore, FiltreFiches } from '@ti/domain/fiches-action/ports';
import type { EvenementFiche, FicheAction } from '@ti/domain/fiches-action/schema';
import * as z from 'zod';
import { documentClient } from './client';
import { COURANT, documentVersionne, versionSk } from './document-versionne';

/** At most this many queries to fill one page (most territories have few fiches, many none). */
const MAX_REQUETES_PAR_PAGE = 250;

function sansCles<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, indexTerritoire: _t, indexDepot: _d, ...reste } = item;
  return reste as T;
}

/** Where a listing over several territories stopped: a territory, and the key inside its fiches. */
const Position = z.object({
  t: z.string(),
  k: z
    .object({ pk: z.string(), sk: z.string(), indexTerritoire: z.string(), indexDepot: z.string() })
    .strict()
    .nullable(),
});
type Position = z.infer<typeof Position>;

const encoderPosition = (p: Position | null) =>
  p === null ? null : Buffer.from(JSON.stringify(p)).toString('base64url');

function decoderPosition(valeur: string | undefined): Position | undefined {
  if (!valeur) return undefined;
  try {
    return Position.parse(JSON.parse(Buffer.from(valeur, 'base64url').toString('utf8')));
  } catch {
    throw requeteInvalide('Curseur de pagination invalide', [
      { path: 'cursor', message: 'Curseur inconnu ou altéré' },
    ]);
  }
}

/**
 * Fiches-action in DynamoDB (see `tables.fichesAction`): `pk = id`; `sk = "courant"` holds the
 * current state and the keys of the `parTerritoire` index; `sk = "version#000001"`… one item per
 * event, written in the same transaction.
 */
export function ficheActionStoreDynamo(tableName: string): FicheActionStore {
  const db = documentClient();
  const documents = documentVersionne(tableName);

  const itemCourant = (f: FicheAction) => ({
    ...f,
    pk: f.id,
    sk: COURANT,
    indexTerritoire: f.territoire,
    indexDepot: `${f.deposeeLe}#${f.id}`,
  });
  const itemEvenement = (f: FicheAction, e: EvenementFiche) => ({
    ...e,
    pk: f.id,
    sk: versionSk(e.version),
    etat: f,
  });

  /** One query of a territory's fiches. */
  async function requete(
    territoire: string,
    filtre: FiltreFiches,
    limit: number | undefined,
    depuis: Position['k'],
  ) {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'parTerritoire',
        KeyConditionExpression: 'indexTerritoire = :t',
        ...(filtre.priorite ? { FilterExpression: 'priorite = :p' } : {}),
        ExpressionAttributeValues: {
          ':t': territoire,
          ...(filtre.priorite ? { ':p': filtre.priorite } : {}),
        },
        ...(limit === undefined ? {} : { Limit: limit }),
        ...(depuis ? { ExclusiveStartKey: depuis } : {}),
      }),
    );
    return {
      items: (page.Items ?? []).map((i) => sansCles<FicheAction>(i)),
      suite: (page.LastEvaluatedKey ?? null) as Position['k'],
    };
  }

  return {
    async creer(doc, evenement) {
      // Ids are random: taken already, it is a bug, not a case to handle.
      if (!(await documents.creer(itemCourant(doc), itemEvenement(doc, evenement))))
        throw new Error(`Fiche-action ${doc.id} : identifiant déjà pris`);
    },

    async remplacer(doc, evenement, versionLue) {
      return documents.remplacer(itemCourant(doc), itemEvenement(doc, evenement), versionLue);
    },

    async lire(id) {
      const item = await documents.lireCourant(id);
      return item ? sansCles<FicheAction>(item) : undefined;
    },

    async historique(id) {
      return (await documents.versions(id, [
        'version',
        'date',
        'auteur',
        'action',
        'statut',
        'champs',
        'motif',
      ])) as EvenementFiche[];
    },

    async page(territoires, filtre, limit, cursor) {
      const depart = decoderPosition(cursor);
      let i = depart ? territoires.indexOf(depart.t) : 0;
      if (i < 0) {
        throw requeteInvalide('Curseur de pagination invalide', [
          { path: 'cursor', message: 'Ce curseur ne correspond pas à ces filtres' },
        ]);
      }
      let depuis: Position['k'] = depart?.k ?? null;
      const items: FicheAction[] = [];
      for (let n = 0; n < MAX_REQUETES_PAR_PAGE && i < territoires.length && items.length < limit; n++) {
        const territoire = territoires[i] as string;
        // Limit bounds what is evaluated, so a page never overshoots and the cursor stays exact.
        const { items: lus, suite } = await requete(territoire, filtre, limit - items.length, depuis);
        items.push(...lus);
        if (suite) depuis = suite;
        else {
          i += 1;
          depuis = null;
        }
      }
      const position = i < territoires.length ? { t: territoires[i] as string, k: depuis } : null;
      return { items, nextCursor: encoderPosition(position) };
    },

    async *parcourir(territoires, filtre) {
      // One page read ahead: DynamoDB reads the next page while the caller writes this one out.
      // At most two pages (2 MB) are held at once.
      const lire = (i: number, depuis: Position['k']) =>
        requete(territoires[i] as string, filtre, undefined, depuis).then((page) => ({ ...page, i }));
      let prochaine = territoires.length > 0 ? lire(0, null) : undefined;
      while (prochaine) {
        const { items, suite, i } = await prochaine;
        prochaine = suite ? lire(i, suite) : i + 1 < territoires.length ? lire(i + 1, null) : undefined;
        // A read ahead that fails while the caller stops early must not go unhandled.
        prochaine?.catch(() => {});
        if (items.length > 0) yield items;
      }
    },
  };
}
