import { localBucketName } from '@ti/platform/buckets';
import { type Declencheur, declencheurs } from '@ti/platform/declencheurs';
import { lambdaContext, localFunctionArn, moduleHandlerResolver } from './lambda';
import type { S3EventRecord } from './s3';

export interface Triggers {
  /** Resolves once every run queued so far has ended (retries included). */
  idle(): Promise<void>;
  /** Stops listening and waits for the run in progress (at most `delaiMs`). */
  stop(delaiMs?: number): Promise<void>;
}

export interface TriggersOptions {
  onS3Event: (listener: (event: { Records: S3EventRecord[] }) => void) => () => void;
  functionsDir?: string;
  /** Lambda's timeout, for `context.getRemainingTimeInMillis()`. Default 15 minutes. */
  timeoutMs?: number;
  /** Delay before each retry (Lambda retries a failed asynchronous invocation twice). Default 1 s, 2 s. */
  retryDelaysMs?: number[];
  log?: (message: string) => void;
  logError?: (message: string, error: unknown) => void;
}

/**
 * The cloud's S3-triggered functions, locally: each notification s3rver emits for an object created
 * in a trigger's bucket under its prefix runs the trigger's handler module (the very module AWS runs)
 * with the S3 event, asynchronously, one run at a time per function (reserved concurrency 1 in AWS), with
 * Lambda's two retries of a failed asynchronous invocation. A run that fails them all is logged (in
 * AWS it goes to the on-failure destination).
 */
export function startTriggers(options: TriggersOptions): Triggers {
  const charger = moduleHandlerResolver(options.functionsDir);
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const delais = options.retryDelaysMs ?? [1_000, 2_000];
  const log = options.log ?? (() => {});
  const logError = options.logError ?? ((message, error) => console.error(`[triggers] ${message}`, error));
  /** One queue per function: each runs one invocation at a time, as reserved concurrency 1 does. */
  const files = new Map<string, Promise<void>>();
  let arrete = false;
  let enCours = 0;
  const auRepos: (() => void)[] = [];
  const toutes = () => Promise.all(files.values()).then(() => {});

  const executer = async (d: Declencheur, event: { Records: S3EventRecord[] }, cle: string) => {
    for (let essai = 0; essai <= delais.length; essai++) {
      if (essai > 0) await new Promise((r) => setTimeout(r, delais[essai - 1]));
      const debut = Date.now();
      const context = lambdaContext({
        functionArn: localFunctionArn(d.handler.replace('/', '-')),
        timeoutSeconds: timeoutMs / 1000,
      });
      try {
        await (await charger(d.handler))(event, context);
        log(`${d.handler} ${cle}: done in ${Date.now() - debut} ms`);
        return;
      } catch (error) {
        logError(`${d.handler} ${cle}: attempt ${essai + 1} of ${delais.length + 1} failed`, error);
      }
    }
  };

  const desabonner = options.onS3Event((event) => {
    if (arrete) return;
    for (const record of event.Records ?? []) {
      const r = record as {
        eventName?: string;
        s3?: { bucket?: { name?: string }; object?: { key?: string } };
      };
      const cle = r.s3?.object?.key ?? '';
      if (!r.eventName?.startsWith('ObjectCreated')) continue;
      for (const d of declencheurs) {
        if (r.s3?.bucket?.name !== localBucketName(d.bucket) || !cle.startsWith(d.prefixe)) continue;
        enCours += 1;
        const suite = (files.get(d.handler) ?? Promise.resolve())
          .then(() => executer(d, { Records: [record] }, cle))
          .finally(() => {
            enCours -= 1;
            if (enCours === 0) for (const r of auRepos.splice(0)) r();
          });
        files.set(d.handler, suite);
      }
    }
  });

  return {
    // Idle is when no run is queued here any more, those that runs queued included. The aggregates'
    // recompute an import's report sets off is not one of them: it has its own queue (./agregats).
    idle: () => (enCours === 0 ? Promise.resolve() : new Promise<void>((r) => auRepos.push(r))),
    async stop(delaiMs = 10_000) {
      arrete = true;
      desabonner();
      await Promise.race([toutes(), new Promise((r) => setTimeout(r, delaiMs).unref())]);
    },
  };
}
