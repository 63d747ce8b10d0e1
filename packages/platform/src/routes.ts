import { CampagneDates, CampagneVue } from '@ti/domain/campagnes/campagne';
import {
  Candidature,
  CandidatureDetaillee,
  CandidatureSaisie,
  FiltreCandidatures,
  PageCandidatures,
  PieceDemande,
  PieceTeleversement,
} from '@ti/domain/candidatures/schema';
import { z } from 'zod';
import type { BucketKey } from './buckets';
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

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path, with `{param}` placeholders. */
  path: string;
  handler: string;
  auth: Auth;
  summary: string;
  /** Request body schema (JSON); validated in the handler, documented in OpenAPI. */
  body?: z.ZodType;
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
    summary: 'Créer ou modifier le calendrier d’une campagne (opérateur national)',
    body: CampagneDates,
    response: { status: 200, schema: CampagneVue },
    idempotent: true,
    tables: { campagnes: 'readwrite', idempotence: 'readwrite' },
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
] as const satisfies readonly Route[];

export type RouteDefinie = (typeof routes)[number];
export type HandlerName = RouteDefinie['handler'];

export function routeDe<H extends HandlerName>(handler: H): Extract<RouteDefinie, { handler: H }> {
  const found = routes.find((r) => r.handler === handler);
  if (!found) throw new Error(`No route for handler ${handler}`);
  return found as Extract<RouteDefinie, { handler: H }>;
}
