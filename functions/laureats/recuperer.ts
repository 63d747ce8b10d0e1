import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { recupererExport } from '@ti/domain/laureats/recuperation';
import { sourceDossier, sourceHttps } from '@ti/platform/bpifrance/source';
import { env, loadConfig } from '@ti/platform/config';
import { exportsRecusDynamo } from '@ti/platform/dynamodb/laureats';
import { correlationCourante, definirCorrelation } from '@ti/platform/journal/contexte';
import { logger } from '@ti/platform/observabilite';
import { stockageExportsS3 } from '@ti/platform/s3/laureats';
import type { Context } from 'aws-lambda';

const { tables, buckets } = loadConfig({ tables: ['laureats'], buckets: ['laureats'] });

/** Bpifrance's endpoint in AWS; a folder in the local cloud only (never set by CDK). */
function source() {
  const arn = process.env[env.bpifranceSourceSecret];
  const dossier = process.env[env.localBpifranceDir];
  if (arn) return sourceHttps(arn);
  if (dossier) return sourceDossier(dossier);
  throw new Error(`Missing configuration: ${env.bpifranceSourceSecret}`);
}
const deps = {
  source: source(),
  stockage: stockageExportsS3(buckets.laureats, correlationCourante),
  registre: exportsRecusDynamo(tables.laureats),
  horloge: horlogeSysteme,
};

/**
 * The scheduled fetch (EventBridge Scheduler, daily by default): the latest Bpifrance export into the
 * laureates' bucket under a dated key, once per content; storing it triggers its ingestion.
 */
export const handler = middy<unknown, Awaited<ReturnType<typeof recupererExport>>, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (_event, context) => {
    // The run's id: stored with the export (its metadata), it follows it through ingestion and aggregates.
    definirCorrelation(context?.awsRequestId);
    const resultat = await recupererExport(deps);
    logger.info('Bpifrance export fetched', { ...resultat });
    return resultat;
  });
