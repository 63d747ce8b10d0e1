/**
 * `npm run bench:ingest`: the laureates' ingestion on DynamoDB Local, in one run (figures in
 * docs/benchmarks.md). A throwaway local cloud (DynamoDB Local, s3rver, the ANCT territory lists
 * imported) and a generated 100,000-row Bpifrance export (Windows-1252, `;`, amounts in every
 * writing, codes that lost their zero, Corsica, ~2 % malformed rows, ~1 % repeated ids). Measured:
 *
 * - ingestion: the Lambda bundle of functions/laureats/ingerer.ts (the esbuild options CDK uses), run
 *   in a process of its own on the S3 event of the file in s3rver, into an empty table: rows/s and
 *   that process's peak RSS; then the same file again (nothing changes: read and compare only);
 * - naive baseline: the same laureates, one PutItem per row, awaited one after the other;
 * - ceiling: the very items the ingestion writes (laureates, territory memberships, report rows),
 *   built beforehand, written with BatchWriteItem at the best concurrency of a sweep;
 * - the other write path considered: one conditional PutItem per row (`attribute_not_exists(pk) OR
 *   empreinte <> :h`), 32 in flight;
 * - parse + validate alone (decode, CSV, every column checked, hash) against csv-parse's raw parse.
 *
 * Options (environment): BENCH_LIGNES (100000), BENCH_NAIF (10000 rows for the naive loop),
 * BENCH_BALAYAGE (20000 rows per concurrency of the sweep), BENCH_PROFIL (a folder: CPU profiles of the
 * ingestion processes, to open in Chrome's DevTools).
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { enLots, enParallele } from '@ti/domain/commun/parallele';
import { associerEntete } from '@ti/domain/laureats/colonnes';
import { type DonneesLaureat, empreinteDe, lireLigne, texteDe } from '@ti/domain/laureats/ligne';
import type { EcritureLaureat, Signalement } from '@ti/domain/laureats/ports';
import { creerTable, dynamoDbClient } from '@ti/local-cloud/dynamodb';
import { handlerEnvironment } from '@ti/local-cloud/environment';
import { nuageJetable } from '@ti/local-cloud/local-cloud';
import { mintOperatorToken } from '@ti/local-cloud/operator-auth';
import { s3Client } from '@ti/local-cloud/s3';
import { localBucketName } from '@ti/platform/buckets';
import { itemLaureat, requetesEcriture } from '@ti/platform/dynamodb/laureats';
import { rattachementParInstantane } from '@ti/platform/dynamodb/rattachement';
import { territoireStoreDynamo } from '@ti/platform/dynamodb/territoires';
import { lireTableauEnFlux } from '@ti/platform/fichiers/flux';
import { tables } from '@ti/platform/tables';
import { parse } from 'csv-parse';
import { build } from 'esbuild';
import { esbuildBuildOptions, repoRoot } from '../infra/constructs/bundling';
import { ENVIRONNEMENT_INGESTION } from '../infra/stacks/ingestion-stack';
import { csvWindows1252, genererLignes } from '../test/support/laureats-exemples';

const LIGNES = Number(process.env.BENCH_LIGNES ?? 100_000);
const NAIF = Number(process.env.BENCH_NAIF ?? 10_000);
const BALAYAGE = Number(process.env.BENCH_BALAYAGE ?? 20_000);
const CONCURRENCES = [8, 16, 32, 64];
const dossier = join(repoRoot, '.local', 'bench-ingestion');
mkdirSync(dossier, { recursive: true });

const secondes = (debut: number) => (performance.now() - debut) / 1000;
const parSeconde = (n: number, s: number) => Math.round(n / s);
const log = (message: string) => console.error(`[bench] ${message}`);

const cloud = await nuageJetable({ calendar: false });
// The handlers' environment, which the local cloud has set in process.env: the ingestion's process gets it.
const env = handlerEnvironment({
  dynamodbEndpoint: cloud.dynamodbEndpoint,
  s3Endpoint: cloud.s3Endpoint,
  quiet: true,
});
const ddb: DynamoDBClient = dynamoDbClient(cloud.dynamodbEndpoint);
const doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
const s3 = s3Client(cloud.s3Endpoint);
const BUCKET = localBucketName('laureats');

let tablesCreees = 0;
/** A fresh, empty table shaped like `tables.laureats`. */
async function nouvelleTable(nom: string): Promise<string> {
  const TableName = `ti-bench-${nom}-${++tablesCreees}`;
  await creerTable(ddb, tables.laureats, TableName);
  return TableName;
}

