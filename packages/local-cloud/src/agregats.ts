import { randomUUID } from 'node:crypto';
import { importDuRapport, recalculAgregats } from '@ti/platform/agregats/recalcul';
import { localBucketName } from '@ti/platform/buckets';
import { lambdaContext, localFunctionArn, moduleHandlerResolver } from './lambda';
import type { S3EventRecord } from './s3';

/** The period of the scheduled recompute, as in AWS (hourly) unless `TI_AGREGATS_PERIODE_S` says otherwise. */
export const PERIODE_AGREGATS_MS =
  Number(process.env.TI_AGREGATS_PERIODE_S ?? recalculAgregats.periodeMinutes * 60) * 1000;

export interface RecalculAgregatsLocal {
  /** Resolves once every run asked for so far has ended (retries included). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The aggregates' recompute, locally, as AWS runs it (`recalculAgregats`): the very handler module,
 * on s3rver's notification of an import's report (`rapports/<importId>/rapport.json` in the laureates'
 * bucket), and on a schedule (once at start-up, then every `periodeMs`). One run at a time, in its own
 * queue (reserved concurrency 1 is per function in AWS: a recompute never holds back an ingestion),
 * with Lambda's two retries of a failed asynchronous run. Reports that arrive while a run waits join
 * it: one recompute reads the whole state, it needs not run once per report.
 */
export function startRecalculAgregats(options: {
  onS3Event: (listener: (event: { Records: S3EventRecord[] }) => void) => () => void;
  functionsDir?: string;
  periodeMs?: number;
  retryDelaysMs?: number[];
  log?: (message: string) => void;
  logError?: (message: string, error: unknown) => void;
}): RecalculAgregatsLocal {
  const charger = moduleHandlerResolver(options.functionsDir);
  const delais = options.retryDelaysMs ?? [1_000, 2_000];
  const logError = options.logError ?? ((message, error) => console.error(`[agregats] ${message}`, error));
  const bucket = localBucketName(recalculAgregats.bucket);
  let file: Promise<void> = Promise.resolve();
  /** The run queued and not started yet: reports arriving now join its event. */
  let enAttente: { Records: S3EventRecord[] } | undefined;
  let arrete = false;

  const executer = async (event: unknown, quoi: string) => {
    for (let essai = 0; essai <= delais.length && !arrete; essai++) {
      if (essai > 0) await new Promise((r) => setTimeout(r, delais[essai - 1]));
      const debut = Date.now();
      try {
        await (await charger(recalculAgregats.handler))(
          event,
          lambdaContext({
            functionArn: localFunctionArn(recalculAgregats.handler.replace('/', '-')),
            timeoutSeconds: 5 * 60,
          }),
        );
        options.log?.(`${recalculAgregats.handler} (${quoi}): done in ${Date.now() - debut} ms`);
        return;
      } catch (error) {
        logError(
          `${recalculAgregats.handler} (${quoi}): attempt ${essai + 1} of ${delais.length + 1} failed`,
          error,
        );
      }
    }
  };

  const surRapport = (record: S3EventRecord) => {
    if (enAttente) {
      enAttente.Records.push(record);
      return;
    }
    const event = { Records: [record] };
    enAttente = event;
    file = file.then(() => {
      enAttente = undefined;
      return executer(event, `${event.Records.length} report(s)`);
    });
  };

  const planifier = () => {
    file = file.then(() =>
      executer(
        {
          version: '0',
          id: randomUUID(),
          source: 'aws.events',
          'detail-type': 'Scheduled Event',
          time: new Date().toISOString(),
          resources: ['local:agregats-planifie'],
          detail: {},
        },
        'scheduled',
      ),
    );
  };

  const desabonner = options.onS3Event((event) => {
    if (arrete) return;
    for (const record of event.Records ?? []) {
      const r = record as {
        eventName?: string;
        s3?: { bucket?: { name?: string }; object?: { key?: string } };
      };
      if (!r.eventName?.startsWith('ObjectCreated') || r.s3?.bucket?.name !== bucket) continue;
      let cle = r.s3?.object?.key ?? '';
      try {
        cle = decodeURIComponent(cle.replace(/\+/g, ' '));
      } catch {
        // not encoded after all
      }
      if (importDuRapport(cle)) surRapport(record);
    }
  });
  planifier();
  const minuteur = setInterval(planifier, options.periodeMs ?? PERIODE_AGREGATS_MS);
  minuteur.unref();

  return {
    idle: () => file,
    async stop() {
      arrete = true;
      desabonner();
      clearInterval(minuteur);
      await Promise.race([file, new Promise((r) => setTimeout(r, 10_000).unref())]);
    },
  };
}
