import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchWriteItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { codesRegions } from '@ti/domain/geographie/officielle';
import { dynamoDbClient } from '@ti/local-cloud/dynamodb';
import { applyEnvironment, handlerEnvironment } from '@ti/local-cloud/environment';
import { repoRoot } from '@ti/local-cloud/paths';
import { s3Client } from '@ti/local-cloud/s3';
import { localBucketName } from '@ti/platform/buckets';
import { importIdDe } from '@ti/platform/s3/laureats';
import { localTableName } from '@ti/platform/tables';
import type { Context } from 'aws-lambda';
import { parse } from 'csv-parse/sync';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { baseUrl, envoyerSigne, exemple, importerTerritoires, operateur } from '../support/api';

/**
 * The aggregates end to end on the local cloud: an export dropped in the laureates' bucket is ingested,
 * its report triggers the recompute, `/agregats` and the open-data files follow, with no other command.
 * The cloud is shared with the other test files, so the expected figures are differences: after minus
 * before, against sums computed here from the file's accepted rows. The laureates and the fiche this
 * file adds are removed at the end (other files list laureates by region and territory).
 */

const FICHIER = join(repoRoot, 'events', 'agregats', 'export-bpifrance-2021-09-24.csv');
const CLE = 'exports/operateur/agregats/export-bpifrance-2021-09-24.csv';
const BUCKET_LAUREATS = localBucketName('laureats');
const BUCKET_OPENDATA = localBucketName('opendata');
const TABLE_AGREGATS = localTableName('agregats');
/** The rows this sample gets wrong on purpose: bad SIRET, no amount, unknown commune, negative amount. */
const LIGNES_REJETEES = [9, 11, 13, 16];
/** Region of each commune of the sample (INSEE), written here rather than derived by the code under test. */
const REGION_DE: Record<string, string> = {
  '76035': '28',
  '76255': '28',
  '76101': '28',
  '76192': '28',
  '14118': '28',
  '35238': '53',
  '31555': '76',
  '75056': '11',
  '67482': '44',
  '44109': '52',
  '21231': '27',
  '45234': '24',
  '97105': '01',
};
const CHROMIUM = '/usr/bin/chromium';

type Agregat = any;
const importId = importIdDe({ bucket: BUCKET_LAUREATS, cle: CLE });
let s3: ReturnType<typeof s3Client>;
let dynamodb: ReturnType<typeof dynamoDbClient>;
let restaurer: () => void = () => {};
let recalculer: (event: unknown, context: Context) => Promise<any>;
let avant: Agregat;
let ficheId: string | undefined;

const attendre = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function jusqua<T>(quoi: string, lire: () => Promise<T | undefined>, delaiMs = 90_000): Promise<T> {
  const limite = Date.now() + delaiMs;
  for (;;) {
    const valeur = await lire();
    if (valeur !== undefined) return valeur;
    if (Date.now() > limite) throw new Error(`${quoi} : toujours pas après ${delaiMs / 1000} s`);
    await attendre(200);
  }
}

const contexte = { getRemainingTimeInMillis: () => 600_000 } as Context;
const planifie = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
const evenementRapport = (taille: number) => ({
  Records: [
    {
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: BUCKET_LAUREATS },
        object: { key: `rapports/${importId}/rapport.json`, size: taille },
      },
    },
  ],
});

async function lireTexte(chemin: string) {
  const res = await fetch(`${baseUrl()}${chemin}`);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    octets: Buffer.from(await res.arrayBuffer()),
  };
}

/** `1 234,56`, `63 000,00 €` → cents, by string operations only. */
function centimes(texte: string): number {
  const t = texte.replace(/[\s\u00a0\u202f€]/g, '');
  if (t === '') return 0;
  const [entier = '0', decimales = ''] = t.split(',');
  return Number(entier) * 100 + Number(decimales.padEnd(2, '0'));
}

interface Attendu {
  nb: number;
  enTerritoire: number;
  investissement: number;
  aideEtat: number;
  aideRegion: number;
  emplois: number;
  tailles: Record<'TPE' | 'PME' | 'ETI' | 'GE' | 'autre', number>;
  enjeux: Record<
    'relocalisation' | 'formation' | 'transitionEcologique',
    { nb: number; investissement: number; emplois: number }
  >;
  fragile: number;
}

const attenduVide = (): Attendu => ({
  nb: 0,
  enTerritoire: 0,
  investissement: 0,
  aideEtat: 0,
  aideRegion: 0,
  emplois: 0,
  tailles: { TPE: 0, PME: 0, ETI: 0, GE: 0, autre: 0 },
  enjeux: {
    relocalisation: { nb: 0, investissement: 0, emplois: 0 },
    formation: { nb: 0, investissement: 0, emplois: 0 },
    transitionEcologique: { nb: 0, investissement: 0, emplois: 0 },
  },
  fragile: 0,
});

