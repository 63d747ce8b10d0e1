import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { creerTable, dynamoDbClient } from '@ti/local-cloud/dynamodb';
import { applyEnvironment, handlerEnvironment } from '@ti/local-cloud/environment';
import { LOCAL_FORM_SOURCE, signBody } from '@ti/local-cloud/signature';
import { DIMENSIONS, METRIQUES } from '@ti/platform/metriques';
import { tableEnv, tables } from '@ti/platform/tables';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { creerCampagne, exemple } from '../support/api';
import { type CaptureEmf, capterEmf } from '../support/emf';
import { contexteLambda, evenementApi } from '../support/lambda';

/**
 * The business metrics of real handler modules, run in this process against the shared local cloud's
 * DynamoDB (the same tables, idempotency records included), with metrics enabled as in AWS and their
 * EMF documents captured from stdout: what the unit tests cannot reach without a database (an
 * idempotent replay, the last import's record, the probe's handler).
 */

type Lambda = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const OUVERTE = 'integ-metriques';
const CLOSE = 'integ-metriques-close';
/**
 * The last import is one item of the laureates' table: this file's own table, since imports of the files
 * before may still be ending in the shared one (their S3 triggers run in the background).
 */
const TABLE_LAUREATS = `ti-metriques-laureats-${process.pid}`;

let restaurer: () => void = () => {};
let capture: CaptureEmf;
let dynamodb: ReturnType<typeof dynamoDbClient>;

const emises = () => capture.emises();

const contexte = (id: string) => contexteLambda({ functionName: 'candidatures-deposer', awsRequestId: id });

function depot(corps: unknown, cle: string): APIGatewayProxyEvent {
  const brut = JSON.stringify(corps);
  return evenementApi({
    path: '/candidatures',
    headers: {
      'Content-Type': 'application/json',
      'X-Source': LOCAL_FORM_SOURCE.id,
      'X-Signature': signBody(brut, LOCAL_FORM_SOURCE.secret),
      'Idempotency-Key': cle,
    },
    body: brut,
    requestContext: { requestId: cle },
  });
}

beforeAll(async () => {
  await creerCampagne(OUVERTE, 'ouverte');
  await creerCampagne(CLOSE, 'close');
  dynamodb = dynamoDbClient(inject('dynamodbEndpoint'));
  await creerTable(dynamodb, tables.laureats, TABLE_LAUREATS);
  restaurer = applyEnvironment({
    ...handlerEnvironment({
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      s3Endpoint: inject('s3Endpoint'),
      quiet: true,
    }),
    // As in AWS: the local cloud's default (disabled) is what is under test elsewhere.
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // Read by the probe's module when it is loaded, below.
    [tableEnv('laureats')]: TABLE_LAUREATS,
  });
}, 60_000);

afterAll(async () => {
  restaurer();
  await dynamodb.send(new DeleteTableCommand({ TableName: TABLE_LAUREATS }));
  dynamodb.destroy();
});

beforeEach(() => {
  capture = capterEmf();
  return () => capture.arreter();
});

