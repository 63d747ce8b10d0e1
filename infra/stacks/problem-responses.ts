import { type GatewayResponseOptions, ResponseType } from 'aws-cdk-lib/aws-apigateway';

/**
 * The errors API Gateway answers itself (before or instead of a handler), in the same RFC 9457
 * shape and vocabulary as the handlers' (packages/platform/src/http/problem.ts): every response type
 * is listed with an explicit status so that the body's `status` always matches the HTTP status.
 */
const PROBLEM_TYPE_BASE = 'https://territoires-industrie.anct.gouv.fr/problemes/';

interface Problem {
  type: ResponseType;
  status: number;
  title: string;
  detail: string;
}

const problems: Record<string, Problem> = {
  Default4xx: {
    type: ResponseType.DEFAULT_4XX,
    status: 400,
    title: 'Requête invalide',
    detail: 'La requête ne peut pas être traitée.',
  },
  Default5xx: {
    type: ResponseType.DEFAULT_5XX,
    status: 500,
    title: 'Erreur interne',
    detail: 'Une erreur inattendue est survenue.',
  },
  // The only required parameters API Gateway checks are the form routes' signature headers (path
  // parameters are always there on a matched route): a missing one is an authentication failure,
  // answered 401 with the handlers' own message (packages/platform/src/http/form-signature.ts).
  BadRequestParameters: {
    type: ResponseType.BAD_REQUEST_PARAMETERS,
    status: 401,
    title: 'Authentification requise',
    detail: 'Les en-têtes X-Source et X-Signature sont requis',
  },
  BadRequestBody: {
    type: ResponseType.BAD_REQUEST_BODY,
    status: 400,
    title: 'Requête invalide',
    detail: 'Le corps de la requête est invalide.',
  },
  Unauthorized: {
    type: ResponseType.UNAUTHORIZED,
    status: 401,
    title: 'Authentification requise',
    detail: 'Jeton d’accès absent, invalide ou expiré.',
  },
  ExpiredToken: {
    type: ResponseType.EXPIRED_TOKEN,
    status: 401,
    title: 'Authentification requise',
    detail: 'Le jeton d’accès a expiré.',
  },
  AccessDenied: {
    type: ResponseType.ACCESS_DENIED,
    status: 403,
    title: 'Accès refusé',
    detail: 'Vous n’avez pas accès à cette ressource.',
  },
  InvalidSignature: {
    type: ResponseType.INVALID_SIGNATURE,
    status: 403,
    title: 'Accès refusé',
    detail: 'La signature de la requête est invalide.',
  },
  InvalidApiKey: {
    type: ResponseType.INVALID_API_KEY,
    status: 403,
    title: 'Accès refusé',
    detail: 'Clé d’API invalide.',
  },
  WafFiltered: {
    type: ResponseType.WAF_FILTERED,
    status: 403,
    title: 'Accès refusé',
    detail: 'La requête a été bloquée par le pare-feu applicatif.',
  },
  // API Gateway answers an unknown path or method with 403 "Missing Authentication Token".
  MissingAuthenticationToken: {
    type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
    status: 404,
    title: 'Ressource introuvable',
    detail: 'Aucune route ne correspond à cette méthode et à ce chemin.',
  },
  ResourceNotFound: {
    type: ResponseType.RESOURCE_NOT_FOUND,
    status: 404,
    title: 'Ressource introuvable',
    detail: 'Aucune route ne correspond à cette méthode et à ce chemin.',
  },
  RequestTooLarge: {
    type: ResponseType.REQUEST_TOO_LARGE,
    status: 413,
    title: 'Requête trop volumineuse',
    detail: 'Le corps de la requête dépasse la taille autorisée.',
  },
  UnsupportedMediaType: {
    type: ResponseType.UNSUPPORTED_MEDIA_TYPE,
    status: 415,
    title: 'Type de contenu non pris en charge',
    detail: 'Ce type de contenu n’est pas accepté.',
  },
  Throttled: {
    type: ResponseType.THROTTLED,
    status: 429,
    title: 'Trop de requêtes',
    detail: 'Trop de requêtes : réessayez dans quelques instants.',
  },
  QuotaExceeded: {
    type: ResponseType.QUOTA_EXCEEDED,
    status: 429,
    title: 'Trop de requêtes',
    detail: 'Le quota de requêtes est atteint.',
  },
  AuthorizerFailure: {
    type: ResponseType.AUTHORIZER_FAILURE,
    status: 500,
    title: 'Erreur interne',
    detail: 'L’authentification n’a pas pu être vérifiée.',
  },
  AuthorizerConfigurationError: {
    type: ResponseType.AUTHORIZER_CONFIGURATION_ERROR,
    status: 500,
    title: 'Erreur interne',
    detail: 'L’authentification n’a pas pu être vérifiée.',
  },
  ApiConfigurationError: {
    type: ResponseType.API_CONFIGURATION_ERROR,
    status: 500,
    title: 'Erreur interne',
    detail: 'Une erreur de configuration est survenue.',
  },
  IntegrationFailure: {
    type: ResponseType.INTEGRATION_FAILURE,
    status: 502,
    title: 'Erreur interne',
    detail: 'Le service n’a pas pu traiter la requête.',
  },
  IntegrationTimeout: {
    type: ResponseType.INTEGRATION_TIMEOUT,
    status: 504,
    title: 'Délai dépassé',
    detail: 'Le service n’a pas répondu à temps.',
  },
};

const problemTypeOf = (status: number): string =>
  status >= 500 ? 'about:blank' : `${PROBLEM_TYPE_BASE}${status}`;

/** Gateway responses, keyed by construct id. */
export const problemResponses: Record<string, GatewayResponseOptions> = Object.fromEntries(
  Object.entries(problems).map(([id, p]) => [
    id,
    {
      type: p.type,
      statusCode: String(p.status),
      responseHeaders: { 'Content-Type': "'application/problem+json'" },
      templates: {
        'application/json': JSON.stringify({
          type: problemTypeOf(p.status),
          title: p.title,
          status: p.status,
          detail: p.detail,
        }),
      },
    },
  ]),
);
