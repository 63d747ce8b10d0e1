/**
 * A client of one local cloud's HTTP API (the shared one of the integration project, or a dedicated one
 * a test file or a benchmark starts), with no vitest dependency: signed form requests, operator tokens,
 * campaigns; and direct reads of its DynamoDB Local.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type AttributeValue,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { mintOperatorToken } from '@ti/local-cloud/operator-auth';
import { LOCAL_FORM_SOURCE, signBody } from '@ti/local-cloud/signature';
import { type BucketKey, localBucketName } from '@ti/platform/buckets';
import { localTableName, type TableKey, tables } from '@ti/platform/tables';

export interface Reponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function lire(res: Response): Promise<Reponse> {
  const texte = await res.text();
  let body: unknown = texte;
  try {
    body = texte ? JSON.parse(texte) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body };
}

export { exemple } from './exemples';

export interface OptionsFormulaire {
  method?: string;
  headers?: Record<string, string>;
  /** The form source and its secret (the local one by default): another to test a forged signature. */
  source?: string;
  secret?: string;
  /** Signature timestamp (unix seconds; now by default). */
  t?: number;
  /** Bounds the request (no hang goes unnoticed). */
  signal?: AbortSignal;
}

export interface OptionsOperateur {
  method?: string;
  body?: unknown;
  /** National unless given. */
  token?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

const jour = 24 * 3600 * 1000;
const iso = (t: number) => new Date(t).toISOString().replace('Z', '+00:00');

/** Dates of a campaign whose window is open now (or closed, or not yet open). */
function datesDeCampagne(fenetre: 'ouverte' | 'close' | 'a_venir' = 'ouverte') {
  const maintenant = Date.now();
  const debut = {
    ouverte: maintenant - jour,
    close: maintenant - 40 * jour,
    a_venir: maintenant + 10 * jour,
  }[fenetre];
  return {
    ouverture: iso(debut),
    cloture: iso(debut + 20 * jour),
    avisRegional: iso(debut + 45 * jour),
    selectionNationale: iso(debut + 60 * jour),
    annonce: iso(debut + 75 * jour),
    finProgramme: '2027-12-31T23:59:59+01:00',
  };
}

export function clientApi(cible: { baseUrl: string; jwtSecret: string }) {
  const jeton = (role: 'national' | 'regional', region?: string) =>
    mintOperatorToken({ role, region }, cible.jwtSecret);

  /** Sends a body signed as the local form source does (the exact bytes sent are signed). */
  async function envoyerSigne(path: string, body: unknown, options: OptionsFormulaire = {}) {
    const brut = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${cible.baseUrl}${path}`, {
      method: options.method ?? 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Source': options.source ?? LOCAL_FORM_SOURCE.id,
        'X-Signature': signBody(brut, options.secret ?? LOCAL_FORM_SOURCE.secret, options.t),
        ...options.headers,
      },
      body: brut,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return lire(res);
  }

  /** A request as an operator (national unless a token is given). */
  async function operateur(path: string, options: OptionsOperateur = {}) {
    const token = options.token ?? (await jeton('national'));
    const res = await fetch(`${cible.baseUrl}${path}`, {
      method: options.method ?? 'GET',
      headers: {
        Authorization: `Bearer ${token}`,
        ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return lire(res);
  }

  /** Creates (or updates) a campaign through the API. */
  async function creerCampagne(id: string, fenetre: 'ouverte' | 'close' | 'a_venir' = 'ouverte') {
    const res = await operateur(`/campagnes/${id}`, { method: 'PUT', body: datesDeCampagne(fenetre) });
    if (res.status !== 201 && res.status !== 200)
      throw new Error(`campagne ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /**
   * `POST /territoires/import` of ANCT's list of each generation (`events/territoires-<generation>.csv`),
   * one after the other, as a national operator: the raw responses, in order, for the caller to check.
   */
  async function importerTerritoires(...generations: string[]): Promise<Response[]> {
    const reponses: Response[] = [];
    for (const generation of generations) {
      reponses.push(
        await fetch(`${cible.baseUrl}/territoires/import?generation=${generation}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${await jeton('national')}`, 'Content-Type': 'text/csv' },
          body: readFileSync(new URL(`../../events/territoires-${generation}.csv`, import.meta.url)),
        }),
      );
    }
    return reponses;
  }

  return { baseUrl: cible.baseUrl, jeton, envoyerSigne, operateur, creerCampagne, importerTerritoires };
}

