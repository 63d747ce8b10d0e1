import type { Declencheur } from '../declencheurs';
import { PREFIXE_RAPPORTS } from '../s3/laureats';

/**
 * The aggregates' recompute, defined once for the CDK aggregates stack and the local cloud: the report
 * each import writes when it ends (`rapports/<importId>/rapport.json` in the laureates' bucket) runs
 * it, and so does a schedule (the territories' and fiches-action's changes). It is not one of the
 * ingestion's `declencheurs`: it has its own schedule, and its own one-run-at-a-time (reserved
 * concurrency 1 in AWS, its own queue locally) so that a recompute never holds back an ingestion.
 */
export const recalculAgregats = {
  handler: 'agregats/recalculer',
  description:
    'Recalcul des agrégats et des données ouvertes : fin de chaque import (son rapport), et toutes les heures',
  bucket: 'laureats',
  prefixe: PREFIXE_RAPPORTS,
  /** The reports only (not the `rejets.csv` beside them), as an EventBridge wildcard. */
  motif: `${PREFIXE_RAPPORTS}*/rapport.json`,
  periodeMinutes: 60,
  tables: { agregats: 'readwrite', laureats: 'read', territoires: 'read', fichesAction: 'read' },
  buckets: { opendata: 'readwrite' },
} as const satisfies Declencheur & { motif: string; periodeMinutes: number };

/** `rapports/<importId>/rapport.json` → the import id; anything else → undefined. */
export function importDuRapport(cle: string): string | undefined {
  return /^rapports\/([^/]+)\/rapport\.json$/.exec(cle)?.[1];
}
