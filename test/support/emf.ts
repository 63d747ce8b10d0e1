/**
 * Captures the CloudWatch embedded-metric-format documents Powertools Metrics writes on stdout (the rest
 * of stdout goes through), and reads them back as one entry per metric.
 */
import { vi } from 'vitest';

export interface Emise {
  nom: string;
  unite: string;
  valeur: number | number[];
  namespace: string;
  dimensions: Record<string, string>;
}

export interface CaptureEmf {
  /** Every metric of every EMF document written since the last call (or the capture's start). */
  emises(): Emise[];
  /** Stops capturing. */
  arreter(): void;
}

export function capterEmf(): CaptureEmf {
  let documents: Record<string, any>[] = [];
  const ecrire = process.stdout.write.bind(process.stdout);
  const espion = vi.spyOn(process.stdout, 'write').mockImplementation(((
    chunk: unknown,
    ...reste: unknown[]
  ) => {
    const texte = String(chunk);
    if (texte.startsWith('{"_aws"')) {
      for (const ligne of texte.split('\n').filter(Boolean)) documents.push(JSON.parse(ligne));
      return true;
    }
    return (ecrire as (...a: unknown[]) => boolean)(chunk, ...reste);
  }) as typeof process.stdout.write);
  return {
    emises() {
      const lues = documents.flatMap((doc) =>
        (doc._aws.CloudWatchMetrics as any[]).flatMap((directive) =>
          (directive.Metrics as { Name: string; Unit: string }[]).map((m) => ({
            nom: m.Name,
            unite: m.Unit,
            valeur: doc[m.Name],
            namespace: directive.Namespace,
            // One dimension set per document here: exactly the dimensions the dashboard queries.
            dimensions: Object.fromEntries(
              (directive.Dimensions as string[][]).flat().map((d) => [d, String(doc[d])]),
            ),
          })),
        ),
      );
      documents = [];
      return lues;
    },
    arreter: () => espion.mockRestore(),
  };
}
