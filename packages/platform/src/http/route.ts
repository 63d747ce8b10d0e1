import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { Operateur } from '@ti/domain/commun/acces';
import { ErreurDomaine, formatPath } from '@ti/domain/commun/erreurs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { z } from 'zod';
import { correlationHttp } from '../journal/contexte';
import { avecEnTeteCorrelation } from '../journal/correlation';
import { logger } from '../observabilite';
import {
  type Auth,
  type HandlerName,
  type Route,
  type RouteDefinie,
  routeDe,
  TAILLE_CORPS_DEFAUT,
} from '../routes';
import { verifierSignature } from './form-signature';
import { idempotence } from './idempotence';
import { metriquesDeRoute } from './metriques-route';
import { operateurDe } from './operateur';
import { HttpError, problem, STATUT_DE } from './problem';
import { secretsDesSources } from './sources';

type Principal<A extends Auth> = A extends 'form'
  ? { source: string }
  : A extends 'operator'
    ? Operateur
    : undefined;

export interface Requete<A extends Auth, B, Q> {
  principal: Principal<A>;
  body: B;
  query: Q;
  params: Record<string, string>;
  headers: Record<string, string | undefined>;
  event: APIGatewayProxyEvent;
}

export interface Reponse {
  status: number;
  body?: unknown;
  /** A body sent as is instead of JSON (a published file: HTML, CSV), its `Content-Type` in `headers`. */
  texte?: string;
  headers?: Record<string, string>;
}

type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;
type De<H extends HandlerName> = Extract<RouteDefinie, { handler: H }>;
/** A JSON body as its schema outputs it; the raw bytes for a route that takes a file (`contentType`). */
type BodyDe<H extends HandlerName> =
  De<H> extends { body: infer B } ? Infer<B> : De<H> extends { contentType: string } ? Buffer : undefined;
type QueryDe<H extends HandlerName> = De<H> extends { query: infer Q } ? Infer<Q> : undefined;

function violationsDe(error: z.ZodError) {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** Errors become problem+json; only what was meant for the client is shown to it. */
export function erreurEnReponse(error: unknown): APIGatewayProxyResult {
  if (error instanceof HttpError) return problem(error.status, error.message, error.errors, error.headers);
  if (error instanceof ErreurDomaine) return problem(STATUT_DE[error.kind], error.message, error.violations);
  const name = (error as { name?: string })?.name;
  if (name === 'IdempotencyValidationError') {
    return problem(409, 'Cette clé d’idempotence a déjà servi pour une autre requête (corps différent)');
  }
  if (name === 'IdempotencyAlreadyInProgressError') {
    return problem(409, 'Une requête identique (même clé d’idempotence) est en cours de traitement', [], {
      'Retry-After': '1',
    });
  }
  if (conflitDeTransaction(error)) {
    // DynamoDB cancelled the transaction because another one was writing the same item at that instant
    // (never a failed condition: the stores turn those into 409/412 themselves). Retrying settles it.
    return problem(
      409,
      'Une autre modification de la même ressource était en cours : réessayez dans un instant.',
      [],
      { 'Retry-After': '1' },
    );
  }
  if (indisponibilite(error)) {
    logger.error('Dependency unavailable', { error: error as Error });
    return problem(503, 'Service momentanément indisponible : réessayez dans quelques secondes.', [], {
      'Retry-After': '5',
    });
  }
  logger.error('Unexpected error', { error: error as Error });
  return problem(500, 'Une erreur inattendue est survenue ; elle a été journalisée.');
}

const CODES_RESEAU = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
const ERREURS_TRANSITOIRES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'IdempotencyPersistenceLayerError',
]);

/** A transaction cancelled by a concurrent one on the same item (`TransactionConflict`), not by a condition. */
function conflitDeTransaction(error: unknown): boolean {
  const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
  const raisons = (e?.CancellationReasons ?? []).map((r) => r.Code);
  return (
    e?.name === 'TransactionCanceledException' &&
    raisons.includes('TransactionConflict') &&
    !raisons.includes('ConditionalCheckFailed')
  );
}

