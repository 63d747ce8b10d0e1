import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { definirCorrelation } from '../journal/contexte';
import { correlationDeLEtape, correlationValide } from '../journal/correlation';
import { logger } from '../observabilite';

/**
 * Builds the Lambda handler of a calendar step: the state's input validated with its schema, then one
 * call into the domain. A failure is thrown as is: its `name` (e.g. `CalendrierPerime`) is the error
 * the state machine's Retry and Catch match.
 */
export function tache<S extends z.ZodType, R>(schema: S, fn: (entree: z.output<S>) => Promise<R>) {
  return middy<unknown, R, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      onError: async (request) => {
        logger.error('Calendar step failed', { error: request.error as Error });
      },
    })
    .handler(async (event, context) => {
      // Every step of one campaign's execution logs under its name, `<campagne>-v<version>` (taken from
      // the input as received, so that an input the schema refuses is logged under it too); a step
      // without a campaign (the daily resume) under its invocation's id.
      const correlation =
        correlationDeLEtape((event ?? {}) as { campagne?: unknown; version?: unknown }) ??
        correlationValide(context?.awsRequestId);
      if (correlation) definirCorrelation(correlation);
      const entree = schema.parse(event);
      const campagne = (entree as { campagne?: unknown }).campagne;
      if (typeof campagne === 'string') logger.appendKeys({ campagne });
      return fn(entree);
    });
}
