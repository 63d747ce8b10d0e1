import { GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EtatCampagneStore } from '@ti/domain/calendrier/ports';
import { type Campagne, CHAMPS_DATES, RANG_PHASE } from '@ti/domain/campagnes/campagne';
import type { CampagneStore } from '@ti/domain/candidatures/ports';
import { conditionEchouee, documentClient } from './client';

/** What `PUT /campagnes/{id}` writes; the calendar's attributes (phase, calendrier, decision) are kept. */
const CHAMPS_ECRITS = [...CHAMPS_DATES, 'version', 'modifieeLe'] as const;

function sansCles(item: Record<string, unknown>): Campagne {
  const { rangPhase: _r, ...campagne } = item;
  return campagne as unknown as Campagne;
}

/**
 * Campaigns in DynamoDB, one item per campaign. The dates are written with optimistic concurrency on
 * `version`; the calendar writes its own attributes (`phase` with its rank `rangPhase`, `calendrier`,
 * `decision`) with conditions of their own, never `version`, so neither overwrites the other.
 */
export function campagneStoreDynamo(tableName: string): CampagneStore & EtatCampagneStore {
  const db = documentClient();

  /** Updates the item if it is still at `version` (and `condition`); false when a condition failed. */
  async function miseAJour(
    id: string,
    set: Record<string, unknown>,
    condition: string,
    valeurs: Record<string, unknown> = {},
  ): Promise<boolean> {
    const noms = Object.fromEntries(Object.keys(set).map((k) => [`#${k}`, k]));
    try {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { id },
          UpdateExpression: `SET ${Object.keys(set)
            .map((k) => `#${k} = :${k}`)
            .join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: {
            ...noms,
            ...(condition.includes('#version') ? { '#version': 'version' } : {}),
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(Object.entries(set).map(([k, v]) => [`:${k}`, v])),
            ...valeurs,
          },
        }),
      );
      return true;
    } catch (error) {
      if (conditionEchouee(error)) return false;
      throw error;
    }
  }

  const store: CampagneStore & EtatCampagneStore = {
    async lire(id) {
      const { Item } = await db.send(
        new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }),
      );
      return Item ? sansCles(Item) : undefined;
    },

    async enregistrer(campagne, versionLue) {
      const dates = Object.fromEntries(CHAMPS_ECRITS.map((k) => [k, campagne[k]]));
      return versionLue === undefined
        ? miseAJour(campagne.id, { ...dates, creeeLe: campagne.creeeLe }, 'attribute_not_exists(id)')
        : miseAJour(campagne.id, dates, '#version = :versionLue', { ':versionLue': versionLue });
    },

    async avancerPhase(id, version, phase, calendrier) {
      const avancee = await miseAJour(
        id,
        { phase, rangPhase: RANG_PHASE[phase], ...(calendrier ? { calendrier } : {}) },
        '#version = :versionLue AND (attribute_not_exists(rangPhase) OR rangPhase < :rangPhase)',
        { ':versionLue': version },
      );
      if (avancee) return 'avancee';
      const lue = await store.lire(id);
      return lue?.version === version ? 'inchangee' : 'perimee';
    },

    enregistrerCalendrier(id, version, etat) {
      return miseAJour(id, { calendrier: etat }, '#version = :versionLue', { ':versionLue': version });
    },

    enregistrerDecision(id, decision) {
      return miseAJour(id, { decision }, 'attribute_exists(id) AND attribute_not_exists(#decision)');
    },

    async lister() {
      const campagnes: Campagne[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey }));
        campagnes.push(...(page.Items ?? []).map(sansCles));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return campagnes;
    },
  };
  return store;
}
