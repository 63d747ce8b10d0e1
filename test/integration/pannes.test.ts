/**
 * Faults (issue 7, "Proof"): DynamoDB Local killed (SIGKILL, as a crash) in the middle of a burst of
 * submissions, then restarted on the same port and data folder. On a dedicated local cloud with a
 * persistent data folder (the shared one runs DynamoDB in memory, and killing it would break the others).
 *
 * Asserted: no request hangs (each bounded by a 20 s timeout); every answer is a 201 or, only while the
 * database is down, a 503 problem+json with `Retry-After`; the API serves again after the restart with
 * no restart of its own; every 201 is found again (by id and in DynamoDB); nothing is stored twice; and a
 * client that retries its 503s with the same `Idempotency-Key` ends with exactly one candidature.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { enParallele } from '@ti/domain/commun/parallele';
import { dynamoDbClient } from '@ti/local-cloud/dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '@ti/local-cloud/environment';
import { type LocalCloud, startLocalCloud } from '@ti/local-cloud/local-cloud';
import { clientIdempotence } from '@ti/platform/http/idempotence';
import { localTableName } from '@ti/platform/tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientApi, clientApi, exemple } from '../support/client';

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
  dataDir = mkdtempSync(join(tmpdir(), 'ti-pannes-'));
  cloud = await startLocalCloud({
    port: 0,
    dynamodbPort: 0,
    s3Port: 0,
    dataDir,
    quiet: true,
    seedDemo: false,
  });
  // The outage makes every handler log its 503s: expected, and asserted below. PANNES_JOURNAUX=1 shows them.
  if (!process.env.PANNES_JOURNAUX) process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
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
      expect(lue.status, `${nomDe(e.i)} (201) introuvable après la relance`).toBe(200);
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