/** The communes of the territories of one generation, from ANCT's list as the repository holds it. */
function communesDe(generation: string): Set<string> {
  const lignes = parse(readFileSync(join(repoRoot, 'events', `territoires-${generation}.csv`)), {
    delimiter: ';',
    bom: true,
    from_line: 2,
  }) as string[][];
  return new Set(lignes.map((l) => (l[0] as string).padStart(5, '0')));
}

/**
 * The sums the aggregates must move by, computed from the file alone: its accepted rows (all but the
 * rejected lines), the later of two rows with the same project id winning.
 */
function attendusDuFichier(communesEnTerritoire: Set<string>) {
  const [entete = [], ...lignes] = parse(readFileSync(FICHIER), { delimiter: ';', bom: true }) as string[][];
  const col = (nom: string) => {
    const i = entete.indexOf(nom);
    if (i < 0) throw new Error(`colonne ${nom} absente`);
    return i;
  };
  const retenues = new Map<string, string[]>();
  lignes.forEach((cellules, i) => {
    if (!LIGNES_REJETEES.includes(i + 2))
      retenues.set(cellules[col('Identifiant projet')] as string, cellules);
  });
  const national = attenduVide();
  const regions = new Map<string, Attendu>();
  const ids: string[] = [];
  for (const [id, c] of retenues) {
    ids.push(id);
    const v = (nom: string) => (c[col(nom)] as string).trim();
    const commune = v('Code commune');
    const region = REGION_DE[commune];
    if (!region) throw new Error(`commune ${commune} sans région dans REGION_DE`);
    if (!regions.has(region)) regions.set(region, attenduVide());
    const investissement = centimes(v('Montant investissement (€)'));
    const emplois = Number(v('Emplois prévus') || '0');
    const categorie = v('Catégorie entreprise');
    for (const a of [national, regions.get(region) as Attendu]) {
      a.nb += 1;
      if (communesEnTerritoire.has(commune)) a.enTerritoire += 1;
      a.investissement += investissement;
      a.aideEtat += centimes(v('Aide État'));
      a.aideRegion += centimes(v('Aide Région'));
      a.emplois += emplois;
      a.tailles[(['TPE', 'PME', 'ETI', 'GE'].includes(categorie) ? categorie : 'autre') as 'TPE'] += 1;
      for (const [enjeu, colonne] of [
        ['relocalisation', 'Relocalisation'],
        ['formation', 'Formation'],
        ['transitionEcologique', 'Transition écologique'],
      ] as const) {
        if (v(colonne) !== 'Oui') continue;
        a.enjeux[enjeu].nb += 1;
        a.enjeux[enjeu].investissement += investissement;
        a.enjeux[enjeu].emplois += emplois;
      }
      if (v('Territoire fragile') === 'Oui') a.fragile += 1;
    }
  }
  return { national, regions, ids };
}

const enCentimes = (euros: number | undefined) => Math.round((euros ?? 0) * 100);

/** After − before, in the file's units (cents for amounts). */
function difference(apres: Agregat | undefined, avantA: Agregat | undefined): Attendu {
  const x = (f: (a: Agregat) => number) => (apres ? f(apres) : 0) - (avantA ? f(avantA) : 0);
  const enjeu = (nom: string) => ({
    nb: x((a) => a.parEnjeu[nom].nb),
    investissement: x((a) => enCentimes(a.parEnjeu[nom].investissement)),
    emplois: x((a) => a.parEnjeu[nom].emplois),
  });
  return {
    nb: x((a) => a.nbLaureats),
    enTerritoire: x((a) => a.nbLaureatsEnTerritoire),
    investissement: x((a) => enCentimes(a.investissement)),
    aideEtat: x((a) => enCentimes(a.aideEtat)),
    aideRegion: x((a) => enCentimes(a.aideRegion)),
    emplois: x((a) => a.emploisPrevus),
    tailles: {
      TPE: x((a) => a.parTaille.TPE),
      PME: x((a) => a.parTaille.PME),
      ETI: x((a) => a.parTaille.ETI),
      GE: x((a) => a.parTaille.GE),
      autre: x((a) => a.parTaille.autre),
    },
    enjeux: {
      relocalisation: enjeu('relocalisation'),
      formation: enjeu('formation'),
      transitionEcologique: enjeu('transitionEcologique'),
    },
    fragile: x((a) => a.enTerritoireFragile),
  };
}

