/**
 * `npm run ingest -- <file.csv|file.xlsx> [--dry-run]`: ingests a Bpifrance export into the local
 * cloud the way AWS does. The file is uploaded under `exports/` of the local laureates' bucket, s3rver
 * emits the S3 event and the local cloud runs functions/laureats/ingerer.ts on it (the cloud of
 * `npm start`, or one started for the command); a progress bar follows the import, then its summary.
 *
 * `--dry-run` uploads nothing and writes nothing: the file is read and compared with the laureates
 * of the local DynamoDB, and what would change is printed (new laureates, modified fields, rejects).
 */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type Changement, ingerer } from '@ti/domain/laureats/ingestion';
import type { Signalement } from '@ti/domain/laureats/ports';
import { localBucketName } from '@ti/platform/buckets';
import { importStoreDynamo, laureatStoreDynamo } from '@ti/platform/dynamodb/laureats';
import { rattachementParInstantane } from '@ti/platform/dynamodb/rattachement';
import { territoireStoreDynamo } from '@ti/platform/dynamodb/territoires';
import { lireTableauEnFlux } from '@ti/platform/fichiers/flux';
import { importIdDe, nomDeCle, PREFIXE_EXPORTS } from '@ti/platform/s3/laureats';
import { localTableName } from '@ti/platform/tables';
import { SingleBar } from 'cli-progress';
import { s3Client } from '../s3';
import { afficherResume, ouvrirSession, signalementsDe, suivreImport } from './laureats-commun';

const usage = 'usage: npm run ingest -- <export.csv|export.xlsx> [--dry-run]';

const { values, positionals } = parseArgs({
  options: { 'dry-run': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  allowPositionals: true,
  strict: true,
});
const fichier = positionals[0];
if (values.help || !fichier) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}
let taille: number;
try {
  taille = statSync(fichier).size;
} catch {
  console.error(`${fichier} : fichier introuvable\n${usage}`);
  process.exit(2);
}

const session = await ouvrirSession();
let code = 0;
try {
  if (values['dry-run']) await aBlanc(fichier, taille);
  else {
    const bucket = localBucketName('laureats');
    const cle = `${PREFIXE_EXPORTS}cli/${new Date().toISOString().replace(/[:.]/g, '-')}-${nomDeCle(basename(fichier))}`;
    const s3 = s3Client(session.s3Endpoint);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: cle,
        Body: createReadStream(fichier),
        ContentLength: taille,
      }),
    );
    s3.destroy();
    console.error(`Déposé dans s3://${bucket}/${cle} : l'ingestion suit l'événement S3.`);
    const imp = await suivreImport(importIdDe({ bucket, cle }), taille);
    await afficherResume(imp, await signalementsDe(imp), { apiUrl: session.apiUrl });
    if (imp.statut === 'rejete') code = 1;
  }
} catch (error) {
  console.error((error as Error).message);
  code = 1;
} finally {
  await session.fermer();
}
process.exit(code);

/** Reads and compares, writes nothing, prints what would change. */
async function aBlanc(chemin: string, octets: number) {
  const table = localTableName('laureats');
  const changements: Changement[] = [];
  const rejets: Signalement[] = [];
  const avertissements: Signalement[] = [];
  const barre = new SingleBar({
    format: ' {bar} {percentage} % | {lignes} lignes',
    hideCursor: true,
    stream: process.stderr,
  });
  barre.start(Math.max(1, octets), 0, { lignes: 0 });
  const imp = await ingerer(
    {
      laureats: laureatStoreDynamo(table),
      imports: importStoreDynamo(table),
      rattachement: rattachementParInstantane(territoireStoreDynamo(localTableName('territoires'))),
      rapports: {
        publier: async () => ({ json: '', rejetsCsv: '' }),
        liens: async () => ({ json: '', rejetsCsv: '', expiresAt: '' }),
      },
      horloge: { maintenant: () => new Date() },
    },
    { importId: 'a-blanc', objet: { bucket: 'local', cle: basename(chemin), taille: octets } },
    async () => lireTableauEnFlux(createReadStream(chemin)),
    {
      simulation: true,
      surChangement: (c) => changements.push(c),
      surSignalements: (liste) => {
        for (const s of liste) (s.type === 'rejet' ? rejets : avertissements).push(s);
      },
      surAvancement: (e) => barre.update(e.octetsLus, { lignes: e.lignes.total }),
    },
  );
  barre.update(octets);
  barre.stop();
  console.log('\nÀ blanc : rien n’est écrit. Ce qui changerait :');
  for (const c of changements.slice(0, 50)) {
    console.log(
      `  ${c.resultat === 'nouvelle' ? '+' : '~'} ligne ${c.ligne} ${c.identifiantProjet}${c.champs.length ? ` : ${c.champs.join(', ')}` : ' (nouveau)'}`,
    );
  }
  if (changements.length > 50) console.log(`  … et ${changements.length - 50} autres`);
  await afficherResume(imp, {
    rejets,
    avertissements,
    nbRejets: rejets.length,
    nbAvertissements: avertissements.length,
  });
}
