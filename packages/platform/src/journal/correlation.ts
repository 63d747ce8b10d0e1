import { nomExecution } from '@ti/domain/calendrier/echeances';
import type { ImportLaureats } from '@ti/domain/laureats/ports';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

/**
 * The correlation id follows one request or one import across functions, as the `correlation_id` of
 * every log entry:
 * - an HTTP request: the caller's `X-Correlation-Id` when well-formed, else API Gateway's request id;
 *   echoed in the response's `X-Correlation-Id`, errors included;
 * - an import: the id of the request or the scheduled run that stored the export travels as the S3
 *   object's metadata `correlation-id` (`METADONNEE_CORRELATION`); the ingestion takes it (the import id
 *   for a file dropped by hand), records it on the import and on its report's files; the aggregates'
 *   recompute the report triggers reads it from the import record;
 * - a calendar step: its campaign's execution, `<campagne>-v<version>`.
 *
 * This module imports no logger (the S3 adapters use it, and the local cloud loads them before it sets
 * the handlers' environment, which the logger reads once); `contexte.ts` binds it to the logger.
 */

export const EN_TETE_CORRELATION = 'X-Correlation-Id';
/** S3 user metadata (`x-amz-meta-correlation-id`). */
export const METADONNEE_CORRELATION = 'correlation-id';

/**
 * What a caller may choose as correlation id: short, and safe in a header, a log query, an S3 metadata
 * value (ASCII only) and a file name. Anything else is ignored, never echoed.
 */
const FORMAT = /^[A-Za-z0-9._:-]{1,128}$/;

export function correlationValide(valeur: unknown): string | undefined {
  return typeof valeur === 'string' && FORMAT.test(valeur) ? valeur : undefined;
}

/** The request's correlation id: `X-Correlation-Id` when well-formed, else API Gateway's request id. */
export function correlationDeLaRequete(
  event: Pick<APIGatewayProxyEvent, 'headers'> & { requestContext?: { requestId?: string } },
  context?: Pick<Context, 'awsRequestId'>,
): string | undefined {
  let entete: string | undefined;
  // API Gateway (REST) keeps the header's case as sent.
  for (const [nom, valeur] of Object.entries(event.headers ?? {})) {
    if (nom.toLowerCase() === 'x-correlation-id') entete = valeur ?? undefined;
  }
  return (
    correlationValide(entete?.trim()) ??
    correlationValide(event.requestContext?.requestId) ??
    correlationValide(context?.awsRequestId)
  );
}

/** The S3 metadata that carries a correlation id (none when there is none, or not a well-formed one). */
export function metadonneesCorrelation(id: string | undefined): Record<string, string> {
  const valide = correlationValide(id);
  return valide ? { [METADONNEE_CORRELATION]: valide } : {};
}

/** The correlation id an S3 object carries in its metadata, when well-formed. */
export function correlationDesMetadonnees(
  metadonnees: Record<string, string> | undefined,
): string | undefined {
  return correlationValide(metadonnees?.[METADONNEE_CORRELATION]);
}

/**
 * What the aggregates' recompute of some imports logs under, from their records as read (by id,
 * `undefined` when absent): the correlation id each import recorded (its id when it has none), several
 * joined by `,` (one report per event, so one in practice).
 */
export function correlationDesImports(
  lus: ReadonlyMap<string, Pick<ImportLaureats, 'correlationId'> | undefined>,
): string {
  return [...new Set(Array.from(lus, ([id, imp]) => imp?.correlationId ?? id))].join(',');
}

/** A calendar step's: its execution's name without a resume suffix, `<campagne>-v<version>`. */
export function correlationDeLEtape(entree: { campagne?: unknown; version?: unknown }): string | undefined {
  if (typeof entree.campagne !== 'string') return undefined;
  return typeof entree.version === 'number'
    ? correlationValide(nomExecution(entree.campagne, entree.version))
    : correlationValide(entree.campagne);
}

type HandlerHttp = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * Echoes the request's correlation id in `X-Correlation-Id` on whatever the handler answers (success,
 * problem+json, the 503 before the timeout), so that a caller can quote it to an operator.
 */
export function avecEnTeteCorrelation(handler: HandlerHttp): HandlerHttp {
  return async (event, context) => {
    const reponse = await handler(event, context);
    const id = correlationDeLaRequete(event, context);
    if (!id || !reponse) return reponse;
    return { ...reponse, headers: { ...reponse.headers, [EN_TETE_CORRELATION]: id } };
  };
}