const region = (doc: Agregat, code: string) => doc.regions.find((r: { code: string }) => r.code === code);

/** Every item of the aggregates' table, and the three files' ETag and date, as stored. */
async function etatStocke() {
  const items = await dynamodb.send(new ScanCommand({ TableName: TABLE_AGREGATS, ConsistentRead: true }));
  const fichiers = [];
  for (const nom of ['regions.json', 'regions.csv', 'index.html']) {
    const tete = await s3.send(new HeadObjectCommand({ Bucket: BUCKET_OPENDATA, Key: `agregats/${nom}` }));
    fichiers.push([nom, tete.ETag, tete.LastModified?.toISOString()]);
  }
  const tries = (items.Items ?? []).sort((a, b) => ((a.sk?.S ?? '') < (b.sk?.S ?? '') ? -1 : 1));
  return JSON.stringify({ items: tries, fichiers });
}

/** The published `regions.json` once it says the same as `GET /agregats` (written just after the items). */
async function publie(): Promise<Agregat> {
  return jusqua('les fichiers publiés', async () => {
    const api = await fetch(`${baseUrl()}/agregats`);
    const fichier = await lireTexte('/open-data/agregats/regions.json');
    if (api.status !== 200 || fichier.status !== 200) return undefined;
    const doc = await api.json();
    return JSON.stringify(JSON.parse(fichier.octets.toString('utf8'))) === JSON.stringify(doc)
      ? doc
      : undefined;
  });
}

beforeAll(async () => {
  s3 = s3Client(inject('s3Endpoint'));
  dynamodb = dynamoDbClient(inject('dynamodbEndpoint'));
  for (const res of await importerTerritoires('2019-2022', '2023-2027')) {
    expect(res.status, await res.text()).toBe(200);
  }
  // The recompute handler, called here the way Lambda calls it (same module, same tables and buckets).
  restaurer = applyEnvironment(
    handlerEnvironment({
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      s3Endpoint: inject('s3Endpoint'),
      quiet: true,
    }),
  );
  ({ handler: recalculer } = await import('../../functions/agregats/recalculer'));
  await recalculer(planifie, contexte);
  avant = await publie();
}, 180_000);

afterAll(async () => {
  try {
    // Leave the shared cloud as found: this file's laureates (with their memberships) and fiche go.
    const [, ...lignes] = parse(readFileSync(FICHIER), { delimiter: ';', bom: true }) as string[][];
    const aRetirer = [...new Set(lignes.map((l) => l[0] as string))].map((id) => ({
      table: localTableName('laureats'),
      pk: `laureat#${id}`,
    }));
    if (ficheId) aRetirer.push({ table: localTableName('fichesAction'), pk: ficheId });
    for (const { table, pk } of aRetirer) {
      const { Items = [] } = await dynamodb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: pk } },
        }),
      );
      if (Items.length === 0) continue;
      await dynamodb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [table]: Items.map((i) => ({ DeleteRequest: { Key: { pk: i.pk as never, sk: i.sk as never } } })),
          },
        }),
      );
    }
    await recalculer?.(planifie, contexte);
  } finally {
    restaurer();
    s3?.destroy();
    dynamodb?.destroy();
  }
}, 180_000);

