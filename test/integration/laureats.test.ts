import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { dynamoDbClient } from '@ti/local-cloud/dynamodb';
import { applyEnvironment, handlerEnvironment } from '@ti/local-cloud/environment';
import { repoRoot } from '@ti/local-cloud/paths';
import { s3Client } from '@ti/local-cloud/s3';
import { localBucketName } from '@ti/platform/buckets';
import { importIdDe } from '@ti/platform/s3/laureats';
import { localTableName } from '@ti/platform/tables';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importerTerritoires, jeton, operateur, type Reponse, rapportFinal } from '../support/api';
import { enregistrementImport } from '../support/client';
import {
  ATTENDU_OCTOBRE,
  ATTENDU_SEPTEMBRE,
  attenduPour,
  csvWindows1252,
  genererLignes,
} from '../support/laureats-exemples';

const BUCKET = localBucketName('laureats');
const TABLE = localTableName('laureats');
const exemple = (nom: string) => readFileSync(join(repoRoot, 'events', 'laureats', nom));

let s3: ReturnType<typeof s3Client>;
let dynamodb: ReturnType<typeof dynamoDbClient>;
const environnement = () =>
  handlerEnvironment({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    s3Endpoint: inject('s3Endpoint'),
    quiet: true,
  });

beforeAll(async () => {
  s3 = s3Client(inject('s3Endpoint'));
  dynamodb = dynamoDbClient(inject('dynamodbEndpoint'));
  // The registry the laureates are placed in (ANCT's lists of both generations).
  for (const res of await importerTerritoires('2019-2022', '2023-2027')) {
    expect(res.status, await res.text()).toBe(200);
  }
});

afterAll(() => {
  s3?.destroy();
  dynamodb?.destroy();
});

/** `POST /laureats/imports`, then the upload to the presigned URL: the operator's path. */
async function deposer(fichier: string, octets: Buffer): Promise<string> {
  const demande = await operateur('/laureats/imports', { method: 'POST', body: { fichier } });
  expect(demande.status).toBe(201);
  const envoi = await fetch(demande.body.uploadUrl, { method: 'PUT', body: octets });
  expect(envoi.status, await envoi.text()).toBe(200);
  return demande.body.importId;
}

/** An operator's drop straight into the bucket, under the exports prefix. */
async function deposerDansLeSeau(cle: string, octets: Buffer): Promise<string> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: cle, Body: octets }));
  return importIdDe({ bucket: BUCKET, cle });
}

const laureat = async (id: string) =>
  (
    await dynamodb.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `laureat#${id}` }, sk: { S: 'laureat' } } }),
    )
  ).Item;

describe('POST /laureats/imports', () => {
  it('réservé aux opérateurs nationaux ; un nom de fichier .csv ou .xlsx sans chemin', async () => {
    const regional = await operateur('/laureats/imports', {
      method: 'POST',
      body: { fichier: 'export.csv' },
      token: await jeton('regional', '32'),
    });
    expect(regional.status).toBe(403);
    const pdf = await operateur('/laureats/imports', { method: 'POST', body: { fichier: '../export.pdf' } });
    expect(pdf.status).toBe(400);
    expect(pdf.body.errors[0].path).toBe('fichier');
    const inconnu = await operateur('/laureats/imports/00000000-0000-4000-8000-000000000000');
    expect(inconnu.status).toBe(404);
  });
});

