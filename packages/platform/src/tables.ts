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
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof tables;

/** Name of the environment variable that carries a table's physical name. */
export const tableEnv = (key: TableKey): string => `TABLE_${key.toUpperCase()}`;

/** Physical table names used by the local cloud (DynamoDB Local needs at least 3 characters). */
export const localTableName = (key: TableKey): string => `ti-${key}`;
