import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { lireImports } from '@ti/domain/agregats/service';
import type { ImportLaureats } from '@ti/domain/laureats/ports';
import {
  correlationDeLaRequete,
  correlationDeLEtape,
  correlationDesImports,
  correlationDesMetadonnees,
  metadonneesCorrelation,
} from '@ti/platform/journal/correlation';
import { FormateurJournal } from '@ti/platform/journal/formateur';
import { MASQUE, MASQUE_EMAIL, MASQUE_TELEPHONE, masquerTexte } from '@ti/platform/journal/masquage';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { contexteLambda, evenementApi } from '../support/lambda';

/** What Powertools writes (stdout for info, stderr for warn and error), one JSON entry per line. */
async function journal(fn: () => unknown): Promise<{ entrees: Record<string, any>[]; brut: string }> {
  const lignes: string[] = [];
  const capter = (morceau: unknown) => {
    lignes.push(String(morceau));
    return true;
  };
  const sortie = vi.spyOn(process.stdout, 'write').mockImplementation(capter);
  const erreurs = vi.spyOn(process.stderr, 'write').mockImplementation(capter);
  try {
    await fn();
  } finally {
    sortie.mockRestore();
    erreurs.mockRestore();
  }
  const brut = lignes.join('');
  const entrees = brut
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  return { entrees, brut };
}

/**
 * Its level said explicitly: the workers inherit the environment of vitest's main process, where the
 * integration project's local cloud sets the handlers' (POWERTOOLS_LOG_LEVEL=WARN when quiet).
 */
const nouveauLogger = () =>
  new Logger({ serviceName: 'essai', logLevel: 'INFO', logFormatter: new FormateurJournal() });

/** Personal data as the domain holds it: none of these strings may reach a log line. */
const PERSONNEL = [
  'jeanne.martin@mairie-dieppe.fr',
  'p.durand@acme-industrie.com',
  'contact.projet@exemple.org',
  'Jeanne',
  'Martin',
  'Pierre',
  'Durand',
  'Lefebvre',
  'Camille',
  'Sophie Bernard',
  'Luc Moreau',
  '06 12 34 56 78',
  '0612345678',
  '+33 6 12 34 56 78',
  '07.98.76.54.32',
  '02-35-84-12-00',
  '+33 (0)2 35 84 12 00',
  '0033612345678',
  '+44 20 7946 0958',
  '612345678',
];

const candidature = {
  id: 'cand-0001',
  campagne: '2023-2027',
  nomTerritoire: 'Vallée de la Bresle – Vimeu',
  perimetre: { epcis: ['200069409'] },
  epcis: [{ siren: '200069409', nom: 'CC des Villes Sœurs', type: 'CC' }],
  gouvernance: {
    elu: {
      prenom: 'Jeanne',
      nom: 'Martin',
      fonction: 'Présidente',
      email: 'jeanne.martin@mairie-dieppe.fr',
      mandat: 'Présidente de la communauté de communes',
      collectivite: 'CC des Villes Sœurs',
    },
    industriel: {
      prenom: 'Pierre',
      nom: 'Durand',
      fonction: 'Directeur',
      email: 'p.durand@acme-industrie.com',
      entreprise: 'ACME Industrie SAS',
      siret: '55212034200019',
    },
    autresMembres: [
      { prenom: 'Camille', nom: 'Lefebvre', fonction: 'DGS', email: 'c@x.fr', qualite: 'autre' },
    ],
  },
  chefDeProjet: {
    prenom: 'Sophie',
    nom: 'Sophie Bernard',
    fonction: 'Cheffe',
    email: 's@b.fr',
    structure: 'PETR',
  },
  planAction: [{ titre: 'Zone d’activités du Tréport', porteur: 'Luc Moreau', priorite: 'foncier' }],
  lettresIntention: [{ signataire: 'Luc Moreau', qualite: 'elu' }],
  contact: { email: 'contact.projet@exemple.org', telephone: '06 12 34 56 78' },
};

const ficheAction = {
  titre: 'Plateforme logistique',
  porteur: { nom: 'Communauté d’agglomération Caux Seine', type: 'epci', siret: '20006942800013' },
  partiesPrenantes: [{ nom: 'CCI Seine Estuaire', role: 'Appui' }],
};

