/**
 * The DynamoDB tables, defined once: the CDK data stack creates them from these definitions and the
 * local cloud creates the same tables in DynamoDB Local. Handlers find a table's name in the
 * environment variable `TABLE_<KEY>` (see `tableEnv`).
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableDefinition {
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  globalIndexes?: { name: string; partitionKey: KeyAttribute; sortKey?: KeyAttribute }[];
  /** Attribute holding an epoch-seconds expiry, when items expire. */
  timeToLiveAttribute?: string;
}

export const tables = {
  /** One item `sk = "courant"` per candidature, plus one `sk = "version#000001"` per version (history). */
  candidatures: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalIndexes: [
      {
        name: 'parCampagne',
        partitionKey: { name: 'indexCampagne', type: 'S' },
        sortKey: { name: 'indexDepot', type: 'S' },
      },
    ],
  },
  campagnes: {
    partitionKey: { name: 'id', type: 'S' },
  },
  /** Powertools idempotency persistence (its default attribute names). */
  idempotence: {
    partitionKey: { name: 'id', type: 'S' },
    timeToLiveAttribute: 'expiration',
  },
  /**
   * Labelled territories: `pk = "territoire#<id>"`, `sk = "territoire"`, listed through `liste`
   * (`indexOrdre = "<generation>#<id>"`); and the commune → territories index, one item per pair:
   * `pk = "commune#<code INSEE>"`, `sk = "territoire#<id>"`.
   */
  territoires: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalIndexes: [
      {
        name: 'liste',
        partitionKey: { name: 'indexListe', type: 'S' },
        sortKey: { name: 'indexOrdre', type: 'S' },
      },
    ],
  },
  /** One item `sk = "courant"` per fiche-action, plus one `sk = "version#000001"` per event (history). */
  fichesAction: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalIndexes: [
      {
        name: 'parTerritoire',
        partitionKey: { name: 'indexTerritoire', type: 'S' },
        sortKey: { name: 'indexDepot', type: 'S' },
      },
    ],
  },
  /**
   * The selection calendar's working items, `pk = "campagne#<id>"`: the task token of each waiting step
   * (`sk = "jeton#avis#<region>"`, `"jeton#decision"`), the regional reminders sent (`"rappel#<region>"`)
   * and the candidates notified (`"notification#<candidature>"`).
   */
  calendrier: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    timeToLiveAttribute: 'expiration',
  },
  /**
   * Laureates of Bpifrance's exports and their imports. `pk = "laureat#<Identifiant projet>"`:
   * `sk = "laureat"` the laureate (listed by region through `parRegion`, `indexOrdre` = its id) and one
   * `sk = "territoire#<id>"` per territory it lies in (listed through `parTerritoire`);
   * `pk = "import#<importId>"`: `sk = "import"` the import record, `sk = "rejet#<ligne>#<n>"` and
   * `"avertissement#<ligne>#<n>"` its report's rows; `pk = "export#<sha256>"`: an export fetched once;
   * `pk = "imports"`, `sk = "dernier-termine"`: the last import ended `termine` (`dynamodb/dernier-import.ts`).
   */
  laureats: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalIndexes: [
      {
        name: 'parRegion',
        partitionKey: { name: 'indexRegion', type: 'S' },
        sortKey: { name: 'indexOrdre', type: 'S' },
      },
      {
        name: 'parTerritoire',
        partitionKey: { name: 'indexTerritoire', type: 'S' },
        sortKey: { name: 'indexOrdre', type: 'S' },
      },
    ],
  },
  /**
   * The aggregates of the last recompute, `pk = "agregats"`: `sk = "national"` the whole document of
   * `GET /agregats` (one item, so that a reader never sees two recomputes mixed) with its content hash,
   * `sk = "region#<code>"` and `sk = "territoire#<id>"` one aggregate each. Documents are stored as JSON
   * text: the routes return them byte for byte as written.
   */
  agregats: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
  },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof tables;

/** Name of the environment variable that carries a table's physical name. */
export const tableEnv = (key: TableKey): string => `TABLE_${key.toUpperCase()}`;

/** Physical table names used by the local cloud (DynamoDB Local needs at least 3 characters). */
export const localTableName = (key: TableKey): string => `ti-${key}`;