export type ClientApi = ReturnType<typeof clientApi>;

/** Items and bytes of every table, as DynamoDB Local reports them live (DescribeTable). */
export type Empreinte = Record<TableKey, { items: number; octets: number }>;

export async function empreinte(ddb: DynamoDBClient): Promise<Empreinte> {
  const cles = Object.keys(tables) as TableKey[];
  const lues = await Promise.all(
    cles.map(async (cle) => {
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: localTableName(cle) }));
      return [cle, { items: Table?.ItemCount ?? 0, octets: Table?.TableSizeBytes ?? 0 }] as const;
    }),
  );
  return Object.fromEntries(lues) as Empreinte;
}

/** Tables whose items or size differ between two footprints. */
export function tablesModifiees(avant: Empreinte, apres: Empreinte): TableKey[] {
  return (Object.keys(apres) as TableKey[]).filter(
    (cle) => avant[cle]?.items !== apres[cle].items || avant[cle]?.octets !== apres[cle].octets,
  );
}

/** JSON whose object keys are sorted: the same item always reads the same. */
function canonique(valeur: unknown): string {
  if (valeur instanceof Uint8Array) return JSON.stringify(Buffer.from(valeur).toString('base64'));
  if (Array.isArray(valeur)) return `[${valeur.map(canonique).join(',')}]`;
  if (valeur !== null && typeof valeur === 'object') {
    const entrees = Object.entries(valeur as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entrees.map(([k, v]) => `${JSON.stringify(k)}:${canonique(v)}`).join(',')}}`;
  }
  return JSON.stringify(valeur) ?? 'undefined';
}

/**
 * What some tables and buckets hold, as one hash each: every item of a table (a consistent Scan, items in
 * canonical form, sorted), every object of a bucket (key, ETag and size, from ListObjectsV2). Unlike
 * `empreinte`, it sees an item rewritten with the same size and an object overwritten. A full read: for a
 * few small tables only (the fuzz reads the ones a route may write).
 */
export type Contenu = Record<string, string>;

export async function contenu(
  ddb: DynamoDBClient,
  s3: S3Client,
  cibles: { tables: readonly TableKey[]; buckets: readonly BucketKey[] },
): Promise<Contenu> {
  const hash = (lignes: string[]) => createHash('sha256').update(lignes.sort().join('\n')).digest('hex');
  const deTable = async (cle: TableKey) => {
    const lignes: string[] = [];
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await ddb.send(
        new ScanCommand({ TableName: localTableName(cle), ConsistentRead: true, ExclusiveStartKey }),
      );
      for (const item of page.Items ?? []) lignes.push(canonique(item));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return [`table ${cle}`, `${lignes.length} items ${hash(lignes)}`] as const;
  };
  const deBucket = async (cle: BucketKey) => {
    const lignes: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: localBucketName(cle), ContinuationToken }),
      );
      for (const o of page.Contents ?? []) lignes.push(`${o.Key} ${o.ETag} ${o.Size}`);
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return [`bucket ${cle}`, `${lignes.length} objets ${hash(lignes)}`] as const;
  };
  return Object.fromEntries(
    await Promise.all([...cibles.tables.map(deTable), ...cibles.buckets.map(deBucket)]),
  );
}

/** The tables and buckets (`table <key>`, `bucket <key>`) whose content differs between two reads. */
export function contenusModifies(avant: Contenu, apres: Contenu): string[] {
  return [...new Set([...Object.keys(avant), ...Object.keys(apres)])].filter((k) => avant[k] !== apres[k]);
}

/** The record of a laureates' import (`import#<id>` in the laureates table, consistent read), if any. */
export async function enregistrementImport(ddb: DynamoDBClient, importId: string) {
  const { Item } = await ddb.send(
    new GetItemCommand({
      TableName: localTableName('laureats'),
      Key: { pk: { S: `import#${importId}` }, sk: { S: 'import' } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** Ids of the candidatures of a campaign, as stored (the `parCampagne` index holds one item per candidature). */
export async function idsEnBase(ddb: DynamoDBClient, campagne: string): Promise<string[]> {
  const ids: string[] = [];
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName: localTableName('candidatures'),
        IndexName: 'parCampagne',
        KeyConditionExpression: 'indexCampagne = :c',
        ExpressionAttributeValues: { ':c': { S: campagne } },
        ProjectionExpression: 'pk',
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) ids.push(item.pk?.S as string);
    ExclusiveStartKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (ExclusiveStartKey);
  return ids;
}
