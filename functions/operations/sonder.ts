import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { loadConfig } from '@ti/platform/config';
import { agregatStoreDynamo } from '@ti/platform/dynamodb/agregats';
import { dernierImportTermineDynamo } from '@ti/platform/dynamodb/dernier-import';
import { metriques } from '@ti/platform/mesures';
import { logger } from '@ti/platform/observabilite';
import { type ResultatSonde, sonder } from '@ti/platform/operations/sonde';
import type { Context } from 'aws-lambda';

const { tables } = loadConfig({ tables: ['laureats', 'agregats'] });
const deps = {
  dernierImport: dernierImportTermineDynamo(tables.laureats),
  agregats: agregatStoreDynamo(tables.agregats),
  horloge: horlogeSysteme,
};

/**
 * The probe, run every few minutes by a schedule (`sondeOperations` in `@ti/platform/metriques`):
 * emits `AgeDernierImport` and `AgeAgregats`, written by `logMetrics` at the end of the invocation.
 * A failure throws (the schedule's invocation fails, and the metrics go missing: the alarms see it).
 */
export const handler = middy<unknown, ResultatSonde, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metriques))
  .handler(async () => {
    const resultat = await sonder(deps);
    logger.debug('Probe measured', { ...resultat });
    return resultat;
  });
