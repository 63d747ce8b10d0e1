import type { ErreurKind, Violation } from '@ti/domain/commun/erreurs';
import type { APIGatewayProxyResult } from 'aws-lambda';

/** RFC 9457 problem details, with French titles. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: Violation[];
}

const TITRES: Record<number, string> = {
  400: 'Requête invalide',
  401: 'Authentification requise',
  403: 'Accès refusé',
  404: 'Ressource introuvable',
  405: 'Méthode non autorisée',
  409: 'Conflit',
  412: 'Version périmée',
  413: 'Requête trop volumineuse',
  415: 'Type de contenu non pris en charge',
  422: 'Règle métier non respectée',
  500: 'Erreur interne',
  503: 'Service momentanément indisponible',
};

export const STATUT_DE: Record<ErreurKind, number> = {
  requete_invalide: 400,
  interdit: 403,
  introuvable: 404,
  conflit: 409,
  version_perimee: 412,
  regle_metier: 422,
};

/** A failure of the HTTP exchange itself (authentication, content type, size), shown to the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: Violation[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function problem(
  status: number,
  detail: string,
  errors?: Violation[],
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  const body: Problem = {
    type: status >= 500 ? 'about:blank' : `https://territoires-industrie.anct.gouv.fr/problemes/${status}`,
    title: TITRES[status] ?? 'Erreur',
    status,
    detail,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
  return {
    statusCode: status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
    body: JSON.stringify(body),
  };
}
