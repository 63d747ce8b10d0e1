import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddlewareObj } from '@middy/core';
import { FenetreFermee } from '@ti/domain/campagnes/campagne';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  candidatureAcceptee,
  candidatureRecue,
  candidatureRefusee,
  ficheActionDeposee,
  ficheActionInstruite,
  metriques,
} from '../mesures';
import type { MetriqueRoute, MotifRefus } from '../metriques';

type Intergiciel = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;

/**
 * Why a candidature was refused, from the status it got (and the error behind it): `undefined` when
 * it was not refused, a 5xx included (our failure, not the submitter's).
 */
export function motifDeRefus(status: number, erreur: unknown): MotifRefus | undefined {
  if (status < 400 || status >= 500) return undefined;
  if (status === 401) return 'signature';
  if (status === 400 || status === 413 || status === 415 || status === 422) return 'validation';
  if (status === 409 && erreur instanceof FenetreFermee) return 'fenetre_fermee';
  if (status === 409 || status === 412) return 'conflit';
  return 'autre';
}

const rejoue = (reponse: APIGatewayProxyResult) =>
  Object.entries(reponse.headers ?? {}).some(
    ([nom, valeur]) => nom.toLowerCase() === 'idempotent-replayed' && String(valeur) === 'true',
  );

/**
 * The business metrics of a route that declares them (`metrique` in `routes.ts`), to be registered
 * before everything else, the problem+json error handler included: its `after` and `onError` then run
 * last, on the final status. `logMetrics` comes first so that it writes what the counter added, once
 * per invocation, on success, on error, and on an idempotent replay (Powertools' idempotency ends the
 * chain in its `before` and calls `logMetrics`' cleanup itself: the replay counts as received, never
 * as accepted). A route that declares nothing gets no middleware.
 */
export function metriquesDeRoute(metrique: MetriqueRoute | undefined): Intergiciel[] {
  if (!metrique) return [];
  const compteur: Intergiciel = {
    before: async () => {
      // Every submission that reaches the function: refused, accepted, replayed or failed.
      if (metrique === 'depotCandidature') candidatureRecue();
    },
    after: async (request) => {
      compter(metrique, request.response, undefined);
    },
    onError: async (request) => {
      compter(metrique, request.response, request.error);
    },
  };
  return [logMetrics(metriques) as Intergiciel, compteur];
}

function compter(
  metrique: MetriqueRoute,
  reponse: APIGatewayProxyResult | null | undefined,
  erreur: unknown,
) {
  if (!reponse) return;
  const status = reponse.statusCode;
  const cree = status === 201 && !rejoue(reponse);
  if (metrique === 'depotCandidature') {
    if (cree) candidatureAcceptee();
    const motif = motifDeRefus(status, erreur);
    if (motif) candidatureRefusee(motif);
  } else if (metrique === 'depotFicheAction') {
    if (cree) ficheActionDeposee();
  } else if (status === 200 && !rejoue(reponse)) {
    // The status the fiche now has, as the response gives it: a finite set, hence a handful of series.
    const statut = statutDe(reponse.body);
    if (statut) ficheActionInstruite(statut);
  }
}

function statutDe(corps: string | undefined): 'validee' | 'a_completer' | undefined {
  try {
    const statut = (JSON.parse(corps ?? '') as { statut?: unknown }).statut;
    return statut === 'validee' || statut === 'a_completer' ? statut : undefined;
  } catch {
    return undefined;
  }
}
