import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { horlogeSysteme } from '@ti/domain/candidatures/ports';
import { IngestionInterrompue, ingerer, TAILLE_FENETRE } from '@ti/domain/laureats/ingestion';
import { loadConfig } from '@ti/platform/config';
import { avecDernierImport } from '@ti/platform/dynamodb/dernier-import';
import { EN_VOL_LAUREATS, importStoreDynamo, laureatStoreDynamo } from '@ti/platform/dynamodb/laureats';
import { rattachementParInstantane } from '@ti/platform/dynamodb/rattachement';
import { territoireStoreDynamo } from '@ti/platform/dynamodb/territoires';
import { lireTableauEnFlux } from '@ti/platform/fichiers/flux';
import { definirCorrelation } from '@ti/platform/journal/contexte';
import { importClos, metriques } from '@ti/platform/mesures';
import { logger } from '@ti/platform/observabilite';
import {
  importIdDe,
  lireObjet,
  localiserObjet,
  objetsDeLEvenement,
  rapportsS3,
} from '@ti/platform/s3/laureats';
import type { Context } from 'aws-lambda';
import * as z from 'zod';

const { tables, buckets } = loadConfig({ tables: ['laureats', 'territoires'], buckets: ['laureats'] });
/** Tuning, from the benchmark (docs/benchmarks.md): rows per window, BatchWriteItem requests in flight. */
const reglages = z
  .object({
    INGESTION_TAILLE_FENETRE: z.coerce.number().int().min(100).max(20_000).default(TAILLE_FENETRE),
    INGESTION_EN_VOL: z.coerce.number().int().min(1).max(128).default(EN_VOL_LAUREATS),
  })
  .parse(process.env);
const laureats = laureatStoreDynamo(tables.laureats, { enVol: reglages.INGESTION_EN_VOL });
// Also keeps the last import ended `termine`, which the probe reads (operations/sonder).
const imports = avecDernierImport(importStoreDynamo(tables.laureats), tables.laureats);
const rapports = rapportsS3(buckets.laureats);
const territoires = territoireStoreDynamo(tables.territoires);

/** Kept back at the end of an invocation: the run stops after a commit, and the retry resumes there. */
const MARGE_MS = 30_000;

/**
 * An export created under `exports/` (S3 "Object Created" through EventBridge in AWS, s3rver's
 * notification locally): ingested exactly once. A failure throws, so that Lambda retries the
 * asynchronous invocation (then hands it to the on-failure destination); a retry resumes from the
 * last commit.
 */
export const handler = middy<unknown, void, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metriques))
  .handler(async (event, context) => {
    for (const objet of objetsDeLEvenement(event)) {
      const importId = importIdDe(objet);
      // Its key and metadata, read once for every pass over the file.
      const localise = await localiserObjet(objet);
      // The request or scheduled run that stored the file, else the import itself (a file dropped by hand).
      const correlationId = localise.correlationId ?? importId;
      definirCorrelation(correlationId);
      logger.appendKeys({ importId });
      try {
        const imp = await ingerer(
          {
            laureats,
            imports,
            rapports,
            rattachement: rattachementParInstantane(territoires),
            horloge: horlogeSysteme,
          },
          { importId, objet, correlationId },
          async () => lireTableauEnFlux(await lireObjet(localise)),
          {
            tailleFenetre: reglages.INGESTION_TAILLE_FENETRE,
            continuer: () => context.getRemainingTimeInMillis() > MARGE_MS,
            // Counted by the run that ends the import only: a retry or a duplicate event counts nothing.
            surCloture: importClos,
          },
        );
        logger.info('Import ended', {
          importId: imp.importId,
          fichier: imp.fichier,
          statut: imp.statut,
          lignes: imp.lignes,
          nbRejets: imp.nbRejets,
        });
      } catch (error) {
        if (error instanceof IngestionInterrompue) {
          logger.warn('Import interrupted before the timeout; the retry resumes it', {
            curseur: error.curseur,
          });
        } else logger.error('Import failed', { error: error as Error });
        throw error;
      }
    }
  });