describe('ingestion des exports Bpifrance dans le cloud local', () => {
  let septembre: string;

  it('Windows-1252 « ; » virgules décimales, déposé par l’API : comptes exacts, chaque rejet nommé, rapports écrits', async () => {
    septembre = await deposer('export-2021-09.csv', exemple('export-2021-09-windows1252.csv'));
    const { body } = await rapportFinal(septembre);
    expect(body).toMatchObject({ importId: septembre, fichier: 'export-2021-09.csv', statut: 'termine' });
    expect(body.lignes).toEqual(ATTENDU_SEPTEMBRE.lignes);
    expect(
      body.rejets.map((r: { ligne: number; colonne?: string }) => ({ ligne: r.ligne, colonne: r.colonne })),
    ).toEqual(ATTENDU_SEPTEMBRE.rejets);
    expect(body.rejets[2].motif).toBe('Date invalide « 31/02/2021 » (attendu : JJ/MM/AAAA)');
    expect([...new Set(body.avertissements.map((a: { ligne: number }) => a.ligne))]).toEqual(
      ATTENDU_SEPTEMBRE.avertissements,
    );

    const csv = Buffer.from(await (await fetch(body.rapport.rejetsCsv)).arrayBuffer());
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const texte = csv.subarray(3).toString('utf8');
    expect(texte.split('\r\n').slice(0, 2)).toEqual([
      'Ligne;Colonne;Motif',
      '8;SIRET;SIRET 55212034200018 invalide (clé de contrôle)',
    ]);
    expect(texte.trim().split('\r\n')).toHaveLength(1 + ATTENDU_SEPTEMBRE.rejets.length);
    const json = (await (await fetch(body.rapport.json)).json()) as { lignes: unknown; rejets: unknown };
    expect(json.lignes).toEqual(body.lignes);
    expect(json.rejets).toEqual(body.rejets);

    expect((await laureat('FAIIT-2021-004512'))?.codeCommune?.S).toBe('01053');
    expect((await laureat('FAIIT-2021-004513'))?.codeCommune?.S).toBe('2A004');
  });

  it('le même export en UTF-8 avec BOM « , » déposé dans le seau, puis en XLSX : rien de nouveau, rien de modifié', async () => {
    const inchange = { ...ATTENDU_SEPTEMBRE.lignes, nouvelles: 0, modifiees: 0, inchangees: 11 };
    const utf8 = await deposerDansLeSeau(
      'exports/operateur/export-2021-09-utf8.csv',
      exemple('export-2021-09-utf8-bom.csv'),
    );
    expect((await rapportFinal(utf8)).body.lignes).toEqual(inchange);
    const classeur = await deposer('export-2021-09.xlsx', exemple('export-2021-09.xlsx'));
    const { body } = await rapportFinal(classeur);
    expect(body.lignes).toEqual(inchange);
    expect(body.rejets.map((r: { ligne: number }) => r.ligne)).toEqual(
      ATTENDU_SEPTEMBRE.rejets.map((r) => r.ligne),
    );
    expect((await laureat('FAIIT-2021-004512'))?.importId?.S).toBe(septembre);
  });

  it('GET /laureats par région et par territoire, en euros ; un opérateur régional voit sa région', async () => {
    const region = await operateur('/laureats?region=84&limit=50');
    expect(region.status).toBe(200);
    const ids = region.body.items.map((l: { identifiantProjet: string }) => l.identifiantProjet);
    expect(ids).toEqual(['FAIIT-2021-004512', 'FAIIT-2021-004515', 'FAIIT-2021-004518']);
    expect(region.body.items[0]).toMatchObject({
      codeCommune: '01053',
      codeRegion: '84',
      investissement: 1234567.89,
      aideEtat: 200000,
      aideRegion: 50000,
      enjeuxTE: ['Biosourcé', 'Décarbonation'],
      importId: septembre,
    });
    expect(region.body.items[1].territoires).toEqual(['ti-8002', 'ti-8419']);

    const territoire = await operateur('/laureats?territoire=ti-8418');
    expect(territoire.body.items.map((l: { identifiantProjet: string }) => l.identifiantProjet)).toEqual([
      'FAIIT-2021-004514',
    ]);

    const page = await operateur('/laureats?limit=4');
    expect(page.body.items).toHaveLength(4);
    expect(page.body.nextCursor).toEqual(expect.any(String));

    const regional = await jeton('regional', '32');
    expect((await operateur('/laureats?region=84', { token: regional })).status).toBe(403);
    const sienne = await operateur('/laureats', { token: regional });
    expect(sienne.body.items.map((l: { codeRegion: string }) => l.codeRegion)).toEqual(['32', '32']);
  });

  it('réingérer le même fichier ne change rien ; l’export suivant met à jour exactement les lignes changées', async () => {
    const encore = await deposer('export-2021-09-bis.csv', exemple('export-2021-09-windows1252.csv'));
    expect((await rapportFinal(encore)).body.lignes).toMatchObject({ nouvelles: 0, modifiees: 0 });

    const avant = new Map<string, string | undefined>();
    for (const id of ATTENDU_SEPTEMBRE.laureats) avant.set(id, (await laureat(id))?.empreinte?.S);
    const octobre = await deposerDansLeSeau(
      'exports/bpifrance/2021-10-04/export-2021-10.csv',
      exemple('export-2021-10.csv'),
    );
    const { body } = await rapportFinal(octobre);
    expect(body.lignes).toEqual(ATTENDU_OCTOBRE.lignes);
    const changes: string[] = [];
    for (const id of ATTENDU_SEPTEMBRE.laureats) {
      const item = await laureat(id);
      if (item?.empreinte?.S !== avant.get(id)) changes.push(id);
      expect(item?.importId?.S).toBe(ATTENDU_OCTOBRE.modifies.includes(id) ? octobre : septembre);
    }
    expect(changes.sort()).toEqual([...ATTENDU_OCTOBRE.modifies].sort());
    const territoire = await operateur('/laureats?territoire=ti-8418');
    expect(territoire.body.items.map((l: { identifiantProjet: string }) => l.identifiantProjet)).toEqual([
      'FAIIT-2021-004514',
      'FAIIT-2021-004518',
      'FAIIT-2021-004600',
    ]);
  });

  it('le même événement S3 reçu une seconde fois ne change rien', async () => {
    const cle = 'exports/bpifrance/2021-10-04/export-2021-10.csv';
    const importId = importIdDe({ bucket: BUCKET, cle });
    const avant = (await rapportFinal(importId)).body;
    const tete = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: cle }));
    const restaurer = applyEnvironment(environnement());
    try {
      const { handler } = await import('../../functions/laureats/ingerer');
      const evenement = JSON.parse(
        readFileSync(join(repoRoot, 'events', 'laureats', 'evenement-s3.json'), 'utf8'),
      );
      evenement.Records[0].s3.bucket.name = BUCKET;
      evenement.Records[0].s3.object.eTag = tete.ETag;
      evenement.Records[0].s3.object.size = tete.ContentLength;
      await handler(evenement, {
        getRemainingTimeInMillis: () => 900_000,
        awsRequestId: 'doublon',
      } as Context);
    } finally {
      restaurer();
    }
    const apres = (await rapportFinal(importId)).body;
    expect({ ...apres, rapport: undefined }).toEqual({ ...avant, rapport: undefined });
    expect((await laureat('FAIIT-2021-004514'))?.importId?.S).toBe(importId);
  });

  it('une colonne obligatoire manquante : le fichier est rejeté en entier et le rapport nomme les colonnes', async () => {
    const incomplet = Buffer.from(
      'Identifiant projet;Raison sociale;SIRET\r\nFAIIT-2021-777;ACME;55212034200019\r\n',
    );
    const { body } = await rapportFinal(await deposer('incomplet.csv', incomplet));
    expect(body.statut).toBe('rejete');
    expect(body.colonnesManquantes).toEqual([
      'Dispositif',
      'Date de décision',
      'Intitulé du projet',
      'Code commune',
      'Montant investissement',
      'Aide État',
    ]);
    expect(body.lignes.total).toBe(0);
    expect(await laureat('FAIIT-2021-777')).toBeUndefined();
  });
});

