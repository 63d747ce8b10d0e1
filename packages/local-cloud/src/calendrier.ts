import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@ti/platform/config';
import { applyEnvironment } from './environment';
import { lambdaContext, localFunctionArn, moduleHandlerResolver } from './lambda';
import { type LocalCalendar, startLocalCalendar } from './step-functions';

export interface LocalCalendarSetup {
  runner: LocalCalendar;
  /** Where e-mails (`mails/*.json`) and events (`evenements.jsonl`) are written. */
  notificationsDir: string;
  /** Restarts the calendars that should run (what the daily schedule does in AWS). */
  resume(): Promise<{ reprises: string[] }>;
  stop(): Promise<void>;
}

/**
 * The selection calendar in the local cloud: the handlers' calendar adapters switched to the local ones
 * (`TI_LOCAL_STEP_FUNCTIONS`), messages written under the data folder (a temp folder for a memory run),
 * and the state machine runner.
 */
export async function startCalendarSetup(options: {
  dataDir: string | null;
  quiet: boolean;
  functionsDir?: string;
}): Promise<LocalCalendarSetup> {
  const temp = options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'ti-local-notifications-'));
  const notificationsDir = options.dataDir ?? (temp as string);
  mkdirSync(join(notificationsDir, 'mails'), { recursive: true });
  const restoreEnv = applyEnvironment({
    [env.localStepFunctions]: '1',
    [env.localNotificationsDir]: notificationsDir,
  });
  const resolveHandler = moduleHandlerResolver(options.functionsDir);
  let runner: LocalCalendar;
  try {
    runner = await startLocalCalendar({
      resolveHandler,
      ...(options.quiet ? {} : { log: (line: string) => console.log(`[calendrier] ${line}`) }),
    });
  } catch (error) {
    restoreEnv();
    if (temp) rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  return {
    runner,
    notificationsDir,
    async resume() {
      const reprendre = await resolveHandler('calendrier/reprendre');
      const context = lambdaContext({
        functionArn: localFunctionArn('CalendrierReprendre'),
        timeoutSeconds: 300,
      });
      return (await reprendre({ source: 'local-cloud' }, context)) as { reprises: string[] };
    },
    async stop() {
      await runner.stop();
      restoreEnv();
      if (temp) rmSync(temp, { recursive: true, force: true });
    },
  };
}