describe('journal : aucune donnée personnelle en clair', () => {
  it('masque e-mails et téléphones dans le message, sous toutes leurs formes françaises', async () => {
    const { entrees } = await journal(() =>
      nouveauLogger().info(
        'Écrire à jeanne.martin@mairie-dieppe.fr ou au 06 12 34 56 78, 0612345678, +33 6 12 34 56 78, ' +
          '07.98.76.54.32, 02-35-84-12-00, +33 (0)2 35 84 12 00, 0033612345678 ou +44 20 7946 0958',
      ),
    );
    expect(entrees).toHaveLength(1);
    const message = entrees[0]?.message as string;
    for (const p of PERSONNEL) expect(message).not.toContain(p);
    expect(message.match(/\[e-mail masqué\]/g)).toHaveLength(1);
    expect(message.match(/\[téléphone masqué\]/g)).toHaveLength(8);
  });

  it('garde lisibles SIRET, SIREN, codes, dates, montants, identifiants', () => {
    const texte =
      'SIRET 55212034200019, SIREN 200069409, commune 76217, région 28, le 2023-06-23T00:00:00+02:00, ' +
      '1 250 000 €, FAIIT-2021-004514, 9f1c2d3e-0612-3456-7890-abcdef012345, v1.2.3, @ti/platform, ' +
      'exports/bpifrance/2021-10-04/export.csv';
    expect(masquerTexte(texte)).toBe(texte);
  });

  it('masque par clé les personnes d’une candidature, garde territoires, EPCI, entreprises et SIRET', async () => {
    const { entrees, brut } = await journal(() => {
      const logger = nouveauLogger();
      logger.appendKeys({ candidature: candidature.id });
      logger.info('Candidature reçue', { candidature, ficheAction });
    });
    for (const p of PERSONNEL) expect(brut).not.toContain(p);
    const c = entrees[0]?.candidature;
    expect(c.gouvernance.elu).toEqual({
      prenom: MASQUE,
      nom: MASQUE,
      fonction: 'Présidente',
      email: MASQUE,
      mandat: 'Présidente de la communauté de communes',
      collectivite: 'CC des Villes Sœurs',
    });
    expect(c.gouvernance.industriel).toMatchObject({
      nom: MASQUE,
      entreprise: 'ACME Industrie SAS',
      siret: '55212034200019',
    });
    expect(c.gouvernance.autresMembres[0]).toMatchObject({ nom: MASQUE, prenom: MASQUE, qualite: 'autre' });
    expect(c.chefDeProjet).toMatchObject({ nom: MASQUE, structure: 'PETR' });
    expect(c.lettresIntention).toEqual([{ signataire: MASQUE, qualite: 'elu' }]);
    expect(c.planAction[0]).toEqual({
      titre: 'Zone d’activités du Tréport',
      porteur: MASQUE,
      priorite: 'foncier',
    });
    expect(c.contact).toEqual({ email: MASQUE, telephone: MASQUE });
    // What operators look for stays as it is.
    expect(c.nomTerritoire).toBe('Vallée de la Bresle – Vimeu');
    expect(c.epcis).toEqual(candidature.epcis);
    expect(entrees[0]?.ficheAction).toEqual(ficheAction);
  });

  it('masque le destinataire d’un e-mail, des listes d’adresses, un téléphone saisi en nombre', async () => {
    const { entrees, brut } = await journal(() =>
      nouveauLogger().warn('Envoi', {
        mail: {
          id: 'demo.cand-1.resultat',
          a: 'jeanne.martin@mairie-dieppe.fr',
          objet: 'Résultat « Vimeu »',
        },
        emails: ['p.durand@acme-industrie.com'],
        referent: 'Sophie Bernard',
        nomReferent: 'Luc Moreau',
        telephone: 612345678,
        nbEmails: 3,
        territoire: { id: 'ti-8419', nom: 'Vimeu' },
        commune: { code: '76217', nom: 'Dieppe' },
      }),
    );
    for (const p of PERSONNEL) expect(brut).not.toContain(p);
    expect(entrees[0]).toMatchObject({
      mail: { id: 'demo.cand-1.resultat', a: MASQUE, objet: 'Résultat « Vimeu »' },
      emails: [MASQUE],
      referent: MASQUE,
      nomReferent: MASQUE,
      telephone: MASQUE,
      nbEmails: 3,
      territoire: { id: 'ti-8419', nom: 'Vimeu' },
      commune: { code: '76217', nom: 'Dieppe' },
    });
  });

  it('masque les erreurs : message, pile, cause, attributs, où qu’elles soient', async () => {
    const cause = new Error('Destinataire refusé : contact.projet@exemple.org');
    const erreur = Object.assign(
      new Error('Échec de l’envoi à jeanne.martin@mairie-dieppe.fr (06 12 34 56 78)', { cause }),
      {
        code: 'MessageRejected',
        contact: { email: 'p.durand@acme-industrie.com' },
      },
    );
    const { entrees, brut } = await journal(() => {
      const logger = nouveauLogger();
      logger.error('Envoi impossible', erreur);
      logger.error('Étape en échec', {
        error: erreur,
        detail: { derniere: new TypeError('+33 6 12 34 56 78') },
      });
    });
    for (const p of PERSONNEL) expect(brut).not.toContain(p);
    expect(entrees).toHaveLength(2);
    for (const entree of entrees) {
      expect(entree.error).toMatchObject({
        name: 'Error',
        message: `Échec de l’envoi à ${MASQUE_EMAIL} (${MASQUE_TELEPHONE})`,
        code: 'MessageRejected',
        contact: { email: MASQUE },
        cause: { message: `Destinataire refusé : ${MASQUE_EMAIL}` },
      });
      expect(entree.error.stack).toContain(`Échec de l’envoi à ${MASQUE_EMAIL}`);
      expect(entree.error.location).toMatch(/:\d+$/);
    }
    expect(entrees[1]?.detail.derniere).toMatchObject({ name: 'TypeError', message: MASQUE_TELEPHONE });
  });

  it('garde la forme des journaux Powertools, et survit à une référence circulaire', async () => {
    const boucle: Record<string, unknown> = { id: 'x' };
    boucle.soi = boucle;
    const { entrees } = await journal(() => {
      const logger = nouveauLogger();
      logger.setCorrelationId('req-123');
      logger.info('Circulaire', { boucle, quand: new Date('2026-01-02T03:04:05.000Z') });
    });
    expect(entrees[0]).toMatchObject({
      level: 'INFO',
      message: 'Circulaire',
      service: 'essai',
      correlation_id: 'req-123',
      boucle: { id: 'x' },
      quand: '2026-01-02T03:04:05.000Z',
    });
    expect(Object.keys(entrees[0] ?? {}).slice(0, 4)).toEqual(['level', 'message', 'timestamp', 'service']);
    expect(entrees[0]?.boucle.soi).toBeUndefined();
  });
});

