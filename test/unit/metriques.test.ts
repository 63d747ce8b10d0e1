import { atteindrePhase, clore } from '@ti/domain/calendrier/etapes';
import { deposerCandidature } from '@ti/domain/candidatures/service';
import { conflit, versionPerimee } from '@ti/domain/commun/erreurs';
import { IngestionInterrompue, type OptionsIngestion } from '@ti/domain/laureats/ingestion';
import type { ImportLaureats } from '@ti/domain/laureats/ports';
import { LOCAL_FORM_SOURCE, signBody } from '@ti/local-cloud/signature';
import { env } from '@ti/platform/config';
import { DIMENSIONS, METRIQUES, NAMESPACE_METRIQUES, SERVICE } from '@ti/platform/metriques';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { campagnesEnMemoire, candidaturesEnMemoire, horloge } from '../support/calendrier-memoire';
import { c2023 } from '../support/campagnes';
import { type CaptureEmf, capterEmf, type Emise } from '../support/emf';
import { exemple } from '../support/exemples';
import { contexteLambda, evenementApi } from '../support/lambda';
import {
  ATTENDU_OCTOBRE,
  ATTENDU_SEPTEMBRE,
  csvWindows1252,
  ENTETES,
  EXPORT_OCTOBRE,
  EXPORT_SEPTEMBRE,
  genererLignes,
} from '../support/laureats-exemples';
import { importerEnMemoire, laureatsEnMemoire } from '../support/laureats-memoire';

/**
 * The business metrics as CloudWatch receives them: Powertools Metrics writes each EMF document as one
 * JSON line on stdout, captured here, with metrics enabled as in AWS (the local cloud disables them).
 * The modules that create the shared Metrics instance are imported after the environment is set.
 */

type Lambda = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
let mesures: typeof import('@ti/platform/mesures');
let routeHttp: typeof import('@ti/platform/http/route');
let metriquesRoute: typeof import('@ti/platform/http/metriques-route');
let sondeModule: typeof import('@ti/platform/operations/sonde');

let capture: CaptureEmf;
/** Every metric of every EMF document written since the last call. */
const emises = (): Emise[] => capture.emises();
const noms = (liste: Emise[]) => liste.map((e) => e.nom).sort();

beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.POWERTOOLS_METRICS_NAMESPACE = NAMESPACE_METRIQUES;
  process.env.POWERTOOLS_SERVICE_NAME = SERVICE;
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_IDEMPOTENCY_DISABLED = 'true';
  process.env.TABLE_IDEMPOTENCE = 'ti-idempotence';
  process.env[env.localFormSources] = JSON.stringify({ [LOCAL_FORM_SOURCE.id]: LOCAL_FORM_SOURCE.secret });
  mesures = await import('@ti/platform/mesures');
  routeHttp = await import('@ti/platform/http/route');
  metriquesRoute = await import('@ti/platform/http/metriques-route');
  sondeModule = await import('@ti/platform/operations/sonde');
});

