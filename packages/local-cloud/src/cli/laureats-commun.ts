/**
 * Shared by `npm run ingest` and `npm run fetch:laureats`: the local cloud to work with (the one
 * `npm start` runs, or one started for the command), and following an import to its end with a
 * progress bar and a summary.
 */
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { ImportLaureats, Signalement } from '@ti/domain/laureats/ports';
import type { Compteurs } from '@ti/domain/laureats/schema';
import { importStoreDynamo } from '@ti/platform/dynamodb/laureats';
import { localTableName } from '@ti/platform/tables';
import { SingleBar } from 'cli-progress';
import { dynamoDbClient } from '../dynamodb';
import { applyEnvironment, handlerEnvironment } from '../environment';
import { DEFAULT_PORTS, type LocalCloud, startLocalCloud } from '../local-cloud';
import { LOOPBACK } from '../ports';

export interface Session {
  dynamodbEndpoint: string;
  s3Endpoint: string;
  apiUrl: string;
  /** The cloud started by this command (its triggers run here), or null when `npm start` runs one. */
  demarre: LocalCloud | null;
  fermer(): Promise<void>;
}

const port = (nom: string, defaut: number) => Number(process.env[nom] || defaut);

async function repond(endpoint: string): Promise<boolean> {
  const client = dynamoDbClient(endpoint, 1);
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

/**
 * The local cloud of `npm start` when it answers (ports from PORT, DYNAMODB_PORT, S3_PORT), otherwise
 * one started for this command with the same data folder (.local/), stopped at the end. The handlers'
 * environment is applied to this process either way.
 */
export async function ouvrirSession(): Promise<Session> {
  const dynamodbEndpoint = `http://${LOOPBACK}:${port('DYNAMODB_PORT', DEFAULT_PORTS.dynamodb)}`;
  let session: Omit<Session, 'fermer'>;
  if (await repond(dynamodbEndpoint)) {
    session = {
      dynamodbEndpoint,
      s3Endpoint: `http://${LOOPBACK}:${port('S3_PORT', DEFAULT_PORTS.s3)}`,
      apiUrl: `http://${LOOPBACK}:${port('PORT', DEFAULT_PORTS.api)}`,
      demarre: null,
    };
  } else {
    console.error('Cloud local non démarré : il démarre pour cette commande (données dans .local/)…');
    const cloud = await startLocalCloud({
      quiet: true,
      seedDemo: false,
      calendar: false,
      port: port('PORT', DEFAULT_PORTS.api),
      dynamodbPort: port('DYNAMODB_PORT', DEFAULT_PORTS.dynamodb),
      s3Port: port('S3_PORT', DEFAULT_PORTS.s3),
    });
    session = {
      dynamodbEndpoint: cloud.dynamodbEndpoint,
      s3Endpoint: cloud.s3Endpoint,
      apiUrl: cloud.baseUrl,
      demarre: cloud,
    };
  }
  applyEnvironment(
    handlerEnvironment({
      dynamodbEndpoint: session.dynamodbEndpoint,
      s3Endpoint: session.s3Endpoint,
      quiet: true,
    }),
  );
  return {
    ...session,
    async fermer() {
      await session.demarre?.stop();
    },
  };
}

const mo = (octets: number) => `${(octets / 1024 / 1024).toFixed(1)} Mo`;

/** Follows an import in DynamoDB until it ends, with a progress bar on the bytes read. */
export async function suivreImport(
  importId: string,
  taille: number,
  delaiMs = 10 * 60_000,
): Promise<ImportLaureats> {
  const imports = importStoreDynamo(localTableName('laureats'));
  const barre = new SingleBar({
    format: ' {bar} {percentage} % | {lignes} lignes | {debit} lignes/s | {lus}/{taille}',
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: true,
    clearOnComplete: false,
    stream: process.stderr,
  });
  const debut = Date.now();
  barre.start(Math.max(1, taille), 0, { lignes: 0, debit: 0, lus: mo(0), taille: mo(taille) });
  try {
    for (;;) {
      const imp = await imports.lire(importId);
      if (imp) {
        const secondes = Math.max(0.001, (Date.now() - debut) / 1000);
        barre.update(imp.statut === 'en_cours' ? Math.min(imp.octetsLus, taille) : taille, {
          lignes: imp.lignes.total,
          debit: Math.round(imp.lignes.total / secondes),
          lus: mo(imp.statut === 'en_cours' ? imp.octetsLus : taille),
        });
        if (imp.statut !== 'en_cours') return imp;
      } else if (Date.now() - debut > 30_000) {
        throw new Error(
          `Aucun import ${importId} après 30 s : le cloud local (npm start) tourne-t-il avec ses déclencheurs ?`,
        );
      }
      if (Date.now() - debut > delaiMs)
        throw new Error(`L'import ${importId} n'est pas terminé après ${delaiMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    barre.stop();
  }
}

/** The import's summary: counts, the first rejected rows and warnings, where the report is. */
export async function afficherResume(
  imp: Pick<ImportLaureats, 'importId' | 'fichier' | 'statut' | 'lignes' | 'colonnesManquantes'>,
  signalements: {
    rejets: Signalement[];
    avertissements: Signalement[];
    nbRejets: number;
    nbAvertissements: number;
  },
  ou?: { apiUrl: string },
): Promise<void> {
  const l: Compteurs = imp.lignes;
  const lignes = [
    '',
    `Import ${imp.importId} (${imp.fichier}) : ${imp.statut}`,
    `  lignes ${l.total} : ${l.nouvelles} nouvelles, ${l.modifiees} modifiées, ${l.inchangees} inchangées, ${l.rejetees} rejetées`,
  ];
  if (imp.colonnesManquantes?.length)
    lignes.push(`  colonnes manquantes : ${imp.colonnesManquantes.join(', ')}`);
  const liste = (titre: string, s: Signalement[], total: number) => {
    if (total === 0) return;
    lignes.push(`  ${titre} (${total}) :`);
    for (const x of s.slice(0, 20))
      lignes.push(`    ligne ${x.ligne}${x.colonne ? `, ${x.colonne}` : ''} : ${x.motif}`);
    if (total > 20) lignes.push(`    … et ${total - 20} autres`);
  };
  liste('rejets', signalements.rejets, signalements.nbRejets);
  liste('avertissements', signalements.avertissements, signalements.nbAvertissements);
  if (ou) {
    lignes.push(
      `  rapport : s3://ti-laureats/rapports/${imp.importId}/rapport.json et rejets.csv`,
      `            GET ${ou.apiUrl}/laureats/imports/${imp.importId}  (jeton : npm run -s token -- --role national)`,
    );
  }
  console.log(lignes.join('\n'));
}

/** The first signalements of an import, as recorded. */
export async function signalementsDe(imp: ImportLaureats) {
  const imports = importStoreDynamo(localTableName('laureats'));
  const premiers = async (type: Signalement['type']) => {
    const s: Signalement[] = [];
    for await (const x of imports.signalements(imp.importId, type, 20)) s.push(x);
    return s;
  };
  return {
    rejets: await premiers('rejet'),
    avertissements: await premiers('avertissement'),
    nbRejets: imp.nbRejets,
    nbAvertissements: imp.nbAvertissements,
  };
}
