import { env } from '@ti/platform/config';
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * The state machine's name is fixed, so that its ARN is known without a reference to it: its own
 * functions resume it (a reference would be a cycle: the definition names them) and the API stack
 * reaches it without a cross-stack export.
 */
export const NOM_MACHINE_CALENDRIER = 'territoires-industrie-calendrier';

/** ARN of the calendar's state machine, in the account and region of `scope`'s stack. */
export const arnMachineCalendrier = (scope: IConstruct): string =>
  Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: NOM_MACHINE_CALENDRIER,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

/** ARNs of its executions (named at run time, `<campaign>-v<version>`). */
export const arnExecutionsCalendrier = (scope: IConstruct): string =>
  Stack.of(scope).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${NOM_MACHINE_CALENDRIER}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

/**
 * Acknowledges cdk-nag's IAM5 finding for exactly one wildcard resource of `role`, once references are
 * resolved (cdk-nag renders a resource as `<LogicalId.Arn>:*`, `arn:<AWS::Partition>:…`): construct
 * validations run before the validation plugins.
 */
export function acknowledgeWildcard(role: IConstruct, resource: string, reason: string): void {
  role.node.addValidation({
    validate: () => {
      const finding = `Resource::${flattenCfnReference(Stack.of(role).resolve(resource))}`;
      Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
      return [];
    },
  });
}

/** What a function that starts executions may do to them besides: stop them, or read their status. */
const SUR_EXECUTIONS = {
  arreter: { sid: 'CalendrierArreter', action: 'states:StopExecution' },
  lire: { sid: 'CalendrierEtatExecutions', action: 'states:DescribeExecution' },
} as const;

/**
 * Grants a function what it does to the calendar's state machine, by its fixed name: `reprendreEtape`
 * resumes a waiting step with its token; `demarrer` starts executions (the machine's ARN goes in its
 * environment) and stops (`arreter`) or reads (`lire`) them.
 */
export function accorderCalendrier(
  fn: lambda.Function,
  acces: { reprendreEtape?: boolean; demarrer?: keyof typeof SUR_EXECUTIONS },
): void {
  if (acces.reprendreEtape) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'CalendrierReprendreEtape',
        actions: ['states:SendTaskSuccess'],
        resources: [arnMachineCalendrier(fn)],
      }),
    );
  }
  if (!acces.demarrer) return;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'CalendrierDemarrer',
      actions: ['states:StartExecution'],
      resources: [arnMachineCalendrier(fn)],
    }),
  );
  const { sid, action } = SUR_EXECUTIONS[acces.demarrer];
  fn.addToRolePolicy(
    new iam.PolicyStatement({ sid, actions: [action], resources: [arnExecutionsCalendrier(fn)] }),
  );
  acknowledgeWildcard(
    fn.role ?? fn,
    arnExecutionsCalendrier(fn),
    'Executions of the calendar state machine only: they are named at run time, per campaign version.',
  );
  fn.addEnvironment(env.stateMachineArn, arnMachineCalendrier(fn));
}
