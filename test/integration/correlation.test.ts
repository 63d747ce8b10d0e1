import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ExportRecupere } from '@ti/domain/laureats/recuperation';
import { dynamoDbClient } from '@ti/local-cloud/dynamodb';
import { applyEnvironment, handlerEnvironment } from '@ti/local-cloud/environment';
import { s3Client } from '@ti/local-cloud/s3';
import { localBucketName } from '@ti/platform/buckets';
import { logger } from '@ti/platform/observabilite';
import { cleDepot, importIdDe, stockageExportsS3 } from '@ti/platform/s3/laureats';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { operateur, rapportFinal } from '../support/api';
import { enregistrementImport } from '../support/client';
import { contexteLambda } from '../support/lambda';

/**
 * The correlation id of an import, from the request (or the scheduled run) that stored the export to
 * the ingestion's logs, the report's files, the import record and the aggregates' logs.
 */

const BUCKET = localBucketName('laureats');
/** Rejected as a whole (mandatory columns missing): a report, and nothing written to the shared cloud. */
const INCOMPLET = Buffer.from(
  'Identifiant projet;Raison sociale;SIRET\r\nFAIIT-2021-888;ACME;55212034200019\r\n',
);

let s3: ReturnType<typeof s3Client>;
let dynamodb: ReturnType<typeof dynamoDbClient>;
const dossier = mkdtempSync(join(tmpdir(), 'ti-correlation-'));

beforeAll(() => {
  s3 = s3Client(inject('s3Endpoint'));
  dynamodb = dynamoDbClient(inject('dynamodbEndpoint'));
});
afterAll(() => {
  s3?.destroy();
  dynamodb?.destroy();
  rmSync(dossier, { recursive: true, force: true });
});

const metadonnee = async (cle: string) =>
  (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: cle }))).Metadata?.['correlation-id'];

const correlationEnregistree = async (importId: string) =>
  (await enregistrementImport(dynamodb, importId))?.correlationId?.S;