/** A database or network outage that outlived the SDK's retries: retryable by the client (503). */
function indisponibilite(error: unknown): boolean {
  const e = error as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    cause?: unknown;
  };
  if (!e) return false;
  if (CODES_RESEAU.has(e.code ?? '') || ERREURS_TRANSITOIRES.has(e.name ?? '')) return true;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  return e.cause !== undefined && e.cause !== error && indisponibilite(e.cause);
}

/**
 * The request's body, decoded once: its bytes as sent (base64 when API Gateway treats the media type as
 * binary) and its UTF-8 text, each built on first use only.
 */
class Corps {
  #octets: Buffer | undefined;
  #texte: string | undefined;

  constructor(private readonly event: APIGatewayProxyEvent) {}

  get octets(): Buffer {
    this.#octets ??= Buffer.from(this.event.body ?? '', this.event.isBase64Encoded ? 'base64' : 'utf8');
    return this.#octets;
  }

  get texte(): string {
    this.#texte ??= this.event.isBase64Encoded ? this.octets.toString('utf8') : (this.event.body ?? '');
    return this.#texte;
  }
}

/** Each event's body, decoded by the size check and handed on to the handler. */
const corpsDesEvenements = new WeakMap<APIGatewayProxyEvent, Corps>();

function corpsDe(event: APIGatewayProxyEvent): Corps {
  let corps = corpsDesEvenements.get(event);
  if (!corps) {
    corps = new Corps(event);
    corpsDesEvenements.set(event, corps);
  }
  return corps;
}

/** `text/csv; charset=windows-1252` → `text/csv` */
const typeMedia = (contentType: string | undefined) =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/**
 * Builds the Lambda handler of a route of `routes`: the middy chain (logging with the request's
 * correlation id, header normalisation, size and content-type checks, authentication, idempotency,
 * validation of body and query with the route's zod schemas, problem+json errors) around a thin function.
 */
