/**
 * Faults (issue 7, "Proof"), on a dedicated local cloud whose DynamoDB Local keeps its data in a folder (the
 * shared cloud runs it in memory, and killing it would break the other files): DynamoDB Local killed
 * (SIGKILL, as a crash) and restarted on the same port and data, `cloud.dynamodb.kill()` / `restart()`.
 *
 * - In the middle of a burst of submissions: no request hangs (each bounded by 20 s); every answer is a 201,
 *   or, only while the database is down, an answer to retry later with `Retry-After` (503, or 409 "in
 *   progress"); the API serves again after the restart with no restart of its own; every 201 is found
 *   again (by id and in DynamoDB); nothing is stored twice; clients retrying with the same
 *   `Idempotency-Key` end with exactly one candidature each.
 * - A DynamoDB answer lost after the write (connection reset): the SDK's retry of the idempotency lock
 *   recognises its own write instead of answering 409 to its own client.
 * - In the middle of a laureates' ingestion: the trigger's attempts fail while the database is down; the
 *   S3 event delivered again completes the import exactly (counts, every laureate once); delivered twice
 *   more (duplicate events), it leaves the laureates and the aggregates exactly as they were.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AttributeValue,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { enParallele } from '@ti/domain/commun/parallele';
import { dynamoDbClient } from '@ti/local-cloud/dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '@ti/local-cloud/environment';
import { type LocalCloud, startLocalCloud } from '@ti/local-cloud/local-cloud';
import { s3Client } from '@ti/local-cloud/s3';
import { localBucketName } from '@ti/platform/buckets';
import { clientIdempotence } from '@ti/platform/http/idempotence';
import { importIdDe } from '@ti/platform/s3/laureats';
import { localTableName } from '@ti/platform/tables';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ClientApi, clientApi, enregistrementImport, exemple } from '../support/client';
import { attenduPour, csvWindows1252, genererLignes } from '../support/laureats-exemples';

// The outage makes every handler log its 503s: expected, and asserted below. Set before any import (the
// shared logger reads its level once, when its module loads). PANNES_JOURNAUX=1 shows them.
vi.hoisted(() => {
  if (!process.env.PANNES_JOURNAUX) process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

const CAMPAGNE = 'pannes';
const CLIENTS = 12;
const AVANT_MS = 500;
const PANNE_MS = 2_000;

let cloud: LocalCloud;
let api: ClientApi;
let dataDir: string;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nomDe = (i: number) => `Panne — dépôt ${i}`;
const cleDe = (i: number) => `pannes-${process.pid}-${i}`;
const corpsDe = (i: number) => ({ ...exemple(), campagne: CAMPAGNE, nomTerritoire: nomDe(i) });

interface Essai {
  i: number;
  debut: number;
  fin: number;
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  body: any;
  erreur?: string;
}

async function deposer(i: number): Promise<Essai> {
  const debut = performance.now();
  try {
    const r = await api.envoyerSigne('/candidatures', corpsDe(i), {
      headers: { 'Idempotency-Key': cleDe(i) },
      signal: AbortSignal.timeout(20_000),
    });
    return {
      i,
      debut,
      fin: performance.now(),
      status: r.status,
      retryAfter: r.headers.get('retry-after'),
      contentType: r.headers.get('content-type'),
      body: r.body,
    };
  } catch (error) {
    const fin = performance.now();
    return {
      i,
      debut,
      fin,
      status: 0,
      retryAfter: null,
      contentType: null,
      body: null,
      erreur: String(error),
    };
  }
}

/** The sort keys of a candidature's items (current state, versions). */
async function itemsDe(id: string): Promise<string[]> {
  const ddb = dynamoDbClient(cloud.dynamodbEndpoint);
  try {
    const { Items } = await ddb.send(
      new QueryCommand({
        TableName: localTableName('candidatures'),
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: id } },
        ConsistentRead: true,
      }),
    );
    return (Items ?? []).map((item) => item.sk?.S ?? '?');
  } finally {
    ddb.destroy();
  }
}