describe('recompute on ingestion', () => {
  it('an export dropped in the bucket updates /agregats and the three files, by the sums of its accepted rows', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET_LAUREATS, Key: CLE, Body: readFileSync(FICHIER) }));

    const rapport = await jusqua('la fin de l’import', async () => {
      const res = await operateur(`/laureats/imports/${importId}`);
      return res.status === 200 && res.body.statut !== 'en_cours' ? res.body : undefined;
    });
    expect(rapport.statut).toBe('termine');
    // Rejected rows are those the sample gets wrong, and only those.
    expect([...new Set(rapport.rejets.map((r: { ligne: number }) => r.ligne))]).toEqual(LIGNES_REJETEES);

    // No other command: the report's S3 event triggers the recompute.
    await jusqua('les agrégats de cet import', async () => {
      const res = await fetch(`${baseUrl()}/agregats`);
      const doc: Agregat = res.status === 200 ? await res.json() : undefined;
      return doc?.sources.some((s: { importId: string }) => s.importId === importId) ? doc : undefined;
    });
    const apres = await publie();

    expect(apres.generation).toBe('2023-2027');
    const { national, regions, ids } = attendusDuFichier(communesDe(apres.generation));
    expect(ids).toHaveLength(13);
    expect(difference(apres.national, avant.national)).toEqual(national);
    for (const [code, attendu] of regions) {
      expect(difference(region(apres, code), region(avant, code)), `région ${code}`).toEqual(attendu);
    }
    // Territory and fiche counts did not move (only laureates came in).
    expect(apres.national.nbTerritoires).toBe(avant.national.nbTerritoires);
    expect(apres.national.nbFichesAction).toBe(avant.national.nbFichesAction);
    expect(apres.national.aideTotale).toBeCloseTo(apres.national.aideEtat + apres.national.aideRegion, 2);
    // Dated by the import that ended last, which is listed with its file.
    expect(apres.asOf).toBe(rapport.fin);
    expect(apres.sources).toContainEqual({
      importId,
      fichier: 'export-bpifrance-2021-09-24.csv',
      ingereLe: rapport.fin,
    });
    expect(apres.regions.map((r: { code: string }) => r.code)).toEqual(
      [...apres.regions.map((r: { code: string }) => r.code)].sort(),
    );

    // regions.csv: UTF-8 with BOM, `;`, decimal comma, one row per region and the national row.
    const csv = await lireTexte('/open-data/agregats/regions.csv');
    expect(csv.status).toBe(200);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect([...csv.octets.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rangs = parse(csv.octets, { delimiter: ';', bom: true, columns: true }) as Record<string, string>[];
    expect(rangs.map((r) => r['Code région'])).toEqual([
      ...apres.regions.map((r: { code: string }) => r.code),
      'FR',
    ]);
    const fr = rangs.at(-1) as Record<string, string>;
    expect(fr.Région).toBe('France entière');
    expect(centimes(fr['Investissement (€)'] as string)).toBe(enCentimes(apres.national.investissement));
    expect(fr['Investissement (€)']).toMatch(/^\d+,\d{2}$/);
    expect(Number(fr.Lauréats)).toBe(apres.national.nbLaureats);

    const html = await lireTexte('/open-data/agregats/index.html');
    expect(html.status).toBe(200);
    expect(html.type).toBe('text/html; charset=utf-8');
    expect(html.octets.toString('utf8')).toContain('<svg');
  });

  it('two identical S3 events leave the aggregates as they are, items and files byte for byte', async () => {
    const avantEvenements = await etatStocke();
    const taille = (
      await s3.send(
        new HeadObjectCommand({ Bucket: BUCKET_LAUREATS, Key: `rapports/${importId}/rapport.json` }),
      )
    ).ContentLength;
    const premier = await recalculer(evenementRapport(taille ?? 0), contexte);
    const second = await recalculer(evenementRapport(taille ?? 0), contexte);
    for (const bilan of [premier, second]) expect(bilan).toMatchObject({ ecrit: false, fichiersEcrits: [] });
    expect(second.empreinte).toBe(premier.empreinte);
    expect(await etatStocke()).toBe(avantEvenements);
    // The report written again, byte for byte: s3rver announces it again and the local trigger runs the
    // recompute once more, which changes nothing either.
    const cleRapport = `rapports/${importId}/rapport.json`;
    const rapport = await s3.send(new GetObjectCommand({ Bucket: BUCKET_LAUREATS, Key: cleRapport }));
    const octets = Buffer.from((await rapport.Body?.transformToByteArray()) ?? []);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET_LAUREATS, Key: cleRapport, Body: octets }));
    await attendre(3_000);
    expect(await etatStocke()).toBe(avantEvenements);
  }, 120_000);

  it('GET /agregats/regions/{code} and /agregats/territoires/{id}: one aggregate, dated', async () => {
    const doc = await publie();
    const normandie = await fetch(`${baseUrl()}/agregats/regions/28`);
    expect(normandie.status).toBe(200);
    const { asOf, sources, ...agregat }: Agregat = await normandie.json();
    expect(agregat).toEqual(region(doc, '28'));
    expect(asOf).toBe(doc.asOf);
    // Its sources: the imports of its own laureates, this file's among them.
    expect(sources.map((x: { importId: string }) => x.importId)).toContain(importId);
    for (const source of sources) expect(doc.sources).toContainEqual(source);

    // Every INSEE region answers: its aggregate, or zeros when no laureate nor counted territory lies in it
    // (the shared cloud may hold laureates everywhere: the zero aggregate is certain in the unit tests).
    for (const code of codesRegions()) {
      const res = await fetch(`${baseUrl()}/agregats/regions/${code}`);
      expect(res.status, code).toBe(200);
      const { asOf: date, sources: _sources, ...unAgregat }: Agregat = await res.json();
      expect(date, code).toBe(doc.asOf);
      expect(unAgregat, code).toEqual(
        region(doc, code) ??
          expect.objectContaining({ code, nbLaureats: 0, investissement: 0, nbTerritoires: 0 }),
      );
    }
    expect((await fetch(`${baseUrl()}/agregats/regions/99`)).status).toBe(404);

    const bresle: Agregat = await (await fetch(`${baseUrl()}/agregats/territoires/ti-8418`)).json();
    expect(bresle).toMatchObject({
      id: 'ti-8418',
      generation: '2023-2027',
      regions: ['28', '32'],
      nbTerritoires: 1,
    });
    // Its Normandie communes hold four of this file's laureates (Aumale, Eu, Blangy-sur-Bresle, Criel-sur-Mer).
    expect(bresle.nbLaureats).toBeGreaterThanOrEqual(4);
    expect(bresle.nbLaureatsEnTerritoire).toBe(bresle.nbLaureats);
    expect(bresle.sources.map((x: { importId: string }) => x.importId)).toContain(importId);
    const inconnu = await fetch(`${baseUrl()}/agregats/territoires/ti-inconnu`);
    expect(inconnu.status).toBe(404);
    expect(inconnu.headers.get('content-type')).toBe('application/problem+json');
    expect((await fetch(`${baseUrl()}/open-data/agregats/secret.txt`)).status).toBe(404);
  });

  it('a fiche-action submitted is counted by the next scheduled recompute, in both regions of its territory', async () => {
    const avantFiche = await publie();
    const depot = await envoyerSigne('/territoires/ti-8418/fiches-action', exemple('fiche-action-valide'));
    expect(depot.status, JSON.stringify(depot.body)).toBe(201);
    ficheId = depot.body.id;
    // The recompute the hourly schedule would run (the shared cloud's own may have run first: either way).
    await recalculer(planifie, contexte);
    const apres = await publie();
    expect(apres.national.nbFichesAction - avantFiche.national.nbFichesAction).toBe(1);
    for (const code of ['28', '32']) {
      expect(region(apres, code).nbFichesAction - region(avantFiche, code).nbFichesAction, code).toBe(1);
    }
    expect(apres.asOf).toBe(depot.body.modifieeLe);
  }, 120_000);
});