/** The log entries the handlers write in this process (Powertools writes JSON lines to stdout/stderr). */
async function journal(fn: () => Promise<unknown>): Promise<Record<string, any>[]> {
  const lignes: string[] = [];
  const capter = (morceau: unknown) => {
    lignes.push(String(morceau));
    return true;
  };
  // The entries looked at are INFO ones; the handlers' environment says WARN (quiet), and Powertools
  // goes back to the level it was created with at each invocation: kept at INFO for the capture.
  const niveau = logger.getLevelName();
  logger.setLogLevel('INFO');
  const rafraichir = vi.spyOn(logger, 'refreshSampleRateCalculation').mockImplementation(() => {});
  const sortie = vi.spyOn(process.stdout, 'write').mockImplementation(capter);
  const erreurs = vi.spyOn(process.stderr, 'write').mockImplementation(capter);
  try {
    await fn();
  } finally {
    sortie.mockRestore();
    erreurs.mockRestore();
    rafraichir.mockRestore();
    logger.setLogLevel(niveau);
  }
  return lignes
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

const contexte = (id: string) =>
  contexteLambda({ awsRequestId: id, functionName: 'essai', getRemainingTimeInMillis: () => 900_000 });

const evenementS3 = (cle: string) => ({
  Records: [
    { eventName: 'ObjectCreated:Put', s3: { bucket: { name: BUCKET }, object: { key: cle, size: 0 } } },
  ],
});

describe('identifiant de corrélation d’un import de lauréats', () => {
  it('POST /laureats/imports : X-Correlation-Id suit le fichier déposé, l’import et son rapport', async () => {
    const id = `essai-import-${randomUUID()}`;
    const demande = await operateur('/laureats/imports', {
      method: 'POST',
      body: { fichier: 'correlation.csv' },
      headers: { 'X-Correlation-Id': id },
    });
    expect(demande.status).toBe(201);
    expect(demande.headers.get('x-correlation-id')).toBe(id);
    const { importId, uploadUrl } = demande.body as { importId: string; uploadUrl: string };
    // Signed in the URL's query string: the uploader sends no header of its own (`curl -T` works).
    expect(new URL(uploadUrl).searchParams.get('x-amz-meta-correlation-id')).toBe(id);
    const envoi = await fetch(uploadUrl, { method: 'PUT', body: INCOMPLET });
    expect(envoi.status, await envoi.text()).toBe(200);
    expect(await metadonnee(cleDepot(importId, 'correlation.csv'))).toBe(id);

    const { body } = await rapportFinal(importId);
    expect(body.statut).toBe('rejete');
    expect(await correlationEnregistree(importId)).toBe(id);
    expect(await metadonnee(`rapports/${importId}/rapport.json`)).toBe(id);
    expect(await metadonnee(`rapports/${importId}/rejets.csv`)).toBe(id);

    // A malformed one is neither echoed nor stored: API Gateway's request id stands in for it.
    const mauvaise = await operateur('/laureats/imports', {
      method: 'POST',
      body: { fichier: 'correlation.csv' },
      headers: { 'X-Correlation-Id': 'avec des espaces' },
    });
    expect(mauvaise.status).toBe(201);
    const remplacant = mauvaise.headers.get('x-correlation-id');
    expect(remplacant).toBe(mauvaise.headers.get('x-amzn-requestid'));
    expect(new URL(mauvaise.body.uploadUrl).searchParams.get('x-amz-meta-correlation-id')).toBe(remplacant);
  });

  it('la récupération planifiée stocke l’export avec l’identifiant de son exécution', async () => {
    const chemin = join(dossier, 'export.csv');
    writeFileSync(chemin, INCOMPLET);
    // Outside `exports/`: stored, not ingested.
    const cle = `essais/correlation/${randomUUID()}.csv`;
    await stockageExportsS3(BUCKET, () => 'recuperation-planifiee-1').deposer(cle, {
      chemin,
      nom: 'export.csv',
      taille: INCOMPLET.length,
      extension: 'csv',
      sha256: 'a'.repeat(64),
    } satisfies ExportRecupere);
    expect(await metadonnee(cle)).toBe('recuperation-planifiee-1');
  });

  it('l’ingestion journalise sous l’identifiant de l’export, les agrégats sous celui de l’import ; à la main : l’import', async () => {
    const restaurer = applyEnvironment(
      handlerEnvironment({
        dynamodbEndpoint: inject('dynamodbEndpoint'),
        s3Endpoint: inject('s3Endpoint'),
        quiet: true,
      }),
    );
    try {
      const { handler: ingerer } = await import('../../functions/laureats/ingerer');
      const { handler: recalculer } = await import('../../functions/agregats/recalculer');
      // Outside `exports/`: the local cloud's trigger leaves them to this test.
      const avec = `essais/correlation/${randomUUID()}-avec.csv`;
      const sans = `essais/correlation/${randomUUID()}-sans.csv`;
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: avec,
          Body: INCOMPLET,
          Metadata: { 'correlation-id': 'appel-amont-7' },
        }),
      );
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: sans, Body: INCOMPLET }));

      const entrees = await journal(() => ingerer(evenementS3(avec), contexte('ingestion-1')));
      const fin = entrees.find((e) => e.message === 'Import ended');
      const importAvec = importIdDe({ bucket: BUCKET, cle: avec });
      expect(fin).toMatchObject({ correlation_id: 'appel-amont-7', importId: importAvec, statut: 'rejete' });
      expect(await metadonnee(`rapports/${importAvec}/rapport.json`)).toBe('appel-amont-7');

      const importSans = importIdDe({ bucket: BUCKET, cle: sans });
      const aLaMain = await journal(() => ingerer(evenementS3(sans), contexte('ingestion-2')));
      expect(aLaMain.find((e) => e.message === 'Import ended')?.correlation_id).toBe(importSans);
      expect(await metadonnee(`rapports/${importSans}/rapport.json`)).toBe(importSans);

      // The report's event runs the aggregates' recompute: it logs under the import's correlation id.
      const recalcul = await journal(() =>
        recalculer(evenementS3(`rapports/${importAvec}/rapport.json`), contexte('recalcul-1')),
      );
      expect(recalcul.find((e) => e.message === 'Aggregates recomputed')).toMatchObject({
        correlation_id: 'appel-amont-7',
        importIds: [importAvec],
      });
    } finally {
      restaurer();
    }
  });
});