describe('identifiant de corrélation', () => {
  const evenement = (entetes: Record<string, string>): APIGatewayProxyEvent =>
    evenementApi({
      httpMethod: 'GET',
      path: '/health',
      headers: entetes,
      requestContext: { requestId: 'apigw-req-1' },
    });
  const contexte = contexteLambda({ functionName: 'systeme-health', awsRequestId: 'lambda-req-1' });

  type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
  let sain: Handler;
  let enPanne: Handler;
  let notifications: typeof import('@ti/platform/calendrier/notifications');
  let tache: typeof import('@ti/platform/calendrier/tache').tache;
  let loggerPartage: Logger;
  const dossier = mkdtempSync(join(tmpdir(), 'ti-journal-'));

  beforeAll(async () => {
    process.env.TABLE_IDEMPOTENCE = 'ti-idempotence';
    process.env.POWERTOOLS_IDEMPOTENCY_DISABLED = 'true';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    ({ logger: loggerPartage } = await import('@ti/platform/observabilite'));
    const { route } = await import('@ti/platform/http/route');
    sain = route('systeme/health', async () => {
      loggerPartage.info('Dans le handler');
      return { status: 200, body: { status: 'ok' } };
    }) as unknown as Handler;
    enPanne = route('systeme/health', async () => {
      throw new TypeError('bogue');
    }) as unknown as Handler;
    notifications = await import('@ti/platform/calendrier/notifications');
    ({ tache } = await import('@ti/platform/calendrier/tache'));
  });
  afterAll(() => rmSync(dossier, { recursive: true, force: true }));

  it('HTTP : reprend un X-Correlation-Id bien formé, le journalise et le renvoie, erreurs comprises', async () => {
    let reponse: APIGatewayProxyResult | undefined;
    const { entrees } = await journal(async () => {
      reponse = await sain(evenement({ 'x-correlation-id': 'formulaire-42:essai_1.a' }), contexte);
    });
    expect(reponse?.statusCode).toBe(200);
    expect(reponse?.headers?.['X-Correlation-Id']).toBe('formulaire-42:essai_1.a');
    expect(entrees.find((e) => e.message === 'Dans le handler')).toMatchObject({
      correlation_id: 'formulaire-42:essai_1.a',
      function_request_id: 'lambda-req-1',
    });

    let probleme: APIGatewayProxyResult | undefined;
    const echec = await journal(async () => {
      probleme = await enPanne(evenement({ 'X-Correlation-Id': 'appel-43' }), contexte);
    });
    expect(probleme?.statusCode).toBe(500);
    expect(probleme?.headers?.['Content-Type']).toBe('application/problem+json');
    expect(probleme?.headers?.['X-Correlation-Id']).toBe('appel-43');
    // The error handler logs before the logger's keys are reset.
    expect(echec.entrees.find((e) => e.message === 'Unexpected error')).toMatchObject({
      correlation_id: 'appel-43',
      error: { name: 'TypeError', message: 'bogue' },
    });
  });

  it('HTTP : ignore un X-Correlation-Id mal formé et prend l’identifiant de requête d’API Gateway', async () => {
    for (const mauvais of ['a b', 'x'.repeat(129), 'jeanne.martin@mairie-dieppe.fr', '', 'é']) {
      let reponse: APIGatewayProxyResult | undefined;
      const { entrees, brut } = await journal(async () => {
        reponse = await sain(evenement({ 'X-Correlation-Id': mauvais }), contexte);
      });
      expect(reponse?.headers?.['X-Correlation-Id'], mauvais).toBe('apigw-req-1');
      expect(entrees.find((e) => e.message === 'Dans le handler')?.correlation_id, mauvais).toBe(
        'apigw-req-1',
      );
      if (mauvais) expect(brut).not.toContain(mauvais);
    }
    // Without the header, and the next request does not inherit the previous one's id.
    await journal(() => sain(evenement({ 'X-Correlation-Id': 'precedente' }), contexte));
    const { entrees } = await journal(() => sain(evenement({}), contexte));
    expect(entrees.find((e) => e.message === 'Dans le handler')?.correlation_id).toBe('apigw-req-1');
    expect(correlationDeLaRequete({ headers: {} }, contexte)).toBe('lambda-req-1');
  });

  it('calendrier : chaque étape journalise sous le nom de l’exécution de sa campagne', async () => {
    const etape = tache(z.object({ campagne: z.string(), version: z.number() }), async () => {
      loggerPartage.info('Étape');
      return 'ok';
    });
    const { entrees } = await journal(() => etape({ campagne: 'demo', version: 3 }, contexte));
    expect(entrees.find((e) => e.message === 'Étape')).toMatchObject({
      correlation_id: 'demo-v3',
      campagne: 'demo',
    });
    // Refused by its schema: the failure is still logged under the campaign's execution.
    const echec = await journal(() =>
      etape({ campagne: 'demo', version: 'trois' }, contexte).catch(() => {}),
    );
    expect(echec.entrees.find((e) => e.message === 'Calendar step failed')?.correlation_id).toBe('demo');
    expect(correlationDeLEtape({ campagne: 'demo', version: 3 })).toBe('demo-v3');
  });

  it('calendrier : l’e-mail écrit localement est journalisé sans son destinataire', async () => {
    const { entrees, brut } = await journal(() =>
      notifications.notificationsLocales(dossier).envoyerMail({
        id: 'demo.cand-1.resultat',
        a: 'jeanne.martin@mairie-dieppe.fr',
        objet: 'Territoires d’industrie : la candidature « Vimeu » est labellisée',
        texte: 'Bonjour,',
      }),
    );
    expect(brut).not.toContain('jeanne.martin');
    expect(entrees[0]).toMatchObject({
      message: 'E-mail « Territoires d’industrie : la candidature « Vimeu » est labellisée » (local)',
      notification: 'demo.cand-1.resultat',
    });
  });

  it('imports : la métadonnée S3 porte l’identifiant, l’import l’enregistre, les agrégats le reprennent', async () => {
    expect(metadonneesCorrelation('req-1')).toEqual({ 'correlation-id': 'req-1' });
    expect(metadonneesCorrelation(undefined)).toEqual({});
    expect(metadonneesCorrelation('a b')).toEqual({});
    expect(correlationDesMetadonnees({ 'correlation-id': 'req-1' })).toBe('req-1');
    expect(correlationDesMetadonnees({ 'correlation-id': 'jeanne@x.fr' })).toBeUndefined();
    expect(correlationDesMetadonnees(undefined)).toBeUndefined();

    const records = new Map<string, Partial<ImportLaureats>>([
      ['imp-1', { importId: 'imp-1', correlationId: 'req-api-1' }],
      ['imp-2', { importId: 'imp-2' }],
    ]);
    const store = { lire: async (id: string) => records.get(id) as ImportLaureats | undefined };
    expect(correlationDesImports(await lireImports(store, ['imp-1']))).toBe('req-api-1');
    // An import recorded without one (dropped by hand, or before this existed): its id.
    expect(correlationDesImports(await lireImports(store, ['imp-2']))).toBe('imp-2');
    expect(correlationDesImports(await lireImports(store, ['imp-1', 'imp-2', 'imp-1']))).toBe(
      'req-api-1,imp-2',
    );
  });
});
