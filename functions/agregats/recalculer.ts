import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import {
  attendreFinImports,
  type BilanRecalcul,
  lireImports,
  recalculerAgregats,
} from '@ti/domain/agregats/service';
import { publicationS3 } from '@ti/platform/agregats/publication';
import { importDuRapport } from '@ti/platform/agregats/recalcul';
import { loadConfig } from '@ti/platform/config';
import { agregatStoreDynamo, sourcesAgregatsDynamo } from '@ti/platform/dynamodb/agregats';
import { importStoreDynamo } from '@ti/platform/dynamodb/laureats';
import { territoireStoreDynamo } from '@ti/platform/dynamodb/territoires';
import { definirCorrelation } from '@ti/platform/journal/contexte';
import { correlationDesImports } from '@ti/platform/journal/correlation';
import { agregatsRecalcules, metriques } from '@ti/platform/mesures';
import { logger } from '@ti/platform/observabilite';
import { objetsDeLEvenement } from '@ti/platform/s3/laureats';
import type { Context } from 'aws-lambda';

const { tables, buckets } = loadConfig({
  tables: ['agregats', 'laureats', 'territoires', 'fichesAction'],
  buckets: ['opendata'],
});
const imports = importStoreDynamo(tables.laureats);
const deps = {
  sources: sourcesAgregatsDynamo({
    tableLaureats: tables.laureats,
    tableFichesAction: tables.fichesAction,
    territoires: territoireStoreDynamo(tables.territoires),
    imports,
  }),
  store: agregatStoreDynamo(tables.agregats),
  publication: publicationS3(buckets.opendata),
};

/**
 * Recomputes the aggregates: on an import's report (S3 "Object Created" through EventBridge in AWS,
 * s3rver's notification locally), once the import is closed; and on the hourly schedule, which
 * brings in the territories' and fiches-action's changes. The whole state is read each time and only
 * what changed is written, so a duplicate event changes nothing. A failure throws: Lambda retries.
 */
export const handler = middy<unknown, BilanRecalcul | undefined, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metriques))
  .handler(async (event, context) => {
    // The hourly run logs under its invocation's id, a run on a report under its import's (below).
    definirCorrelation(context?.awsRequestId);
    const objets = objetsDeLEvenement(event);
    // The reports of ended imports (a `rejets.csv` beside them triggers nothing).
    const importIds = [...new Set(objets.flatMap((o) => importDuRapport(o.cle) ?? []))];
    if (objets.length > 0 && importIds.length === 0) return undefined;
    if (importIds.length > 0) {
      logger.appendKeys({ importIds });
      const lus = await lireImports(imports, importIds);
      definirCorrelation(correlationDesImports(lus));
      const enCours = await attendreFinImports(imports, importIds, { lus });
      if (enCours.length > 0)
        throw new Error(`Imports still in progress after their report: ${enCours.join(', ')}`);
    }
    const debut = performance.now();
    const bilan = await recalculerAgregats(deps);
    agregatsRecalcules(performance.now() - debut);
    logger.info('Aggregates recomputed', {
      ...bilan,
      declencheur: importIds.length > 0 ? 'import' : 'planifie',
    });
    return bilan;
  });