beforeEach(() => {
  capture = capterEmf();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const contexte = contexteLambda();

function evenement(options: {
  path: string;
  corps?: string;
  signature?: string;
  contentType?: string;
  claims?: Record<string, string>;
  pathParameters?: Record<string, string>;
}): APIGatewayProxyEvent {
  const corps = options.corps ?? '';
  return evenementApi({
    path: options.path,
    headers: {
      'Content-Type': options.contentType ?? 'application/json',
      'X-Source': LOCAL_FORM_SOURCE.id,
      'X-Signature': options.signature ?? signBody(corps, LOCAL_FORM_SOURCE.secret),
    },
    pathParameters: options.pathParameters ?? null,
    body: corps,
    requestContext: options.claims ? { authorizer: { claims: options.claims } } : {},
  });
}

const saisie = {
  ...exemple(),
  campagne: 'c2023',
};

describe('POST /candidatures : reçues, acceptées, refusées par motif', () => {
  const montre = horloge('2023-07-01T10:00:00Z');
  let deposer: Lambda;
  let numero = 0;
  let panne: Error | undefined;
  beforeAll(() => {
    const deps = {
      candidatures: candidaturesEnMemoire(),
      campagnes: campagnesEnMemoire(c2023()),
      horloge: montre,
      nouvelId: () => `cand-${++numero}`,
    };
    // The real domain behind the real chain (signature, validation, errors); idempotency is off here
    // (no DynamoDB): replays are in test/integration/metriques.test.ts.
    deposer = routeHttp.route('candidatures/deposer', async ({ body, principal }) => {
      if (panne) throw panne;
      const candidature = await deposerCandidature(deps, body, principal.source);
      return { status: 201, body: candidature };
    }) as unknown as Lambda;
  });
  const envoyer = (corps: unknown, options: { signature?: string; contentType?: string } = {}) =>
    deposer(
      evenement({
        path: '/candidatures',
        corps: typeof corps === 'string' ? corps : JSON.stringify(corps),
        ...options,
      }),
      contexte,
    );

  it('une candidature acceptée : reçue et acceptée, en Count, avec la seule dimension service', async () => {
    montre.regler('2023-07-01T10:00:00Z');
    expect((await envoyer(saisie)).statusCode).toBe(201);
    const liste = emises();
    expect(liste).toEqual([
      {
        nom: METRIQUES.candidaturesRecues,
        unite: 'Count',
        valeur: 1,
        namespace: NAMESPACE_METRIQUES,
        dimensions: { service: SERVICE },
      },
      {
        nom: METRIQUES.candidaturesAcceptees,
        unite: 'Count',
        valeur: 1,
        namespace: NAMESPACE_METRIQUES,
        dimensions: { service: SERVICE },
      },
    ]);
  });

  it('une signature fausse : refusée, motif signature (Motif et service, rien d’autre)', async () => {
    const corps = JSON.stringify(saisie);
    const reponse = await envoyer(corps, { signature: signBody(corps, 'un-autre-secret-bien-long') });
    expect(reponse.statusCode).toBe(401);
    const liste = emises();
    expect(noms(liste)).toEqual([METRIQUES.candidaturesRecues, METRIQUES.candidaturesRefusees].sort());
    expect(liste.find((e) => e.nom === METRIQUES.candidaturesRefusees)).toEqual({
      nom: METRIQUES.candidaturesRefusees,
      unite: 'Count',
      valeur: 1,
      namespace: NAMESPACE_METRIQUES,
      dimensions: { service: SERVICE, [DIMENSIONS.motif]: 'signature' },
    });
  });

  it('un corps invalide (400, 415, 422) : motif validation', async () => {
    expect((await envoyer({ ...saisie, nomTerritoire: 42 })).statusCode).toBe(400);
    expect((await envoyer('{"campagne": ')).statusCode).toBe(400);
    expect((await envoyer(JSON.stringify(saisie), { contentType: 'text/plain' })).statusCode).toBe(415);
    expect((await envoyer({ ...saisie, campagne: 'inconnue' })).statusCode).toBe(422);
    const refus = emises().filter((e) => e.nom === METRIQUES.candidaturesRefusees);
    expect(refus.map((e) => e.dimensions[DIMENSIONS.motif])).toEqual([
      'validation',
      'validation',
      'validation',
      'validation',
    ]);
  });

  it('hors de la fenêtre de dépôt (409) : motif fenetre_fermee, pas conflit', async () => {
    montre.regler('2023-10-01T10:00:00Z');
    const reponse = await envoyer(saisie);
    expect(reponse.statusCode).toBe(409);
    expect(JSON.parse(reponse.body).detail).toContain('est clos');
    const liste = emises();
    expect(liste.filter((e) => e.nom === METRIQUES.candidaturesAcceptees)).toEqual([]);
    expect(liste.filter((e) => e.nom === METRIQUES.candidaturesRefusees).map((e) => e.dimensions)).toEqual([
      { service: SERVICE, [DIMENSIONS.motif]: 'fenetre_fermee' },
    ]);
    montre.regler('2023-07-01T10:00:00Z');
  });

  it('une panne (5xx) est reçue mais ni acceptée ni refusée', async () => {
    panne = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    try {
      expect((await envoyer(saisie)).statusCode).toBe(503);
      panne = new TypeError('bogue');
      expect((await envoyer(saisie)).statusCode).toBe(500);
    } finally {
      panne = undefined;
    }
    expect(noms(emises())).toEqual([METRIQUES.candidaturesRecues, METRIQUES.candidaturesRecues]);
  });

  it('les autres 409 et 412 sont des conflits ; les autres 4xx, autre ; 2xx et 5xx, aucun refus', () => {
    const { motifDeRefus } = metriquesRoute;
    expect(motifDeRefus(409, conflit('La candidature vient d’être modifiée par ailleurs'))).toBe('conflit');
    expect(motifDeRefus(409, Object.assign(new Error('x'), { name: 'IdempotencyValidationError' }))).toBe(
      'conflit',
    );
    expect(motifDeRefus(412, versionPerimee('v'))).toBe('conflit');
    expect(motifDeRefus(403, undefined)).toBe('autre');
    expect(motifDeRefus(404, undefined)).toBe('autre');
    expect(motifDeRefus(201, undefined)).toBeUndefined();
    expect(motifDeRefus(500, undefined)).toBeUndefined();
    expect(motifDeRefus(503, undefined)).toBeUndefined();
  });

  it('une réponse rejouée (Idempotent-Replayed) n’est pas comptée acceptée', async () => {
    const rejouee = routeHttp.route('candidatures/deposer', async () => ({
      status: 201,
      body: { id: 'cand-1' },
      headers: { 'Idempotent-Replayed': 'true' },
    })) as unknown as Lambda;
    const corps = JSON.stringify(saisie);
    expect((await rejouee(evenement({ path: '/candidatures', corps }), contexte)).statusCode).toBe(201);
    expect(noms(emises())).toEqual([METRIQUES.candidaturesRecues]);
  });
});

describe('fiches-action : déposées, instruites par statut', () => {
  it('un dépôt (201) compte une fiche déposée ; un refus ne compte rien et n’écrit rien', async () => {
    let refuser = false;
    const deposer = routeHttp.route('fiches-action/deposer', async () => {
      if (refuser) throw conflit('non');
      return { status: 201, body: { id: 'fiche-1' } };
    }) as unknown as Lambda;
    const ev = () =>
      evenement({ path: '/territoires/ti-1/fiches-action', corps: '{}', pathParameters: { id: 'ti-1' } });
    // The schema refuses '{}' (400): nothing counted, and no empty EMF document written.
    expect((await deposer(ev(), contexte)).statusCode).toBe(400);
    expect(emises()).toEqual([]);
    const fiche = exemple('fiche-action-valide');
    const valide = () =>
      evenement({
        path: '/territoires/ti-1/fiches-action',
        corps: JSON.stringify(fiche),
        pathParameters: { id: 'ti-1' },
      });
    expect((await deposer(valide(), contexte)).statusCode).toBe(201);
    expect(emises()).toEqual([
      {
        nom: METRIQUES.fichesActionDeposees,
        unite: 'Count',
        valeur: 1,
        namespace: NAMESPACE_METRIQUES,
        dimensions: { service: SERVICE },
      },
    ]);
    refuser = true;
    expect((await deposer(valide(), contexte)).statusCode).toBe(409);
    expect(emises()).toEqual([]);
  });

  it('une instruction (200) compte la fiche avec son nouveau statut en dimension', async () => {
    const instruire = routeHttp.route('fiches-action/instruire', async ({ body }) => ({
      status: 200,
      body: { id: 'fiche-1', statut: body.decision },
    })) as unknown as Lambda;
    const claims = { role: 'regional', region: '28', sub: 'sgar-28' };
    for (const corps of [
      { decision: 'validee' },
      { decision: 'a_completer', motif: 'Le plan de financement manque' },
    ]) {
      const reponse = await instruire(
        evenement({
          path: '/fiches-action/fiche-1/instruction',
          corps: JSON.stringify(corps),
          claims,
          pathParameters: { id: 'fiche-1' },
        }),
        contexte,
      );
      expect(reponse.statusCode).toBe(200);
    }
    expect(emises()).toEqual(
      ['validee', 'a_completer'].map((statut) => ({
        nom: METRIQUES.fichesActionInstruites,
        unite: 'Count',
        valeur: 1,
        namespace: NAMESPACE_METRIQUES,
        dimensions: { service: SERVICE, [DIMENSIONS.statut]: statut },
      })),
    );
  });

  it('une route sans métrique déclarée n’écrit rien', async () => {
    const sante = routeHttp.route('systeme/health', async () => ({
      status: 200,
      body: { status: 'ok' },
    })) as unknown as Lambda;
    expect((await sante({ ...evenement({ path: '/health' }), httpMethod: 'GET' }, contexte)).statusCode).toBe(
      200,
    );
    expect(emises()).toEqual([]);
  });
});

describe('ingestion : les lignes et la durée d’un import terminé, une seule fois', () => {
  /** Each reading of the clock one second later: the import's end is after its start. */
  const montre = () => {
    let t = Date.parse('2026-11-23T10:00:00.000Z');
    return {
      maintenant: () => {
        t += 1000;
        return new Date(t);
      },
    };
  };
  const importer = (
    m: ReturnType<typeof laureatsEnMemoire>,
    importId: string,
    octets: Buffer,
    options: OptionsIngestion = {},
  ) =>
    importerEnMemoire(m, importId, octets, {
      horloge: montre(),
      // As functions/laureats/ingerer.ts does; `logMetrics` flushes at the end of the invocation.
      options: { surCloture: mesures.importClos, ...options },
    }).finally(() => mesures.metriques.publishStoredMetrics());

  const valeurs = (liste: Emise[]) => Object.fromEntries(liste.map((e) => [e.nom, e.valeur]));
  const attendues = (imp: ImportLaureats) => ({
    [METRIQUES.importLignesNouvelles]: imp.lignes.nouvelles,
    [METRIQUES.importLignesMisesAJour]: imp.lignes.modifiees,
    [METRIQUES.importLignesInchangees]: imp.lignes.inchangees,
    [METRIQUES.importLignesRejetees]: imp.lignes.rejetees,
    [METRIQUES.importsTermines]: 1,
    [METRIQUES.importDuree]: Date.parse(imp.fin ?? '') - Date.parse(imp.debut),
  });

  it('les comptes sont ceux de l’enregistrement de l’import, la durée de son début à sa fin', async () => {
    const m = laureatsEnMemoire();
    const septembre = await importer(m, 'sept', csvWindows1252(EXPORT_SEPTEMBRE));
    expect(septembre.lignes).toEqual(ATTENDU_SEPTEMBRE.lignes);
    expect(valeurs(emises())).toEqual(attendues(septembre));

    const octobre = await importer(m, 'oct', csvWindows1252(EXPORT_OCTOBRE));
    expect(octobre.lignes).toEqual(ATTENDU_OCTOBRE.lignes);
    const liste = emises();
    expect(valeurs(liste)).toEqual(attendues(octobre));
    expect(valeurs(liste)).toMatchObject({
      [METRIQUES.importLignesNouvelles]: 1,
      [METRIQUES.importLignesMisesAJour]: 3,
      [METRIQUES.importLignesInchangees]: 6,
      [METRIQUES.importLignesRejetees]: 1,
    });
    expect((valeurs(liste)[METRIQUES.importDuree] as number) > 0).toBe(true);
    expect(Object.fromEntries(liste.map((e) => [e.nom, e.unite]))).toMatchObject({
      [METRIQUES.importLignesNouvelles]: 'Count',
      [METRIQUES.importsTermines]: 'Count',
      [METRIQUES.importDuree]: 'Milliseconds',
    });
    expect(new Set(liste.map((e) => JSON.stringify(e.dimensions)))).toEqual(
      new Set([JSON.stringify({ service: SERVICE })]),
    );
  });

  it('interrompu puis repris : rien à l’interruption, les comptes entiers à la fin, rien au doublon', async () => {
    const m = laureatsEnMemoire();
    const fichier = csvWindows1252(genererLignes(500, { prefixe: 'FAIIT-METRIQUES' }));
    const interruption = await importer(m, 'long', fichier, {
      tailleFenetre: 100,
      continuer: () => false,
    }).catch((e) => e);
    expect(interruption).toBeInstanceOf(IngestionInterrompue);
    expect(emises()).toEqual([]);

    const fini = await importer(m, 'long', fichier, { tailleFenetre: 100 });
    expect(fini.statut).toBe('termine');
    expect(valeurs(emises())).toEqual(attendues((await m.imports.lire('long')) as ImportLaureats));

    // The same event delivered again: the ended import is returned, nothing is counted twice.
    expect((await importer(m, 'long', fichier)).statut).toBe('termine');
    expect(emises()).toEqual([]);
  });

  it('un fichier refusé en entier compte un import rejeté', async () => {
    const m = laureatsEnMemoire();
    const sansIdentifiant = Buffer.from(`${ENTETES.slice(1).join(';')}\r\n`, 'latin1');
    const imp = await importer(m, 'refuse', sansIdentifiant);
    expect(imp.statut).toBe('rejete');
    const liste = valeurs(emises());
    expect(liste[METRIQUES.importsRejetes]).toBe(1);
    expect(liste[METRIQUES.importsTermines]).toBeUndefined();
  });
});

describe('agrégats et calendrier', () => {
  it('un recalcul : sa durée en millisecondes et un recalcul compté', () => {
    mesures.agregatsRecalcules(1234.4);
    mesures.metriques.publishStoredMetrics();
    expect(emises().map(({ nom, unite, valeur }) => ({ nom, unite, valeur }))).toEqual([
      { nom: METRIQUES.agregatsRecalcules, unite: 'Count', valeur: 1 },
      { nom: METRIQUES.agregatsRecalculDuree, unite: 'Milliseconds', valeur: 1234 },
    ]);
  });

  it('une phase atteinte est comptée une fois, avec sa phase ; rejouée (inchangee), rien', async () => {
    const campagnes = campagnesEnMemoire(c2023());
    const deps = { campagnes: mesures.phasesMesurees(campagnes) };
    const entree = { campagne: 'c2023', version: 1, phase: 'ouverte' as const };
    await atteindrePhase(deps, entree);
    expect(emises()).toEqual([
      {
        nom: METRIQUES.phasesCampagne,
        unite: 'Count',
        valeur: 1,
        namespace: NAMESPACE_METRIQUES,
        dimensions: { service: SERVICE, [DIMENSIONS.phase]: 'ouverte' },
      },
    ]);
    // A Lambda retry of the same step: the phase is already there.
    await atteindrePhase(deps, entree);
    expect(emises()).toEqual([]);

    // The window closes: the next phase, once.
    await clore(
      {
        campagnes: deps.campagnes,
        candidatures: candidaturesEnMemoire(),
        horloge: horloge('2023-09-23T00:00:00Z'),
      },
      { campagne: 'c2023', version: 1 },
    );
    expect(emises().map((e) => e.dimensions[DIMENSIONS.phase])).toEqual(['instruction_regionale']);
    // An execution of outdated dates (perimee) moves nothing and counts nothing.
    await expect(
      atteindrePhase(deps, { ...entree, version: 2, phase: 'selection_nationale' }),
    ).rejects.toThrow();
    expect(emises()).toEqual([]);
    expect(campagnes.parId.get('c2023')?.phase).toBe('instruction_regionale');
  });
});

describe('la sonde : âges du dernier import et des agrégats, en secondes', () => {
  const maintenant = '2026-11-23T10:00:00.000Z';
  const agregats = (asOf: string | null) => ({
    lire: async () => ({ empreinte: 'e', agregats: { asOf } as never }),
  });

  it('depuis la fin du dernier import terminé et depuis l’asOf des agrégats', async () => {
    const resultat = await sondeModule.sonder({
      dernierImport: async () => ({ importId: 'oct', fin: '2026-11-22T10:00:00.000Z' }),
      agregats: agregats('2026-11-23T09:58:30.000Z'),
      horloge: horloge(maintenant),
    });
    mesures.metriques.publishStoredMetrics();
    expect(resultat).toEqual({ ageDernierImport: 86_400, ageAgregats: 90 });
    expect(emises()).toEqual([
      {
        nom: METRIQUES.ageDernierImport,
        unite: 'Seconds',
        valeur: 86_400,
        namespace: NAMESPACE_METRIQUES,
        dimensions: { service: SERVICE },
      },
      {
        nom: METRIQUES.ageAgregats,
        unite: 'Seconds',
        valeur: 90,
        namespace: NAMESPACE_METRIQUES,
        dimensions: { service: SERVICE },
      },
    ]);
  });

  it('sans import terminé ni agrégat daté : rien d’émis (l’alarme voit la donnée manquante)', async () => {
    const resultat = await sondeModule.sonder({
      dernierImport: async () => undefined,
      agregats: agregats(null),
      horloge: horloge(maintenant),
    });
    mesures.metriques.publishStoredMetrics();
    expect(resultat).toEqual({});
    expect(emises()).toEqual([]);

    await sondeModule.sonder({
      dernierImport: async () => undefined,
      agregats: { lire: async () => undefined },
      horloge: horloge(maintenant),
    });
    mesures.metriques.publishStoredMetrics();
    expect(emises()).toEqual([]);
  });
});
