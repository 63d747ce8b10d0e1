import type { CalendrierPort } from '@ti/domain/calendrier/ports';
import type { TaskCallbacks } from './callbacks';

export type LocalExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

/**
 * What the local cloud's state machine runner offers the handlers, in place of the Step Functions API
 * (packages/local-cloud/src/step-functions.ts implements it). Handlers and runner share one process.
 */
export interface LocalStepFunctions {
  startExecution(name: string, input: unknown): 'started' | 'exists';
  stopExecution(name: string, cause: string): boolean;
  describeExecution(name: string): LocalExecutionStatus | undefined;
  /** Resolves the promise the waiting task's local handler awaits; false for an unknown token. */
  sendTaskSuccess(token: string, output: unknown): boolean;
}

// On globalThis rather than in this module: the runner and the handlers may load this module through
// different loaders (tsx, vitest), hence as two instances.
const CLE = Symbol.for('territoires-industrie.local-step-functions');
type AvecRunner = { [CLE]?: LocalStepFunctions };

/** The local cloud registers its runner (undefined when it stops). */
export function registerLocalStepFunctions(runner: LocalStepFunctions | undefined): void {
  (globalThis as AvecRunner)[CLE] = runner;
}

function runner(): LocalStepFunctions {
  const r = (globalThis as AvecRunner)[CLE];
  if (!r) throw new Error('The local Step Functions runner is not started (TI_LOCAL_STEP_FUNCTIONS is set)');
  return r;
}

/** The calendar as executions of the local runner. */
export function calendrierLocal(): CalendrierPort {
  return {
    async demarrer(execution, entree) {
      return runner().startExecution(execution, entree) === 'started' ? 'demarree' : 'deja_demarree';
    },
    async arreter(execution, cause) {
      return runner().stopExecution(execution, cause);
    },
    async etat(execution) {
      switch (runner().describeExecution(execution)) {
        case 'RUNNING':
          return 'en_cours';
        case 'SUCCEEDED':
          return 'terminee';
        case 'FAILED':
          return 'echouee';
        case undefined:
          return 'inconnue';
        default:
          return 'arretee';
      }
    },
  };
}

/** Resumes the local task handler that awaits this token (what `SendTaskSuccess` does in AWS). */
export function callbacksLocaux(): TaskCallbacks {
  return {
    async succeed(token, output) {
      return runner().sendTaskSuccess(token, output);
    },
  };
}