describe('the open-data page, as a person sees it', () => {
  it('renders in Chromium with the national figures, every region and the chart; screenshot kept', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} est absent : installez le paquet Debian « chromium » (apt-get install chromium)`,
      );
    }
    const doc = await publie();
    const navigateur = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await navigateur.newPage({ viewport: { width: 1280, height: 900 } });
      const requetes: string[] = [];
      page.on('request', (r) => requetes.push(r.url()));
      const reponse = await page.goto(`${baseUrl()}/open-data/agregats/index.html`);
      expect(reponse?.status()).toBe(200);
      // Self-contained: the page asks for nothing else.
      expect(requetes).toEqual([`${baseUrl()}/open-data/agregats/index.html`]);

      await expect(page.locator('h1').textContent()).resolves.toContain('Territoires d’industrie');
      const groupe = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
      const national = ((await page.locator('#ti-national').textContent()) ?? '').replace(/\s+/g, ' ');
      expect(national).toContain(groupe(doc.national.nbLaureats).replace(/\u202f/g, ' '));
      expect(national).toContain(groupe(doc.national.emploisPrevus).replace(/\u202f/g, ' '));
      await expect(page.locator('#ti-date').textContent()).resolves.toMatch(
        /DONNÉES AU \d{2}\/\d{2}\/\d{4} À \d{2}:\d{2}/i,
      );

      const lignes = page.locator('#ti-tableau tbody tr');
      await expect(lignes.count()).resolves.toBe(doc.regions.length + 1);
      const tableau = await page.locator('#ti-tableau').textContent();
      for (const r of doc.regions) expect(tableau).toContain(r.libelle);
      expect(tableau).toContain('France entière');

      const graphique = page.locator('svg.ti-graphique');
      const boite = await graphique.boundingBox();
      expect(boite?.width).toBeGreaterThan(600);
      expect(boite?.height).toBeGreaterThan(100);
      await expect(graphique.locator('rect').count()).resolves.toBe(2 * doc.regions.length);
      const texteGraphique = await graphique.textContent();
      for (const r of doc.regions) expect(texteGraphique).toContain(r.libelle);
      // The DSFR font is there (inlined), not a fallback.
      await expect(page.evaluate("document.fonts.check('16px Marianne')")).resolves.toBe(true);

      const dossier = join(repoRoot, 'test-output');
      mkdirSync(dossier, { recursive: true });
      await page.screenshot({ path: join(dossier, 'agregats.png'), fullPage: true });
      expect(existsSync(join(dossier, 'agregats.png'))).toBe(true);
    } finally {
      await navigateur.close();
    }
  }, 120_000);
});