/** The candidatures of the campaign as DynamoDB holds them: name → ids. */
async function stockees(): Promise<Map<string, string[]>> {
  const ddb = dynamoDbClient(cloud.dynamodbEndpoint);
  const parNom = new Map<string, string[]>();
  try {
    let ExclusiveStartKey: Record<string, never> | undefined;
    do {
      const page = await ddb.send(
        new ScanCommand({
          TableName: localTableName('candidatures'),
          FilterExpression: 'sk = :c AND campagne = :camp',
          ExpressionAttributeValues: { ':c': { S: 'courant' }, ':camp': { S: CAMPAGNE } },
          ProjectionExpression: 'pk, nomTerritoire',
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const nom = item.nomTerritoire?.S as string;
        parNom.set(nom, [...(parNom.get(nom) ?? []), item.pk?.S as string]);
      }
      ExclusiveStartKey = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (ExclusiveStartKey);
  } finally {
    ddb.destroy();
  }
  return parNom;
}

beforeAll(async () => {
  // Kept in memory when the system offers it (tmpfs): the data survives DynamoDB Local's restarts like on
  // disk, without the disk's synchronous writes that make the ingestion ten times slower.
  dataDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'ti-pannes-'));
  cloud = await startLocalCloud({
    port: 0,
    dynamodbPort: 0,
    s3Port: 0,
    dataDir,
    quiet: true,
    seedDemo: false,
  });
  api = clientApi(cloud);
  await api.creerCampagne(CAMPAGNE, 'ouverte');
  // Warm-up (cold start of the handler), in another campaign: the burst starts on a warm function.
  await api.creerCampagne(`${CAMPAGNE}-chauffe`, 'ouverte');
  const chauffe = await api.envoyerSigne('/candidatures', { ...exemple(), campagne: `${CAMPAGNE}-chauffe` });
  if (chauffe.status !== 201) throw new Error(`chauffe : ${chauffe.status}`);
});

afterAll(async () => {
  await cloud?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DynamoDB tué puis relancé pendant une rafale de dépôts', () => {
  it('201 seulement si c’est écrit, 503 réessayable seulement pendant la panne, jamais d’attente sans fin, rien de perdu ni de doublé', async () => {
    const essais: Essai[] = [];
    let arret = Number.POSITIVE_INFINITY;
    let suivant = 0;
    const client = async () => {
      while (performance.now() < arret) {
        const essai = await deposer(suivant++);
        essais.push(essai);
        // A client told to come back later (Retry-After) waits; 1 s rather than 5, to keep the test short.
        if (essai.status !== 201) await pause(1_000);
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);

    // Killed in the middle of the burst: once submissions are being accepted.
    const debutRafale = performance.now();
    while (essais.filter((e) => e.status === 201).length < 10 && performance.now() - debutRafale < 10_000)
      await pause(50);
    await pause(AVANT_MS);
    const pidAvant = cloud.dynamodb.pid;
    const tuee = performance.now();
    await cloud.dynamodb.kill();
    await pause(PANNE_MS);
    await cloud.dynamodb.restart();
    const relancee = performance.now();
    expect(cloud.dynamodb.pid).not.toBe(pidAvant);
    // The burst stops once the database is back; the requests in flight end (or time out) on their own.
    arret = relancee;
    await Promise.all(clients);

    const resume = `${essais.length} dépôts : ${JSON.stringify(
      essais.reduce<Record<string, number>>((c, e) => {
        c[e.erreur ? 'erreur' : e.status] = (c[e.erreur ? 'erreur' : e.status] ?? 0) + 1;
        return c;
      }, {}),
    )} (base tuée à ${Math.round(tuee - debutRafale)} ms, relancée à ${Math.round(relancee - debutRafale)} ms)`;
    // No hang, no network failure: every request got an answer within its 20 s.
    expect(
      essais.filter((e) => e.erreur),
      resume,
    ).toEqual([]);
    // A 201; or, only while the database was down, an answer to retry later (Retry-After): a 503, or a
    // 409 "in progress" when the SDK retried the idempotency record's write whose first attempt had
    // gone through unanswered (the lock then looks held by another request until it expires).
    for (const e of essais) {
      if (e.status === 201) continue;
      expect([503, 409], `${resume} ; ${JSON.stringify(e.body)}`).toContain(e.status);
      expect(e.contentType).toContain('application/problem+json');
      expect(e.body).toMatchObject({
        status: e.status,
        title: expect.any(String),
        detail: expect.any(String),
      });
      if (e.status === 409) expect(e.body.detail).toContain('en cours de traitement');
      expect(Number(e.retryAfter)).toBeGreaterThan(0);
      expect(e.fin, `${e.status} reçu alors que la base n’était pas en panne`).toBeGreaterThanOrEqual(tuee);
      expect(e.debut, `${e.status} reçu alors que la base n’était pas en panne`).toBeLessThanOrEqual(
        relancee,
      );
    }
    // The scenario happened: accepted before the kill, refused during it, accepted again after the restart.
    expect(
      essais.some((e) => e.status === 201 && e.fin < tuee),
      resume,
    ).toBe(true);
    expect(
      essais.some((e) => e.status === 503),
      resume,
    ).toBe(true);
    // After the restart the API serves again, with no restart of its own.
    for (let i = 0; i < 5; i++) {
      const apres = await deposer(suivant++);
      essais.push(apres);
      expect(apres.status, JSON.stringify(apres.body)).toBe(201);
    }

    // Every 201 is there, after the restart: by id through the API, and in DynamoDB.
    const acceptes = essais.filter((e) => e.status === 201);
    for (const e of acceptes) {
      const lue = await api.operateur(`/candidatures/${e.body.id}`);
      // Should a 201 be missing, say what DynamoDB holds under its id (its versions, if any).
      const tenu =
        lue.status === 200 ? '' : ` ; en base sous cet id : ${JSON.stringify(await itemsDe(e.body.id))}`;
      expect(
        lue.status,
        `${nomDe(e.i)} (201 reçu ${Math.round(e.fin - tuee)} ms après que la base a été tuée) introuvable après la relance${tenu}`,
      ).toBe(200);
      expect(lue.body.nomTerritoire).toBe(nomDe(e.i));
    }
    const parNom = await stockees();
    const enDouble = [...parNom].filter(([, ids]) => ids.length > 1);
    expect(enDouble, 'candidatures stockées deux fois').toEqual([]);
    for (const e of acceptes) expect(parNom.get(nomDe(e.i))).toEqual([e.body.id]);
    // Stored without a 201: the write was committed, then the database died before the answer.
    const sansReponse = essais.filter((e) => e.status !== 201 && parNom.has(nomDe(e.i)));
    expect(parNom.size).toBe(acceptes.length + sansReponse.length);
    console.log(`${resume} ; écrits sans 201 (la base est morte après l’écriture) : ${sansReponse.length}`);

    // The clients told to retry do so with the same key, as Retry-After invites: each ends with one.
    const aReessayer = essais.filter((e) => e.status !== 201);
    const finaux = await enParallele(aReessayer, CLIENTS, async (e) => {
      for (let tentative = 0; tentative < 40; tentative++) {
        const r = await deposer(e.i);
        if (r.status !== 409 && r.status !== 503) return r;
        await pause(Number(r.retryAfter ?? 1) * 1000);
      }
      return deposer(e.i);
    });
    for (const r of finaux) expect(r.status, JSON.stringify(r.body)).toBe(201);
    const apres = await stockees();
    expect([...apres].filter(([, ids]) => ids.length > 1)).toEqual([]);
    expect(apres.size).toBe(new Set(essais.map((e) => e.i)).size);
  }, 180_000);
});

describe('une réponse de DynamoDB perdue après l’écriture', () => {
  /** An HTTP handler that lets the first request through to DynamoDB, then loses its answer (ECONNRESET). */
  function reponsePerdue() {
    const reel = new DynamoDBClient({
      endpoint: cloud.dynamodbEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const http = reel.config.requestHandler as unknown as {
      handle(requete: unknown, options?: unknown): Promise<{ response: { body?: { destroy?(): void } } }>;
    };
    let perdue = false;
    return {
      handle: async (requete: unknown, options?: unknown) => {
        const reponse = await http.handle(requete, options);
        if (perdue) return reponse;
        perdue = true;
        reponse.response.body?.destroy?.();
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      },
      updateHttpClientConfig: () => {},
      httpHandlerConfigs: () => ({}),
      destroy: () => reel.destroy(),
    };
  }
  const prendreLeVerrou = (client: DynamoDBClient, id: string) =>
    client.send(
      new PutItemCommand({
        TableName: localTableName('idempotence'),
        Item: { id: { S: id }, status: { S: 'INPROGRESS' } },
        ConditionExpression: 'attribute_not_exists(#id)',
        ExpressionAttributeNames: { '#id': 'id' },
      }),
    );
  const options = () => ({
    endpoint: cloud.dynamodbEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: reponsePerdue() as never,
  });

  it('la prise du verrou d’idempotence, rejouée par le SDK, se reconnaît au lieu de se croire en concurrence', async () => {
    // Without the token, the SDK's retry of the put finds the lock it has just taken: refused.
    const nu = new DynamoDBClient(options());
    await expect(prendreLeVerrou(nu, `perdue-nu-${process.pid}`)).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    nu.destroy();
    // With it, the retry recognises its own write.
    const client = clientIdempotence(options());
    await expect(prendreLeVerrou(client, `perdue-${process.pid}`)).resolves.toBeDefined();
    // A genuinely concurrent request (another call, another token) is still refused.
    await expect(prendreLeVerrou(client, `perdue-${process.pid}`)).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    client.destroy();
  });
});

describe('DynamoDB tué puis relancé au milieu d’une ingestion de lauréats', () => {
  const BUCKET = localBucketName('laureats');
  const cle = 'exports/pannes/dynamodb-tuee.csv';
  // Three windows of the ingestion (2,000 rows each): killed once the first is committed.
  const lignes = genererLignes(6_000, { graine: 7, prefixe: 'FAIIT-PANNE' });
  const importId = importIdDe({ bucket: BUCKET, cle });
  let evenement: unknown;

  /** Every item of the tables the ingestion and the aggregates write, as stored (sorted). */
  async function contenu(): Promise<string> {
    const ddb = dynamoDbClient(cloud.dynamodbEndpoint);
    const items: string[] = [];
    try {
      for (const table of ['laureats', 'agregats'] as const) {
        let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
        do {
          const page = await ddb.send(
            new ScanCommand({ TableName: localTableName(table), ExclusiveStartKey, ConsistentRead: true }),
          );
          for (const item of page.Items ?? [])
            items.push(`${table} ${JSON.stringify(Object.fromEntries(Object.entries(item).sort()))}`);
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey);
      }
    } finally {
      ddb.destroy();
    }
    return items.sort().join('\n');
  }

  /** Waits until the tables stop changing (the ingestion's and the aggregates' runs are asynchronous). */
  async function auRepos(): Promise<string> {
    let avant = await contenu();
    for (let i = 0; i < 60; i++) {
      await pause(1_500);
      const apres = await contenu();
      if (apres === avant) return apres;
      avant = apres;
    }
    throw new Error('les tables changent encore après une minute');
  }

  const enregistrement = async () => {
    const ddb = dynamoDbClient(cloud.dynamodbEndpoint, 1);
    try {
      return await enregistrementImport(ddb, importId);
    } finally {
      ddb.destroy();
    }
  };

  /** The S3 event delivered again, as from the on-failure destination: the ingestion handler run once more. */
  async function redelivrer() {
    const { handler } = await import('../../functions/laureats/ingerer');
    await handler(evenement, { getRemainingTimeInMillis: () => 900_000, awsRequestId: 'relance' } as Context);
  }

  beforeAll(async () => {
    // The registry the laureates are placed in (ANCT's lists of both generations).
    for (const res of await api.importerTerritoires('2019-2022', '2023-2027'))
      if (res.status !== 200) throw new Error(`import ${res.url}: ${res.status}`);
  });

  it('l’ingestion interrompue par la panne se termine exactement quand l’événement est redélivré ; redélivré encore, il ne change rien', async () => {
    // Dropped under exports/: the local cloud's trigger runs the ingestion, as EventBridge does in AWS.
    const s3 = s3Client(cloud.s3Endpoint);
    const octets = csvWindows1252(lignes);
    try {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: cle, Body: octets }));
      const tete = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: cle }));
      evenement = {
        Records: [
          {
            eventName: 'ObjectCreated:Put',
            s3: { bucket: { name: BUCKET }, object: { key: cle, size: octets.length, eTag: tete.ETag } },
          },
        ],
      };
    } finally {
      s3.destroy();
    }

    // Killed once a window or two is committed: in the middle of the file.
    const limite = Date.now() + 120_000;
    let curseur = 0;
    while (curseur < 2_000) {
      if (Date.now() > limite) throw new Error('l’ingestion n’avance pas');
      await pause(50);
      curseur = Number((await enregistrement())?.curseur?.N ?? 0);
    }
    await cloud.dynamodb.kill();
    // The trigger's attempts (Lambda's two retries) all fail while the database is down.
    await cloud.triggers.idle();
    await cloud.dynamodb.restart();

    const interrompu = await enregistrement();
    expect(interrompu?.statut?.S).toBe('en_cours');
    const curseurInterrompu = Number(interrompu?.curseur?.N);
    expect(curseurInterrompu).toBeGreaterThanOrEqual(2_000);
    expect(curseurInterrompu).toBeLessThan(lignes.length);

    await redelivrer();
    const rapport = await api.operateur(`/laureats/imports/${importId}`);
    expect(rapport.body.statut).toBe('termine');
    expect(rapport.body.lignes).toEqual(attenduPour(lignes));

    // Every laureate of the file once, written by this import.
    const stockes = (await contenu())
      .split('\n')
      .filter((l) => l.startsWith('laureats ') && l.includes('"sk":{"S":"laureat"}'))
      .map((l) => JSON.parse(l.slice('laureats '.length)) as Record<string, AttributeValue>);
    const ids = stockes.map((i) => i.pk?.S);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(attenduPour(lignes).nouvelles);
    expect(stockes.every((i) => i.importId?.S === importId)).toBe(true);

    // Duplicate events: the same S3 event delivered twice more leaves exactly the same data (the
    // laureates, the import's record and rows, and the aggregates the report's rewrite may recompute).
    const avant = await auRepos();
    await redelivrer();
    await redelivrer();
    expect(await auRepos()).toBe(avant);
  }, 300_000);
});