describe('tuer l’ingestion à mi-fichier puis la relancer', () => {
  // Metropolitan communes only: other test files of the shared local cloud expect overseas regions empty.
  const lignes = genererLignes(20_000, { graine: 11, prefixe: 'FAIIT-KILL', outreMer: false });
  const cle = 'essais/kill-and-rerun.csv';
  let enfant: ChildProcess | undefined;

  afterAll(() => {
    if (enfant && enfant.exitCode === null) enfant.kill('SIGKILL');
  });

  const lancer = (evenement: unknown) => {
    enfant = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'test/support/ingerer-enfant.ts'), JSON.stringify(evenement)],
      {
        cwd: repoRoot,
        env: { ...process.env, ...environnement() },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const erreurs: string[] = [];
    enfant.stderr?.on('data', (d: Buffer) => erreurs.push(d.toString()));
    const fin = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      enfant?.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return { processus: enfant, fin, erreurs };
  };

  const enregistrement = (importId: string) => enregistrementImport(dynamodb, importId);

  it('SIGKILL à mi-chemin, relance : les mêmes lignes, ni doublées ni perdues, et des comptes exacts', async () => {
    // Outside `exports/`: the local cloud's trigger leaves it to the processes of this test.
    const octets = csvWindows1252(lignes);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: cle, Body: octets }));
    const tete = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: cle }));
    const evenement = {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: BUCKET }, object: { key: cle, size: octets.length, eTag: tete.ETag } },
        },
      ],
    };
    const importId = importIdDe({ bucket: BUCKET, cle });

    const premier = lancer(evenement);
    let curseur = 0;
    const limite = Date.now() + 90_000;
    while (curseur < 6_000) {
      if (premier.processus.exitCode !== null)
        throw new Error(`ended before the kill: ${premier.erreurs.join('')}`);
      if (Date.now() > limite) throw new Error('no progress');
      await new Promise((r) => setTimeout(r, 20));
      curseur = Number((await enregistrement(importId))?.curseur?.N ?? 0);
    }
    // A moment later, so that the kill lands in the middle of the next window's writes.
    await new Promise((r) => setTimeout(r, 150));
    premier.processus.kill('SIGKILL');
    expect((await premier.fin).signal).toBe('SIGKILL');
    const interrompu = await enregistrement(importId);
    expect(interrompu?.statut?.S).toBe('en_cours');
    const curseurInterrompu = Number(interrompu?.curseur?.N);
    expect(curseurInterrompu).toBeGreaterThan(0);
    expect(curseurInterrompu).toBeLessThan(lignes.length);

    const second = lancer(evenement);
    const { code } = await second.fin;
    expect(code, second.erreurs.join('')).toBe(0);

    const attendu = attenduPour(lignes);
    const final = (await rapportFinal(importId)).body;
    expect(final.statut).toBe('termine');
    expect(final.lignes).toEqual(attendu);

    // Every laureate of the file once, written by this import (the national listing, page by page).
    const ids = new Set<string>();
    let cursor: string | null = null;
    do {
      const res: Reponse = await operateur(
        `/laureats?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      for (const l of res.body.items as { identifiantProjet: string; importId: string }[]) {
        if (!l.identifiantProjet.startsWith('FAIIT-KILL')) continue;
        expect(ids.has(l.identifiantProjet)).toBe(false);
        ids.add(l.identifiantProjet);
        expect(l.importId).toBe(importId);
      }
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(ids.size).toBe(attendu.nouvelles);
  }, 240_000);
});