try {
  // --- The territories registry and the file --------------------------------------------------
  const jeton = await mintOperatorToken({ role: 'national' }, cloud.jwtSecret);
  for (const generation of ['2019-2022', '2023-2027']) {
    const res = await fetch(`${cloud.baseUrl}/territoires/import?generation=${generation}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${jeton}`, 'Content-Type': 'text/csv' },
      body: readFileSync(join(repoRoot, 'events', `territoires-${generation}.csv`)),
    });
    if (!res.ok) throw new Error(`territoires ${generation}: ${res.status} ${await res.text()}`);
  }
  const lignes = genererLignes(LIGNES, { graine: 2021, prefixe: 'FAIIT-BENCH' });
  const fichier = join(dossier, `export-${LIGNES}.csv`);
  const octets = csvWindows1252(lignes);
  writeFileSync(fichier, octets);
  const echauffement = csvWindows1252(genererLignes(10_000, { graine: 7, prefixe: 'FAIIT-CHAUD' }));
  log(`${LIGNES} rows, ${(octets.length / 1024 / 1024).toFixed(1)} MiB (Windows-1252, ;)`);

  // Outside `exports/`: the local cloud's trigger does not run; the measured process does.
  const deposer = async (cle: string, corps: Buffer) => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: cle, Body: corps }));
    const tete = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: cle }));
    return {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: BUCKET }, object: { key: cle, size: corps.length, eTag: tete.ETag } },
        },
      ],
    };
  };
  const evenement = await deposer(`bench/export-${LIGNES}.csv`, octets);
  const evenementChaud = await deposer('bench/echauffement.csv', echauffement);

  // --- The Lambda bundle, run in a process of its own ---------------------------------------
  await build({
    ...esbuildBuildOptions,
    mainFields: [...esbuildBuildOptions.mainFields],
    external: [...esbuildBuildOptions.external],
    entryPoints: [join(repoRoot, 'functions/laureats/ingerer.ts')],
    outfile: join(dossier, 'ingerer.mjs'),
    absWorkingDir: repoRoot,
  });
  const lanceur = join(dossier, 'lanceur.mjs');
  writeFileSync(
    lanceur,
    `const { handler } = await import(${JSON.stringify(join(dossier, 'ingerer.mjs'))});
const debut = performance.now();
await handler(JSON.parse(process.argv[2]), { awsRequestId: 'bench', getRemainingTimeInMillis: () => 900000 });
const cpu = process.cpuUsage();
console.log(JSON.stringify({ ms: performance.now() - debut, maxRssKb: process.resourceUsage().maxRSS, cpuS: (cpu.user + cpu.system) / 1e6 }));
`,
  );
  const ingerer = (table: string, ev: unknown) =>
    new Promise<{ ms: number; maxRssKb: number; cpuS: number }>((resolve, reject) => {
      const profil = process.env.BENCH_PROFIL
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFIL}`]
        : [];
      const enfant = spawn(process.execPath, [...profil, lanceur, JSON.stringify(ev)], {
        // As the function runs in AWS: the environment CDK gives it (NODE_OPTIONS, MALLOC_ARENA_MAX).
        env: {
          ...process.env,
          ...env,
          ...ENVIRONNEMENT_INGESTION,
          TABLE_LAUREATS: table,
          POWERTOOLS_LOG_LEVEL: 'ERROR',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let sortie = '';
      enfant.stdout.on('data', (d: Buffer) => {
        sortie += d.toString();
      });
      enfant.once('exit', (code) =>
        code === 0
          ? resolve(JSON.parse(sortie.trim().split('\n').pop() as string))
          : reject(new Error(`exit ${code}`)),
      );
    });

  // --- Parse + validate alone, and csv-parse's raw parse ------------------------------------
  // Rows per second of wall clock, and per second of this process's CPU (what the machine's other
  // jobs cannot take away).
  const mesurer = async (compter: () => Promise<number>) => {
    const debut = performance.now();
    const cpu = process.cpuUsage();
    const n = await compter();
    const c = process.cpuUsage(cpu);
    return { mur: parSeconde(n, secondes(debut)), cpu: parSeconde(n, (c.user + c.system) / 1e6) };
  };
  const parseValide = () =>
    mesurer(async () => {
      const tableau = await lireTableauEnFlux(createReadStream(fichier));
      let indices: ReturnType<typeof associerEntete>['indices'] | undefined;
      let n = 0;
      for await (const { numero, cellules } of tableau.lignes) {
        if (!indices) {
          indices = associerEntete(cellules.map((c) => texteDe(c))).indices;
          continue;
        }
        const lue = lireLigne(numero, cellules, indices);
        if (lue.valide) empreinteDe({ ...lue.donnees, territoires: [] });
        n += 1;
      }
      return n;
    });
  const brut = () =>
    mesurer(async () => {
      let n = 0;
      const analyseur = createReadStream(fichier).pipe(
        parse({ delimiter: ';', relax_column_count: true, relax_quotes: true }),
      );
      for await (const _ of analyseur) n += 1;
      return n - 1;
    });
  const meilleure = (a: { mur: number; cpu: number }, b: { mur: number; cpu: number }) => ({
    mur: Math.max(a.mur, b.mur),
    cpu: Math.max(a.cpu, b.cpu),
  });
  await parseValide();
  await brut();
  const mesuresParse = {
    valide: meilleure(await parseValide(), await parseValide()),
    brut: meilleure(await brut(), await brut()),
  };
  log(`parse+validate ${mesuresParse.valide.mur} rows/s, raw csv-parse ${mesuresParse.brut.mur} rows/s`);

  // --- Warm-up (JIT of DynamoDB Local), then the ingestion -----------------------------------
  await ingerer(await nouvelleTable('chaud'), evenementChaud);
  const tableIngestion = await nouvelleTable('ingestion');
  const ingestion = await ingerer(tableIngestion, evenement);
  log(
    `ingestion ${parSeconde(LIGNES, ingestion.ms / 1000)} rows/s, peak RSS ${Math.round(ingestion.maxRssKb / 1024)} MB`,
  );
  // The same file again, as another upload: read and compare, nothing to write.
  const encore = await ingerer(tableIngestion, await deposer(`bench/export-${LIGNES}-bis.csv`, octets));
  log(`re-ingestion ${parSeconde(LIGNES, encore.ms / 1000)} rows/s`);

  // --- The items the ingestion writes, built beforehand -----------------------------------------
  const rattachement = rattachementParInstantane(territoireStoreDynamo(env.TABLE_TERRITOIRES as string));
  const tableau = await lireTableauEnFlux(createReadStream(fichier));
  const derniere = new Map<string, number>();
  const lues: ReturnType<typeof lireLigne>[] = [];
  let indices: ReturnType<typeof associerEntete>['indices'] | undefined;
  for await (const { numero, cellules } of tableau.lignes) {
    if (!indices) {
      indices = associerEntete(cellules.map((c) => texteDe(c))).indices;
      continue;
    }
    const lue = lireLigne(numero, cellules, indices);
    lues.push(lue);
    if (lue.valide) derniere.set(lue.donnees.identifiantProjet, numero);
  }
  const territoires = await rattachement.territoiresDe([
    ...new Set(lues.flatMap((l) => (l.valide ? [l.donnees.codeCommune] : []))),
  ]);
  const laureats: DonneesLaureat[] = [];
  const signalements: Signalement[] = [];
  for (const l of lues) {
    if (!l.valide) {
      for (const [ordre, r] of l.rejets.entries()) {
        signalements.push({ type: 'rejet', ligne: l.numero, ordre, motif: r.motif });
      }
    } else if (derniere.get(l.donnees.identifiantProjet) !== l.numero) {
      signalements.push({ type: 'avertissement', ligne: l.numero, ordre: 0, motif: 'repris plus loin' });
    } else {
      laureats.push({ ...l.donnees, territoires: territoires.get(l.donnees.codeCommune) ?? [] });
    }
  }
  const ecriture = (d: DonneesLaureat): EcritureLaureat => ({
    identifiantProjet: d.identifiantProjet,
    codeRegion: d.codeRegion,
    appartenances: d.territoires,
    retraits: [],
    laureat: {
      donnees: d,
      empreinte: empreinteDe(d),
      importId: 'bench',
      trace: { importId: 'bench', lignes: {}, territoiresRetires: [] },
    },
  });
  const requetes = (n: number) =>
    requetesEcriture(laureats.slice(0, n).map(ecriture), {
      importId: 'bench',
      liste: signalements.slice(0, Math.round((signalements.length * n) / laureats.length)),
    });
  const plafond = async (table: string, liste: ReturnType<typeof requetesEcriture>, enVol: number) => {
    const debut = performance.now();
    await enParallele(enLots(liste, 25), enVol, async (lot) => {
      let restantes = lot;
      for (let essai = 0; restantes.length > 0; essai++) {
        if (essai > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** essai)));
        const { UnprocessedItems } = await doc.send(
          new BatchWriteCommand({ RequestItems: { [table]: restantes } }),
        );
        restantes = (UnprocessedItems?.[table] ?? []) as typeof lot;
      }
    });
    return secondes(debut);
  };

  // --- Naive baseline: one PutItem per row, one after the other ------------------------------
  const tableNaive = await nouvelleTable('naive');
  const debutNaif = performance.now();
  for (const d of laureats.slice(0, NAIF)) {
    await doc.send(
      new PutCommand({ TableName: tableNaive, Item: itemLaureat(ecriture(d).laureat as never) }),
    );
  }
  const naif = parSeconde(Math.min(NAIF, laureats.length), secondes(debutNaif));
  log(`naive ${naif} rows/s`);

  // --- Ceiling: BatchWriteItem of the pre-built items, concurrency sweep ------------------------
  const balayage: { enVol: number; lignesParSeconde: number }[] = [];
  const echantillon = requetes(BALAYAGE);
  for (const enVol of CONCURRENCES) {
    const s = await plafond(await nouvelleTable(`plafond${enVol}`), echantillon, enVol);
    balayage.push({ enVol, lignesParSeconde: parSeconde(BALAYAGE, s) });
    log(`ceiling sweep: ${enVol} in flight → ${parSeconde(BALAYAGE, s)} rows/s`);
  }
  const meilleur = balayage.reduce((a, b) => (b.lignesParSeconde > a.lignesParSeconde ? b : a));
  const toutes = requetes(laureats.length);
  const sPlafond = await plafond(await nouvelleTable('plafond'), toutes, meilleur.enVol);
  const plafondLignes = parSeconde(LIGNES, sPlafond);
  log(`ceiling ${plafondLignes} rows/s (${toutes.length} items, ${meilleur.enVol} in flight)`);

  // --- The other write path: conditional PutItem per row ------------------------------------------
  const tableConditionnelle = await nouvelleTable('conditionnelle');
  const debutConditionnel = performance.now();
  await enParallele(laureats.slice(0, BALAYAGE), 32, async (d) => {
    const e = ecriture(d);
    await doc.send(
      new PutCommand({
        TableName: tableConditionnelle,
        Item: itemLaureat(e.laureat as never),
        ConditionExpression: 'attribute_not_exists(pk) OR empreinte <> :h',
        ExpressionAttributeValues: { ':h': e.laureat?.empreinte },
      }),
    );
  });
  const conditionnel = parSeconde(BALAYAGE, secondes(debutConditionnel));
  log(`conditional PutItem ${conditionnel} rows/s`);

  // --- The table ---------------------------------------------------------------------------------
  const ingestionLignes = parSeconde(LIGNES, ingestion.ms / 1000);
  const rss = Math.round(ingestion.maxRssKb / 1024);
  const ok = (b: boolean) => (b ? 'yes' : 'NO');
  console.log(
    `\nLaureates' ingestion, ${LIGNES} rows (${(octets.length / 1024 / 1024).toFixed(1)} MiB), DynamoDB Local, node ${process.version}\n`,
  );
  console.log('| measure | rows/s | notes |');
  console.log('|---|---|---|');
  console.log(
    `| ingestion (Lambda bundle, S3 event → DynamoDB, empty table) | ${ingestionLignes} | ${Math.round(ingestion.ms / 1000)} s, peak RSS ${rss} MB, ${ingestion.cpuS.toFixed(1)} CPU-s |`,
  );
  console.log(
    `| re-ingestion of the same file (nothing written) | ${parSeconde(LIGNES, encore.ms / 1000)} | peak RSS ${Math.round(encore.maxRssKb / 1024)} MB |`,
  );
  console.log(`| naive: one PutItem per row, awaited in turn (${NAIF} rows) | ${naif} | |`);
  console.log(
    `| ceiling: pre-built items, BatchWriteItem, ${meilleur.enVol} in flight | ${plafondLignes} | ${toutes.length} items; sweep ${balayage.map((b) => `${b.enVol}→${b.lignesParSeconde}`).join(', ')} |`,
  );
  console.log(
    `| conditional PutItem per row, 32 in flight (${BALAYAGE} rows) | ${conditionnel} | the write path not chosen |`,
  );
  console.log(
    `| parse + validate alone | ${mesuresParse.valide.mur} | ${mesuresParse.valide.cpu} per CPU-second; decode, CSV, every column, hash |`,
  );
  console.log(`| csv-parse raw parse | ${mesuresParse.brut.mur} | ${mesuresParse.brut.cpu} per CPU-second |`);
  console.log('');
  console.log(
    `ingestion / naive = ${(ingestionLignes / naif).toFixed(1)}× (target ≥ 10×: ${ok(ingestionLignes >= 10 * naif)})`,
  );
  console.log(
    `ingestion / ceiling = ${Math.round((100 * ingestionLignes) / plafondLignes)} % (target ≥ 80 %: ${ok(ingestionLignes >= 0.8 * plafondLignes)})`,
  );
  console.log(
    `peak RSS = ${rss} MB (target < 200 MB: ${ok(rss < 200)}); re-ingestion ${Math.round(encore.maxRssKb / 1024)} MB`,
  );
  const { loadavg } = await import('node:os');
  console.log(
    `load average during the run's end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(', ')} (2 cores)`,
  );
  console.log(
    `parse + validate = ${mesuresParse.valide.mur} rows/s (target ≥ 100,000: ${ok(mesuresParse.valide.mur >= 100_000)}), ` +
      `${mesuresParse.valide.cpu} per CPU-second; csv-parse raw: ${mesuresParse.brut.mur} rows/s`,
  );
} finally {
  ddb.destroy();
  s3.destroy();
  await cloud.stop();
}
