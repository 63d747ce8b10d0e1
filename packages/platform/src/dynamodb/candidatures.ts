import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { CandidatureStore, PageResultat } from '@ti/domain/candidatures/ports';
import type { Candidature, Modification } from '@ti/domain/candidatures/schema';
import { curseur, documentClient } from './client';
import { COURANT, documentVersionne, versionSk } from './document-versionne';

/** At most this many DynamoDB pages are read to fill one filtered page. */
const MAX_PAGES_PAR_REQUETE = 20;

function sansCles<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, indexCampagne: _c, indexDepot: _d, ...reste } = item;
  return reste as T;
}

/**
 * Candidatures in DynamoDB: `pk = id`; `sk = "courant"` holds the current state (and the keys of the
 * `parCampagne` index), `sk = "version#000001"`… one item per version, written in the same transaction.
 */
export function candidatureStoreDynamo(tableName: string): CandidatureStore {
  const db = documentClient();
  const documents = documentVersionne(tableName);

  const itemCourant = (c: Candidature) => ({
    ...c,
    pk: c.id,
    sk: COURANT,
    indexCampagne: c.campagne,
    indexDepot: `${c.deposeeLe}#${c.id}`,
  });
  const itemVersion = (c: Candidature, m: Modification) => ({
    ...m,
    pk: c.id,
    sk: versionSk(m.version),
    etat: c,
  });

  return {
    creer(doc, evenement) {
      return documents.creer(itemCourant(doc), itemVersion(doc, evenement));
    },

    async remplacer(doc, evenement, versionLue) {
      return documents.remplacer(itemCourant(doc), itemVersion(doc, evenement), versionLue);
    },

    async lire(id) {
      const item = await documents.lireCourant(id);
      return item ? sansCles<Candidature>(item) : undefined;
    },

    async historique(id) {
      return (await documents.versions(id, [
        'version',
        'date',
        'source',
        'action',
        'champs',
      ])) as Modification[];
    },

    async lister(filtre, limit, cursor): Promise<PageResultat<Candidature>> {
      const filtres: string[] = [];
      const valeurs: Record<string, unknown> = {};
      const noms: Record<string, string> = {};
      if (filtre.region) {
        filtres.push('contains(regions, :region)');
        valeurs[':region'] = filtre.region;
      }
      if (filtre.statut) {
        filtres.push('#statut = :statut');
        noms['#statut'] = 'statut';
        valeurs[':statut'] = filtre.statut;
      }
      // Without a campaign, a scan of the current items (operators nearly always name the campaign).
      const parCampagne = filtre.campagne !== undefined;
      if (parCampagne) valeurs[':campagne'] = filtre.campagne;
      else {
        filtres.push('sk = :courant');
        valeurs[':courant'] = COURANT;
      }
      const attributsCle = parCampagne ? ['pk', 'sk', 'indexCampagne', 'indexDepot'] : ['pk', 'sk'];
      let ExclusiveStartKey: Record<string, unknown> | undefined = curseur.decoder(cursor, attributsCle);
      const items: Candidature[] = [];
      for (let i = 0; i < MAX_PAGES_PAR_REQUETE && items.length < limit; i++) {
        const commun = {
          TableName: tableName,
          // Limit bounds what is evaluated, so a page never overshoots and the cursor stays exact.
          Limit: limit - items.length,
          ExclusiveStartKey,
          ...(filtres.length > 0 ? { FilterExpression: filtres.join(' AND ') } : {}),
          ...(Object.keys(noms).length > 0 ? { ExpressionAttributeNames: noms } : {}),
          ExpressionAttributeValues: valeurs,
        };
        const page = parCampagne
          ? await db.send(
              new QueryCommand({
                ...commun,
                IndexName: 'parCampagne',
                KeyConditionExpression: 'indexCampagne = :campagne',
              }),
            )
          : await db.send(new ScanCommand(commun));
        items.push(...(page.Items ?? []).map((item) => sansCles<Candidature>(item)));
        ExclusiveStartKey = page.LastEvaluatedKey;
        if (!ExclusiveStartKey) break;
      }
      return { items, nextCursor: curseur.encoder(ExclusiveStartKey) };
    },

    async compterParRegion(campagne) {
      const parRegion = new Map<string, { candidatures: number; avisRecus: number }>();
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'parCampagne',
            KeyConditionExpression: 'indexCampagne = :campagne',
            ExpressionAttributeValues: { ':campagne': campagne },
            ProjectionExpression: 'regions, avis',
            ExclusiveStartKey,
          }),
        );
        for (const item of page.Items ?? []) {
          for (const code of (item.regions ?? []) as string[]) {
            const compte = parRegion.get(code) ?? { candidatures: 0, avisRecus: 0 };
            compte.candidatures += 1;
            // Opinions given; those the calendar recorded as "non rendu" at the deadline are not.
            compte.avisRecus += ((item.avis ?? []) as { avis?: string }[]).filter(
              (a) => a.avis !== 'non_rendu',
            ).length;
            parRegion.set(code, compte);
          }
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return [...parRegion.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([code, c]) => ({ code, ...c }));
    },
  };
}
