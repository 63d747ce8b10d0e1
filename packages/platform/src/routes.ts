import { AgregatRegionDate, Agregats, AgregatTerritoire } from '@ti/domain/agregats/schema';
import { AvisSaisie, Decision, DecisionSaisie } from '@ti/domain/calendrier/schema';
import { CampagneDates, CampagneEnregistree, CampagneVue } from '@ti/domain/campagnes/campagne';
import {
  Candidature,
  CandidatureDetaillee,
  CandidatureSaisie,
  FiltreCandidatures,
  PageCandidatures,
  PieceDemande,
  PieceTeleversement,
} from '@ti/domain/candidatures/schema';
import {
  FicheAction,
  FicheActionDetaillee,
  FicheActionSaisie,
  FiltreExportFiches,
  FiltreFichesTerritoire,
  InstructionFiche,
  PageFichesAction,
} from '@ti/domain/fiches-action/schema';
import {
  DemandeImport,
  FiltreLaureats,
  ImportDemande,
  PageLaureats,
  RapportImport,
} from '@ti/domain/laureats/schema';
import {
  FiltreTerritoires,
  PageTerritoires,
  ParametresImport,
  RapportImportTerritoires,
  Territoire,
} from '@ti/domain/territoires/schema';
import * as z from 'zod';
import type { BucketKey } from './buckets';
import type { MetriqueRoute } from './metriques';
import type { TableKey } from './tables';

/**
 * The public API, route by route, defined once: the CDK API stack builds API Gateway methods and one
 * Lambda function per route from it, the local cloud routes HTTP requests to the same handler
 * modules, each handler takes its authentication and schemas from it, and the OpenAPI document is
 * generated from it. `handler` is the module path under `functions/` (without `.ts`).
 */
export type Access = 'read' | 'write' | 'readwrite';

/** `form`: HMAC-signed form source; `operator`: JWT with role/region (Cognito in AWS); `public`: none. */
export type Auth = 'public' | 'form' | 'operator';

/** Largest body a route accepts unless it says otherwise (bytes). */
export const TAILLE_CORPS_DEFAUT = 1024 * 1024;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path, with `{param}` placeholders. */
  path: string;
  handler: string;
  auth: Auth;
  summary: string;
  /** Request body schema (JSON); validated in the handler, documented in OpenAPI. */
  body?: z.ZodType;
  /**
   * A route that takes a file instead of JSON: the one media type accepted (415 otherwise); the
   * handler receives the raw bytes. API Gateway must pass it as binary (`typesMediaBinaires`).
   */
  contentType?: 'text/csv';
  /** Largest body accepted, in bytes, when not the default (TAILLE_CORPS_DEFAUT). */
  maxBodyBytes?: number;
  /** Lambda timeout when the default (10 s) is too short; API Gateway gives up at 29 s. */
  timeoutSeconds?: number;
  /** Query string schema. */
  query?: z.ZodType;
  /** Success status and body schema, for OpenAPI. */
  response: { status: number; schema?: z.ZodType };
  /** Honour `Idempotency-Key`. */
  idempotent?: boolean;
  tables?: Partial<Record<TableKey, Access>>;
  buckets?: Partial<Record<BucketKey, Access>>;
  /** Whether the handler reads the form sources' secrets. */
  formSecrets?: boolean;
  /**
   * What the handler does with the selection calendar's state machine: `start` (and stop) executions,
   * or `callback`: resume a waiting step with its task token (`SendTaskSuccess`).
   */
  stateMachine?: 'start' | 'callback';
  /** The business metrics the route counts (`metriques.ts`, counted by `http/metriques-route.ts`). */
  metrique?: MetriqueRoute;
}

const Sante = z.object({ status: z.literal('ok') }).meta({ id: 'Sante' });