export function route<H extends HandlerName>(
  handler: H,
  fn: (req: Requete<De<H>['auth'], BodyDe<H>, QueryDe<H>>) => Promise<Reponse>,
) {
  const definition: Route = routeDe(handler);
  const maxBodyBytes = definition.maxBodyBytes ?? TAILLE_CORPS_DEFAUT;
  const secrets = definition.auth === 'form' ? secretsDesSources() : undefined;

  const chain = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    // First, so that it resets the log keys last: the error handler's log keeps the correlation id.
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(correlationHttp())
    // Before the error handler: the route's business metrics see the final status, problem+json included.
    .use(metriquesDeRoute(definition.metrique))
    .use({
      // Registered before the rest (but the logger, the correlation id and the metrics), so it runs after
      // them on error, once idempotency released its record.
      onError: async (request) => {
        request.response = erreurEnReponse(request.error);
      },
    })
    .use(httpHeaderNormalizer())
    .use({
      before: async (request) => {
        const corps = corpsDe(request.event);
        // A file is measured as sent; a JSON body as the UTF-8 text it is.
        const taille = definition.contentType ? corps.octets.length : Buffer.byteLength(corps.texte);
        if (taille > maxBodyBytes) {
          throw new HttpError(413, `Le corps de la requête dépasse ${Math.round(maxBodyBytes / 1024)} Kio`);
        }
        if (secrets) {
          const source = await verifierSignature(
            request.event.headers,
            corps.texte,
            secrets,
            Math.floor(Date.now() / 1000),
          );
          logger.appendKeys({ source });
        }
      },
    });
  if (definition.idempotent) chain.use(idempotence());

  const lambda = chain.handler(async (event) => {
    const headers = event.headers as Record<string, string | undefined>;
    const principal = (
      definition.auth === 'form'
        ? { source: headers['x-source'] as string }
        : definition.auth === 'operator'
          ? operateurDe(event)
          : undefined
    ) as Principal<Auth>;

    let body: unknown;
    if (definition.contentType) {
      if (typeMedia(headers['content-type']) !== definition.contentType) {
        throw new HttpError(
          415,
          `Le corps doit être un fichier ${definition.contentType} (Content-Type: ${definition.contentType})`,
        );
      }
      body = corpsDe(event).octets;
    } else if (definition.body) {
      const contentType = headers['content-type'] ?? '';
      if (!/^application\/([a-z.+-]*\+)?json\s*(;|$)/i.test(contentType)) {
        throw new HttpError(415, 'Le corps doit être du JSON (Content-Type: application/json)');
      }
      let json: unknown;
      try {
        json = JSON.parse(corpsDe(event).texte);
      } catch {
        throw new HttpError(400, 'Le corps de la requête n’est pas du JSON valide');
      }
      const parsed = definition.body.safeParse(json);
      if (!parsed.success)
        throw new HttpError(400, 'Le corps de la requête est invalide', violationsDe(parsed.error));
      body = parsed.data;
    }
    let query: unknown;
    if (definition.query) {
      const parsed = definition.query.safeParse(event.queryStringParameters ?? {});
      if (!parsed.success)
        throw new HttpError(400, 'Paramètres de requête invalides', violationsDe(parsed.error));
      query = parsed.data;
    }

    const reponse = await fn({
      // The route's auth decided the principal's shape above; TypeScript cannot follow the lookup.
      principal: principal as never,
      body: body as BodyDe<H>,
      query: query as QueryDe<H>,
      params: (event.pathParameters ?? {}) as Record<string, string>,
      headers,
      event,
    });
    return {
      statusCode: reponse.status,
      headers: {
        ...(reponse.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...reponse.headers,
      },
      body: reponse.texte ?? (reponse.body === undefined ? '' : JSON.stringify(reponse.body)),
    };
  });
  return avecEnTeteCorrelation(avantLeDelai(lambda));
}

/** Kept before the function's timeout to answer rather than be cut by Lambda. */
const MARGE_AVANT_DELAI_MS = 500;

/**
 * The last line of defence of an API function: when a dependency hangs (a database that accepts
 * connections but does not answer, as DynamoDB Local restarting: test/integration/pannes.test.ts), the
 * function answers 503 with Retry-After just before its timeout, rather than being cut by Lambda (a
 * 502/504 the client cannot tell from a bug). Middy's own early timeout only covers the handler, not the
 * middlewares (the idempotency record is written before it). What still runs is abandoned: its effects,
 * if any, are those of a request whose answer was lost, which the `Idempotency-Key` covers.
 */
function avantLeDelai(
  lambda: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>,
) {
  return (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const reste = context?.getRemainingTimeInMillis?.();
    if (reste === undefined) return lambda(event, context);
    let minuteur: NodeJS.Timeout | undefined;
    const delai = new Promise<APIGatewayProxyResult>((resolve) => {
      minuteur = setTimeout(
        () => {
          const expire = Object.assign(new Error('Function timeout about to expire'), {
            name: 'TimeoutError',
          });
          resolve(erreurEnReponse(expire));
        },
        Math.max(0, reste - MARGE_AVANT_DELAI_MS),
      );
    });
    return Promise.race([lambda(event, context), delai]).finally(() => clearTimeout(minuteur));
  };
}

/** `If-Match: "3"`, `W/"3"` or `3` → 3; absent → undefined; anything else → 400. */
export function versionDeIfMatch(headers: Record<string, string | undefined>): number | undefined {
  const valeur = headers['if-match'];
  if (valeur === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(valeur);
  if (!m) throw new HttpError(400, 'En-tête If-Match invalide : attendu le numéro de version, ex. "3"');
  return Number(m[1]);
}