describe('POST /candidatures, le vrai handler avec son idempotence', () => {
  it('acceptée une fois ; rejouée (même clé) : reçue, pas acceptée ; fenêtre fermée et clé réutilisée : refusées', async () => {
    const { handler } = (await import('../../functions/candidatures/deposer')) as unknown as {
      handler: Lambda;
    };
    const corps = { ...exemple(), campagne: OUVERTE, nomTerritoire: `Métriques ${Date.now()}` };
    const cle = `metriques-${Date.now()}`;

    const premiere = await handler(depot(corps, cle), contexte('r1'));
    expect(premiere.statusCode, premiere.body).toBe(201);
    expect(emises().map((e) => e.nom)).toEqual([
      METRIQUES.candidaturesRecues,
      METRIQUES.candidaturesAcceptees,
    ]);

    const rejeu = await handler(depot(corps, cle), contexte('r2'));
    expect(rejeu.statusCode).toBe(201);
    expect(rejeu.headers?.['Idempotent-Replayed']).toBe('true');
    expect(JSON.parse(rejeu.body).id).toBe(JSON.parse(premiere.body).id);
    // Counted as received (the flush runs even though idempotency ended the chain early), not accepted.
    expect(emises().map((e) => e.nom)).toEqual([METRIQUES.candidaturesRecues]);

    const autreCorps = await handler(depot({ ...corps, nomTerritoire: 'Autre' }, cle), contexte('r3'));
    expect(autreCorps.statusCode).toBe(409);
    const fermee = await handler(depot({ ...corps, campagne: CLOSE }, `${cle}-close`), contexte('r4'));
    expect(fermee.statusCode).toBe(409);
    const refus = emises().filter((e) => e.nom === METRIQUES.candidaturesRefusees);
    expect(refus.map((e) => e.dimensions[DIMENSIONS.motif])).toEqual(['conflit', 'fenetre_fermee']);
    expect(refus.every((e) => e.unite === 'Count' && e.valeur === 1)).toBe(true);
  });
});

describe('le dernier import terminé et la sonde', () => {
  it('l’import clos « termine » devient le dernier ; ni un rejeté ni un plus ancien ne le remplacent ; la sonde en donne l’âge', async () => {
    const { importStoreDynamo } = await import('@ti/platform/dynamodb/laureats');
    const { avecDernierImport, dernierImportTermineDynamo } = await import(
      '@ti/platform/dynamodb/dernier-import'
    );
    const imports = avecDernierImport(importStoreDynamo(TABLE_LAUREATS), TABLE_LAUREATS);
    const dernier = dernierImportTermineDynamo(TABLE_LAUREATS);
    const base = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const clos = async (importId: string, statut: 'termine' | 'rejete', fin: number) => {
      const lignes = { total: 0, nouvelles: 0, modifiees: 0, inchangees: 0, rejetees: 0 };
      expect(
        await imports.creer({
          importId,
          fichier: `${importId}.csv`,
          statut: 'en_cours',
          debut: iso(fin - 60_000),
          lignes,
          curseur: 0,
          octetsLus: 0,
          objet: { bucket: 'ti-laureats', cle: `exports/${importId}.csv`, etag: importId, taille: 0 },
          nbRejets: 0,
          nbAvertissements: 0,
        }),
      ).toBe(true);
      const avancement = { curseur: 0, lignes, octetsLus: 0, nbRejets: 0, nbAvertissements: 0 };
      expect(await imports.clore(importId, 0, { ...avancement, statut, fin: iso(fin) })).toBe(true);
    };

    const recent = `metriques-recent-${base}`;
    await clos(recent, 'termine', base - 120_000);
    expect(await dernier()).toEqual({ importId: recent, fin: iso(base - 120_000) });
    await clos(`metriques-ancien-${base}`, 'termine', base - 3_600_000);
    await clos(`metriques-rejete-${base}`, 'rejete', base - 1_000);
    expect(await dernier()).toEqual({ importId: recent, fin: iso(base - 120_000) });

    const { handler } = (await import('../../functions/operations/sonder')) as unknown as {
      handler: (
        event: unknown,
        context: Context,
      ) => Promise<{ ageDernierImport?: number; ageAgregats?: number }>;
    };
    const resultat = await handler({}, contexte('sonde'));
    const liste = emises();
    const age = liste.find((e) => e.nom === METRIQUES.ageDernierImport);
    expect(age?.unite).toBe('Seconds');
    expect(age?.valeur).toBe(resultat.ageDernierImport);
    expect(age?.valeur).toBeGreaterThanOrEqual(120);
    expect(age?.valeur).toBeLessThan(180);
    // The aggregates may or may not have been computed by the files before this one: emitted iff dated.
    expect(liste.some((e) => e.nom === METRIQUES.ageAgregats)).toBe(resultat.ageAgregats !== undefined);
  });
});
