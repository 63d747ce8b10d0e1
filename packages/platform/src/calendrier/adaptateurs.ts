import type { CalendrierPort, NotificationsPort } from '@ti/domain/calendrier/ports';
import { env } from '../config';
import type { TaskCallbacks } from './callbacks';
import { calendrierLocal, callbacksLocaux } from './local';
import { notificationsAws, notificationsLocales } from './notifications';
import { calendrierStepFunctions, callbacksStepFunctions } from './step-functions';

/**
 * The calendar's adapters, chosen once at cold start: AWS (Step Functions, EventBridge, SES) unless the
 * local cloud set `TI_LOCAL_STEP_FUNCTIONS` (its in-process runner, files for the messages). A missing
 * variable fails the cold start.
 */
const local = process.env[env.localStepFunctions] === '1';

function requis(nom: string): string {
  const valeur = process.env[nom];
  if (!valeur) throw new Error(`Missing configuration: ${nom}`);
  return valeur;
}

export function calendrierDepuisEnv(): CalendrierPort {
  return local ? calendrierLocal() : calendrierStepFunctions(requis(env.stateMachineArn));
}

export function callbacksDepuisEnv(): TaskCallbacks {
  return local ? callbacksLocaux() : callbacksStepFunctions();
}

export function notificationsDepuisEnv(): NotificationsPort {
  if (local) return notificationsLocales(requis(env.localNotificationsDir));
  return notificationsAws({ eventBusName: requis(env.eventBusName), mailFrom: requis(env.mailFrom) });
}