export const routes = [
  {
    method: 'GET',
    path: '/health',
    handler: 'systeme/health',
    auth: 'public',
    summary: 'État du service',
    response: { status: 200, schema: Sante },
  },
  {
    method: 'GET',
    path: '/openapi.json',
    handler: 'systeme/openapi',
    auth: 'public',
    summary: 'Ce document OpenAPI 3.1',
    response: { status: 200 },
  },
  {
    method: 'GET',
    path: '/campagnes/{id}',
    handler: 'campagnes/lire',
    auth: 'operator',
    summary: 'Une campagne : ses dates, sa phase et l’avancement de l’instruction par région',
    response: { status: 200, schema: CampagneVue },
    tables: { campagnes: 'read', candidatures: 'read' },
  },
  {
    method: 'PUT',
    path: '/campagnes/{id}',
    handler: 'campagnes/enregistrer',
    auth: 'operator',
    summary:
      'Créer ou modifier le calendrier d’une campagne (opérateur national) : 201 à la création, 200 ensuite. ' +
      'Chaque version des dates démarre son calendrier de sélection (et arrête celui de la version précédente)',
    body: CampagneDates,
    response: { status: 200, schema: CampagneEnregistree },
    idempotent: true,
    tables: { campagnes: 'readwrite', idempotence: 'readwrite' },
    stateMachine: 'start',
  },
  {
    method: 'POST',
    path: '/candidatures',
    handler: 'candidatures/deposer',
    auth: 'form',
    summary: 'Déposer une candidature pendant la fenêtre de dépôt',
    body: CandidatureSaisie,
    response: { status: 201, schema: Candidature },
    idempotent: true,
    metrique: 'depotCandidature',
    formSecrets: true,
    tables: { candidatures: 'readwrite', campagnes: 'read', idempotence: 'readwrite' },
  },
  {
    method: 'GET',
    path: '/candidatures',
    handler: 'candidatures/lister',
    auth: 'operator',
    summary: 'Lister les candidatures (pagination par curseur)',
    query: FiltreCandidatures,
    response: { status: 200, schema: PageCandidatures },
    tables: { candidatures: 'read' },
  },
  {
    method: 'GET',
    path: '/candidatures/{id}',
    handler: 'candidatures/lire',
    auth: 'operator',
    summary: 'Une candidature, sa géographie dérivée, son statut, ses avis et son historique',
    response: { status: 200, schema: CandidatureDetaillee },
    tables: { candidatures: 'read' },
  },
  {
    method: 'PUT',
    path: '/candidatures/{id}',
    handler: 'candidatures/modifier',
    auth: 'form',
    summary: 'Modifier une candidature tant que la fenêtre est ouverte (If-Match : version)',
    body: CandidatureSaisie,
    response: { status: 200, schema: Candidature },
    idempotent: true,
    formSecrets: true,
    tables: { candidatures: 'readwrite', campagnes: 'read', idempotence: 'readwrite' },
  },
  {
    method: 'POST',
    path: '/candidatures/{id}/pieces',
    handler: 'candidatures/pieces',
    auth: 'form',
    summary: 'Obtenir une URL de dépôt (PUT présigné) pour une lettre d’intention PDF de 10 Mo au plus',
    body: PieceDemande,
    response: { status: 201, schema: PieceTeleversement },
    idempotent: true,
    formSecrets: true,
    tables: { candidatures: 'read', idempotence: 'readwrite' },
    buckets: { pieces: 'write' },
  },
  {
    method: 'GET',
    path: '/territoires',
    handler: 'territoires/lister',
    auth: 'operator',
    summary: 'Lister les territoires labellisés (un opérateur régional : ceux de sa région)',
    query: FiltreTerritoires,
    response: { status: 200, schema: PageTerritoires },
    tables: { territoires: 'read' },
  },
  {
    method: 'GET',
    path: '/territoires/{id}',
    handler: 'territoires/lire',
    auth: 'operator',
    summary: 'Un territoire labellisé : ses EPCI, ses communes, ses régions et départements, sa génération',
    response: { status: 200, schema: Territoire },
    tables: { territoires: 'read' },
  },
  {
    method: 'POST',
    path: '/territoires/import',
    handler: 'territoires/importer',
    timeoutSeconds: 28,
    auth: 'operator',
    summary:
      'Importer une génération depuis la liste de l’ANCT (opérateur national) : le fichier CSV en corps (text/csv, ' +
      'insee_com;lib_com;id_ti;lib_ti, UTF-8 ou Windows-1252) ; réimporter le même fichier ne change rien',
    contentType: 'text/csv',
    // The whole list (≈ 20,000 communes) in one request; base64 for API Gateway keeps it under Lambda's 6 MB.
    maxBodyBytes: 4 * 1024 * 1024,
    query: ParametresImport,
    response: { status: 200, schema: RapportImportTerritoires },
    idempotent: true,
    tables: { territoires: 'readwrite', idempotence: 'readwrite' },
  },
  {
    method: 'POST',
    path: '/territoires/{id}/fiches-action',
    handler: 'fiches-action/deposer',
    auth: 'form',
    summary: 'Déposer une fiche-action pour un territoire labellisé 2023-2027',
    body: FicheActionSaisie,
    response: { status: 201, schema: FicheAction },
    idempotent: true,
    metrique: 'depotFicheAction',
    formSecrets: true,
    tables: { fichesAction: 'readwrite', territoires: 'read', campagnes: 'read', idempotence: 'readwrite' },
  },
  {
    method: 'GET',
    path: '/territoires/{id}/fiches-action',
    handler: 'fiches-action/lister-du-territoire',
    auth: 'operator',
    summary: 'Les fiches-action d’un territoire (pagination par curseur)',
    query: FiltreFichesTerritoire,
    response: { status: 200, schema: PageFichesAction },
    tables: { fichesAction: 'read', territoires: 'read' },
  },
  {
    method: 'GET',
    path: '/fiches-action/{id}',
    handler: 'fiches-action/lire',
    auth: 'operator',
    summary: 'Une fiche-action avec son historique (statuts, motifs, champs modifiés)',
    response: { status: 200, schema: FicheActionDetaillee },
    tables: { fichesAction: 'read', territoires: 'read' },
  },
  {
    method: 'PUT',
    path: '/fiches-action/{id}',
    handler: 'fiches-action/modifier',
    auth: 'form',
    summary: 'Modifier une fiche-action (If-Match : version ; 412 si périmée) ; elle redevient « deposee »',
    body: FicheActionSaisie,
    response: { status: 200, schema: FicheAction },
    idempotent: true,
    formSecrets: true,
    tables: { fichesAction: 'readwrite', territoires: 'read', campagnes: 'read', idempotence: 'readwrite' },
  },
  {
    method: 'POST',
    path: '/fiches-action/{id}/instruction',
    handler: 'fiches-action/instruire',
    auth: 'operator',
    summary:
      'Instruire une fiche déposée (opérateur régional d’une région du territoire) : « validee » ou « a_completer » ' +
      'avec son motif, gardé dans l’historique (If-Match : version, facultatif)',
    body: InstructionFiche,
    response: { status: 200, schema: FicheAction },
    idempotent: true,
    metrique: 'instructionFicheAction',
    tables: { fichesAction: 'readwrite', territoires: 'read', idempotence: 'readwrite' },
  },
  {
    method: 'GET',
    path: '/fiches-action',
    handler: 'fiches-action/exporter',
    timeoutSeconds: 28,
    auth: 'operator',
    summary:
      'Export des fiches-action (un opérateur régional : sa région). format=json : une page {items, nextCursor}. ' +
      'format=csv|xlsx : le fichier est écrit en flux dans S3 puis 303 See Other, Location = URL présignée (15 min), ' +
      'corps FichierExport. CSV à la française : UTF-8 avec BOM, « ; », virgule décimale',
    query: FiltreExportFiches,
    response: { status: 200, schema: PageFichesAction },
    tables: { fichesAction: 'read', territoires: 'read' },
    buckets: { exports: 'readwrite' },
  },
  {
    method: 'POST',
    path: '/candidatures/{id}/avis',
    handler: 'candidatures/avis',
    auth: 'operator',
    summary:
      'L’avis d’opportunité du conseil régional ou de la préfecture de région (opérateur régional d’une région ' +
      'de la candidature), pendant l’instruction régionale (409 sinon) ; un second avis du même émetteur ' +
      'remplace le premier, l’historique garde les deux',
    body: AvisSaisie,
    response: { status: 200, schema: Candidature },
    idempotent: true,
    tables: {
      candidatures: 'readwrite',
      campagnes: 'read',
      calendrier: 'readwrite',
      idempotence: 'readwrite',
    },
    stateMachine: 'callback',
  },
  {
    method: 'POST',
    path: '/campagnes/{id}/decision',
    handler: 'campagnes/decision',
    auth: 'operator',
    summary:
      'La décision du comité national (opérateur national), pendant la sélection nationale, une fois (409 sinon) : ' +
      'chaque candidature de la campagne une seule fois, dans labellisees ou nonRetenues (422 sinon, avec le ' +
      'chemin de chaque identifiant fautif). Appliquée à l’annonce',
    body: DecisionSaisie,
    response: { status: 200, schema: Decision },
    idempotent: true,
    tables: {
      campagnes: 'readwrite',
      candidatures: 'read',
      calendrier: 'readwrite',
      idempotence: 'readwrite',
    },
    stateMachine: 'callback',
  },
  {
    method: 'POST',
    path: '/laureats/imports',
    handler: 'laureats/importer',
    auth: 'operator',
    summary:
      'Importer un export Bpifrance des lauréats (opérateur national) : une URL de dépôt (PUT présigné, 15 min) ' +
      'pour le fichier .csv ou .xlsx ; son dépôt lance l’ingestion, suivie par GET /laureats/imports/{id}',
    body: DemandeImport,
    response: { status: 201, schema: ImportDemande },
    idempotent: true,
    tables: { idempotence: 'readwrite' },
    buckets: { laureats: 'write' },
  },
  {
    method: 'GET',
    path: '/laureats/imports/{id}',
    handler: 'laureats/lire-import',
    auth: 'operator',
    summary:
      'Le rapport d’un import de lauréats : lignes nouvelles, modifiées, inchangées, rejetées (ligne, colonne, motif), ' +
      'avertissements ; une fois terminé, les liens du rapport complet (JSON) et des lignes rejetées (CSV)',
    response: { status: 200, schema: RapportImport },
    tables: { laureats: 'read' },
    buckets: { laureats: 'read' },
  },
  {
    method: 'GET',
    path: '/laureats',
    handler: 'laureats/lister',
    auth: 'operator',
    summary: 'Les lauréats ingérés, par région ou par territoire (un opérateur régional : sa région)',
    query: FiltreLaureats,
    response: { status: 200, schema: PageLaureats },
    tables: { laureats: 'read' },
  },
  {
    method: 'GET',
    path: '/agregats',
    handler: 'agregats/lire',
    auth: 'public',
    summary:
      'Les agrégats du programme, national et par région (triées par code), avec la date des données et les ' +
      'imports dont ils proviennent ; recalculés à la fin de chaque import de lauréats et toutes les heures',
    response: { status: 200, schema: Agregats },
    tables: { agregats: 'read' },
  },
  {
    method: 'GET',
    path: '/agregats/regions/{code}',
    handler: 'agregats/lire-region',
    auth: 'public',
    summary: 'L’agrégat d’une région (code INSEE) ; des zéros pour une région sans lauréat ni territoire',
    response: { status: 200, schema: AgregatRegionDate },
    tables: { agregats: 'read' },
  },
  {
    method: 'GET',
    path: '/agregats/territoires/{id}',
    handler: 'agregats/lire-territoire',
    auth: 'public',
    summary:
      'L’agrégat d’un territoire labellisé (toutes générations) : les lauréats de ses communes, ses fiches-action',
    response: { status: 200, schema: AgregatTerritoire },
    tables: { agregats: 'read' },
  },
  {
    method: 'GET',
    path: '/open-data/agregats/{fichier}',
    handler: 'agregats/fichier',
    auth: 'public',
    summary:
      'Les données ouvertes des agrégats : regions.json, regions.csv (UTF-8 avec BOM, « ; », virgule décimale) ' +
      'et index.html (la page à lire, graphique compris). ETag et If-None-Match (304)',
    response: { status: 200 },
    buckets: { opendata: 'read' },
  },
] as const satisfies readonly Route[];

/** Media types API Gateway must pass to the handlers as binary (base64): the files routes take. */
export const typesMediaBinaires: string[] = [
  ...new Set((routes as readonly Route[]).flatMap((r) => (r.contentType ? [r.contentType] : []))),
];

export type RouteDefinie = (typeof routes)[number];
export type HandlerName = RouteDefinie['handler'];

export function routeDe<H extends HandlerName>(handler: H): Extract<RouteDefinie, { handler: H }> {
  const found = routes.find((r) => r.handler === handler);
  if (!found) throw new Error(`No route for handler ${handler}`);
  return found as Extract<RouteDefinie, { handler: H }>;
}
