import {
  DescribeExecutionCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { CalendrierPort } from '@ti/domain/calendrier/ports';
import type { TaskCallbacks } from './callbacks';

let client: SFNClient | undefined;
const sfn = () => {
  client ??= new SFNClient({});
  return client;
};

const nomErreur = (error: unknown) => (error as { name?: string })?.name ?? '';

/** `arn:…:stateMachine:<machine>` + name → `arn:…:execution:<machine>:<name>` */
export function executionArn(stateMachineArn: string, execution: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${execution}`;
}

/** The calendar as executions of the Step Functions state machine. */
export function calendrierStepFunctions(stateMachineArn: string): CalendrierPort {
  return {
    async demarrer(execution, entree) {
      try {
        await sfn().send(
          new StartExecutionCommand({ stateMachineArn, name: execution, input: JSON.stringify(entree) }),
        );
        return 'demarree';
      } catch (error) {
        // Same name and same input: Step Functions answers with the running execution (idempotent);
        // same name, other input (or an execution over): ExecutionAlreadyExists.
        if (nomErreur(error) === 'ExecutionAlreadyExists') return 'deja_demarree';
        throw error;
      }
    },

    async arreter(execution, cause) {
      try {
        await sfn().send(
          new StopExecutionCommand({ executionArn: executionArn(stateMachineArn, execution), cause }),
        );
        return true;
      } catch (error) {
        if (nomErreur(error) === 'ExecutionDoesNotExist') return false;
        throw error;
      }
    },

    async etat(execution) {
      try {
        const { status } = await sfn().send(
          new DescribeExecutionCommand({ executionArn: executionArn(stateMachineArn, execution) }),
        );
        switch (status) {
          case 'RUNNING':
          case 'PENDING_REDRIVE':
            return 'en_cours';
          case 'SUCCEEDED':
            return 'terminee';
          case 'FAILED':
            return 'echouee';
          default:
            return 'arretee';
        }
      } catch (error) {
        if (nomErreur(error) === 'ExecutionDoesNotExist') return 'inconnue';
        throw error;
      }
    },
  };
}

/** `SendTaskSuccess`; the token carries its state machine, so no ARN is needed. */
export function callbacksStepFunctions(): TaskCallbacks {
  return {
    async succeed(token, output) {
      try {
        await sfn().send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
        return true;
      } catch (error) {
        if (['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'].includes(nomErreur(error))) return false;
        throw error;
      }
    },
  };
}
