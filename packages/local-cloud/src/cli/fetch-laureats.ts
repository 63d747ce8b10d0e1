/**
 * `npm run fetch:laureats -- [--dir <folder>]`: the scheduled fetch, on demand. Locally the folder
 * (default .local/bpifrance/) stands for Bpifrance's endpoint: its most recent .csv or .xlsx is the
 * latest export. The very handler EventBridge Scheduler runs in AWS (functions/laureats/recuperer.ts)
 * stores it under a dated key of the local laureates' bucket, once per content; the S3 event then
 * runs the ingestion, followed here to its end.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ResultatRecuperation } from '@ti/domain/laureats/recuperation';
import { localBucketName } from '@ti/platform/buckets';
import { env } from '@ti/platform/config';
import { importIdDe } from '@ti/platform/s3/laureats';
import type { Context } from 'aws-lambda';
import { defaultDataDir } from '../paths';
import { afficherResume, ouvrirSession, signalementsDe, suivreImport } from './laureats-commun';

const { values } = parseArgs({
  options: { dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  strict: true,
});
if (values.help) {
  console.log('usage: npm run fetch:laureats -- [--dir <dossier des exports>]  (défaut : .local/bpifrance)');
  process.exit(0);
}
const dossier = resolve(values.dir ?? `${defaultDataDir}/bpifrance`);
mkdirSync(dossier, { recursive: true });

const session = await ouvrirSession();
let code = 0;
try {
  process.env[env.localBpifranceDir] = dossier;
  const { handler } = await import('../../../../functions/laureats/recuperer');
  const resultat = (await handler({}, { awsRequestId: 'fetch-local' } as Context)) as ResultatRecuperation;
  if (resultat.statut === 'aucun_export') {
    console.log(`Aucun export dans ${dossier} : déposez-y un fichier .csv ou .xlsx de Bpifrance.`);
  } else if (resultat.statut === 'deja_recu') {
    console.log(
      `Dernier export déjà reçu le ${resultat.recuLe} (s3://${localBucketName('laureats')}/${resultat.cle}) : rien à faire.`,
    );
  } else {
    const bucket = localBucketName('laureats');
    console.error(`Déposé dans s3://${bucket}/${resultat.cle} : l'ingestion suit l'événement S3.`);
    const imp = await suivreImport(importIdDe({ bucket, cle: resultat.cle }), resultat.taille);
    await afficherResume(imp, await signalementsDe(imp), { apiUrl: session.apiUrl });
  }
} catch (error) {
  console.error((error as Error).message);
  code = 1;
} finally {
  await session.fermer();
}
process.exit(code);
