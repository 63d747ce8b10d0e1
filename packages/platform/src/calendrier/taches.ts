import type { Access } from '../routes';
import type { TableKey } from '../tables';

/**
 * The functions of the selection calendar, defined once: the CDK workflow stack creates one Lambda
 * function per entry (with grants for exactly these tables and services) and the state machine's tasks
 * from them; the local cloud runs the same handler modules for the same tasks. `handler` is the module
 * path under `functions/`.
 */
export interface FonctionCalendrier {
  handler: string;
  description: string;
  tables: Partial<Record<TableKey, Access>>;
  /** A task of the state machine (its role may invoke it); otherwise the target of the daily schedule. */
  tache: boolean;
  /** Sends e-mails (SES) and events (EventBridge). */
  notifications?: boolean;
  /** Resumes a waiting step with its token (`SendTaskSuccess`). */
  callbacks?: boolean;
  /** Starts executions and reads their status. */
  executions?: boolean;
  /** @default 30 */
  timeoutSeconds?: number;
}

export const fonctionsCalendrier = {
  echeance: {
    handler: 'calendrier/echeance',
    description: 'Calendrier : combien attendre une date de la campagne (relue à chaque réveil)',
    tables: { campagnes: 'read', calendrier: 'read' },
    tache: true,
  },
  phase: {
    handler: 'calendrier/phase',
    description: 'Calendrier : la campagne atteint une phase',
    tables: { campagnes: 'readwrite' },
    tache: true,
  },
  clore: {
    handler: 'calendrier/clore',
    description: 'Calendrier : clôture du dépôt, les candidatures passent en instruction',
    tables: { campagnes: 'readwrite', candidatures: 'readwrite' },
    tache: true,
    timeoutSeconds: 300,
  },
  attendre: {
    handler: 'calendrier/attendre',
    description: 'Calendrier : une étape attend les avis d’une région ou la décision (jeton de tâche)',
    tables: { campagnes: 'read', candidatures: 'read', calendrier: 'readwrite' },
    tache: true,
    callbacks: true,
  },
  rappeler: {
    handler: 'calendrier/rappeler',
    description: 'Calendrier : rappel aux opérateurs d’une région des avis manquants',
    tables: { campagnes: 'read', candidatures: 'read', calendrier: 'readwrite' },
    tache: true,
    notifications: true,
  },
  nonRendus: {
    handler: 'calendrier/non-rendus',
    description: 'Calendrier : à l’échéance, les avis manquants d’une région sont « non rendus »',
    tables: { campagnes: 'read', candidatures: 'readwrite' },
    tache: true,
    timeoutSeconds: 300,
  },
  annoncer: {
    handler: 'calendrier/annoncer',
    description: 'Calendrier : annonce, territoires labellisés créés, candidats notifiés',
    tables: {
      campagnes: 'readwrite',
      candidatures: 'readwrite',
      territoires: 'readwrite',
      calendrier: 'readwrite',
    },
    tache: true,
    notifications: true,
    timeoutSeconds: 900,
  },
  echec: {
    handler: 'calendrier/echec',
    description: 'Calendrier : une étape a échoué, la campagne le montre',
    tables: { campagnes: 'readwrite' },
    tache: true,
  },
  reprendre: {
    handler: 'calendrier/reprendre',
    description: 'Calendrier : relance chaque jour les calendriers qui devraient tourner et ne tournent pas',
    tables: { campagnes: 'readwrite' },
    tache: false,
    executions: true,
    timeoutSeconds: 300,
  },
} as const satisfies Record<string, FonctionCalendrier>;

export type CleFonctionCalendrier = keyof typeof fonctionsCalendrier;
