import { loadCalendarDefinition } from '@ti/local-cloud/step-functions';
import { fonctionsCalendrier } from '@ti/platform/calendrier/taches';
import { env } from '@ti/platform/config';
import { routes as definedRoutes, type Route } from '@ti/platform/routes';
import { tableEnv } from '@ti/platform/tables';
import aslValidator from 'asl-validator';
import type { CfnResource } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { NOM_MACHINE_CALENDRIER } from '../../infra/constructs/calendrier';
import { asArray, type Json, type Synthesized, synthesize } from './synth';

/**
 * The selection calendar's stack, read from the synthesized templates (cdk-nag included): the state
 * machine's definition (valid ASL, the one the local cloud runs), its logging and tracing, what its
 * role may invoke, and who may start or resume it (the daily schedule, the API).
 */
const routes: readonly Route[] = definedRoutes;

let s: Synthesized;
let resources: Record<string, Json>;
let machine: Json;
/** Logical id of each calendar function → its key in `fonctionsCalendrier`. */
let fonctionDe: Map<string, string>;

beforeAll(() => {
  s = synthesize();
  resources = s.workflowTemplate.toJSON().Resources;
  const machines = Object.values(resources).filter(
    (r: Json) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  expect(machines).toHaveLength(1);
  machine = machines[0];
  fonctionDe = new Map(
    Object.entries(s.workflow.fonctions).map(([key, fn]) => [
      s.workflow.getLogicalId(fn.node.defaultChild as CfnResource),
      key,
    ]),
  );
});

const localArn = (logicalId: string) => `arn:aws:lambda:eu-west-3:123456789012:function:${logicalId}`;

/** The ASL text, function references replaced by ARNs of their logical ids (what CloudFormation does). */
function asl(): Json {
  const [separator, parts] = machine.Properties.DefinitionString['Fn::Join'];
  const text = (parts as Json[])
    .map((p) => {
      if (typeof p === 'string') return p;
      if (p['Fn::GetAtt']) return localArn(p['Fn::GetAtt'][0]);
      if (p.Ref === 'AWS::Partition') return 'aws';
      throw new Error(`unexpected part ${JSON.stringify(p)}`);
    })
    .join(separator);
  return JSON.parse(text);
}

function* states(definition: Json): Generator<[string, Json]> {
  for (const [name, state] of Object.entries(definition.States as Record<string, Json>)) {
    yield [name, state];
    if (state.ItemProcessor) yield* states(state.ItemProcessor);
    for (const branch of state.Branches ?? []) yield* states(branch);
  }
}

/** The function a Task state runs (direct resource, or lambda:invoke's FunctionName). */
function fonctionDeTache(state: Json): string | undefined {
  const arn: string = state.Resource.startsWith('arn:aws:states:::lambda:invoke')
    ? state.Parameters.FunctionName
    : state.Resource;
  return fonctionDe.get(arn.slice(arn.lastIndexOf(':') + 1));
}

function policyStatementsOf(roleLogicalId: string): Json[] {
  return Object.values(resources)
    .filter(
      (r: Json) =>
        r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: Json) => x.Ref === roleLogicalId),
    )
    .flatMap((p: Json) => p.Properties.PolicyDocument.Statement);
}

describe('the state machine definition', () => {
  it('is valid Amazon States Language (asl-validator, ARNs and paths checked)', () => {
    const { isValid, errorsText } = aslValidator(asl(), { checkArn: true, checkPaths: true });
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
  });

  it('is what the local cloud runs: the loader yields the synthesized template’s DefinitionString', async () => {
    const loaded = await loadCalendarDefinition();
    expect(loaded.definitionString).toEqual(machine.Properties.DefinitionString);
    expect(Object.keys(loaded.tasks).sort()).toEqual(
      [...states(asl())]
        .filter(([, st]) => st.Type === 'Task')
        .map(([n]) => n)
        .sort(),
    );
  });

  it('every task runs one of the stack’s calendar task functions; only AttendreAvis/AttendreDecision wait for a token', () => {
    const taches = [...states(asl())].filter(([, st]) => st.Type === 'Task');
    expect(taches.length).toBeGreaterThan(10);
    for (const [name, state] of taches) {
      const key = fonctionDeTache(state);
      expect(key, name).toBeDefined();
      expect(fonctionsCalendrier[key as keyof typeof fonctionsCalendrier].tache, name).toBe(true);
      if (state.Resource.endsWith('.waitForTaskToken')) {
        expect(['AttendreAvis', 'AttendreDecision']).toContain(name);
        expect(key).toBe('attendre');
        expect(state.Parameters.Payload['jeton.$']).toBe('$$.Task.Token');
        // One path both for Step Functions (state input) and the local runner (parameters).
        expect(state.TimeoutSecondsPath).toBe('$.Payload.secondes');
        expect(state.Parameters.Payload['secondes.$']).toBe('$.Payload.secondes');
        expect(state.Catch[0]).toMatchObject({ ErrorEquals: ['States.Timeout'] });
      } else {
        expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
      }
    }
  });

  it('follows the calendar: open, close, regional review per region (Map), national selection, announcement', () => {
    const definition = asl();
    const ordre: string[] = [];
    const vus = new Set<string>();
    // The main flow, following Next / Choice (first "atteinte" branch) from StartAt.
    let courant: string | undefined = definition.StartAt;
    while (courant && !vus.has(courant)) {
      vus.add(courant);
      ordre.push(courant);
      const st: Json = definition.States[courant];
      courant =
        st.Type === 'Choice'
          ? (st.Choices.find((c: Json) => c.Variable === '$.attente.decidee') ?? st.Choices[0]).Next
          : st.Next;
    }
    expect(ordre.filter((n) => !n.startsWith('Echeance') && !n.endsWith('Atteinte'))).toEqual([
      'Ouvrir',
      'Clore',
      'InstructionRegionale',
      'OuvrirSelection',
      'DecisionRendue',
      'AttenteAnnonce',
      'Annoncer',
      'Termine',
    ]);
    const map = definition.States.InstructionRegionale;
    expect(map.Type).toBe('Map');
    expect(map.ItemsPath).toBe('$.instruction.regions');
    expect(Object.keys(map.ItemProcessor.States).sort()).toEqual(
      [
        'AttendreAvis',
        'AvisComplets',
        'AvisEchus',
        'ConstaterAvisNonRendus',
        'DelaiAvis',
        'EcheanceAvis',
        'RappelerRegion',
      ].sort(),
    );
  });

  it('catches every failure of the main flow: a stale execution ends, anything else is recorded on the campaign', () => {
    const definition = asl();
    for (const [name, state] of Object.entries(definition.States as Record<string, Json>)) {
      if (!['Task', 'Map'].includes(state.Type) || name === 'SignalerEchec') continue;
      const catches = state.Catch.filter((c: Json) => !c.ErrorEquals.includes('States.Timeout'));
      expect(catches, name).toEqual([
        { ErrorEquals: ['CalendrierPerime'], Next: 'Perime' },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.erreur', Next: 'SignalerEchec' },
      ]);
    }
    expect(definition.States.SignalerEchec.Next).toBe('Echec');
    expect(definition.States.Echec.Type).toBe('Fail');
    // Retries spare timeouts (a wake-up) and stale executions.
    for (const [name, state] of [...states(definition)].filter(([, st]) => st.Type === 'Task')) {
      if (name === 'SignalerEchec') continue;
      const retries = state.Retry.map((r: Json) => `${r.ErrorEquals.join('|')}:${r.MaxAttempts}`);
      expect(retries, name).toContain('CalendrierPerime:0');
      expect(retries, name).toContain('States.TaskFailed:3');
      expect(JSON.stringify(state.Retry), name).not.toContain('States.ALL');
    }
  });
});

describe('the state machine', () => {
  it('is a Standard workflow named for the API, logging ALL (with execution data) to its log group, traced', () => {
    expect(machine.Properties.StateMachineType).toBe('STANDARD');
    expect(machine.Properties.StateMachineName).toBe(NOM_MACHINE_CALENDRIER);
    expect(machine.Properties.LoggingConfiguration.Level).toBe('ALL');
    expect(machine.Properties.LoggingConfiguration.IncludeExecutionData).toBe(true);
    const destination =
      machine.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn;
    const logGroup = resources[destination['Fn::GetAtt'][0]];
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBe(365);
    expect(logGroup.Properties.LogGroupName).toBe(`/aws/vendedlogs/states/${NOM_MACHINE_CALENDRIER}`);
    expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('its role may invoke only its own task functions, and otherwise only log and trace', () => {
    const roleId = machine.Properties.RoleArn['Fn::GetAtt'][0];
    const role = resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      Service: 'states.amazonaws.com',
    });
    expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
    const invoquees = new Set<string>();
    for (const statement of policyStatementsOf(roleId)) {
      expect(statement.Effect).toBe('Allow');
      const actions = asArray<string>(statement.Action);
      if (actions.includes('lambda:InvokeFunction')) {
        expect(actions).toEqual(['lambda:InvokeFunction']);
        for (const resource of asArray<Json>(statement.Resource)) {
          const logicalId =
            resource['Fn::GetAtt']?.[0] ?? resource['Fn::Join']?.[1]?.[0]?.['Fn::GetAtt']?.[0];
          const key = fonctionDe.get(logicalId);
          expect(key, JSON.stringify(resource)).toBeDefined();
          invoquees.add(key as string);
        }
      } else {
        // CloudWatch Logs delivery and X-Ray: no resource-level permission.
        expect(statement.Resource).toBe('*');
        for (const action of actions)
          expect(action).toMatch(/^(logs:(Create|Get|Update|Delete|List|Put|Describe)\w*|xray:\w+)$/);
      }
    }
    const taches = Object.entries(fonctionsCalendrier)
      .filter(([, f]) => f.tache)
      .map(([k]) => k);
    expect([...invoquees].sort()).toEqual(taches.sort());
    expect(invoquees.has('reprendre')).toBe(false);
  });
});

describe('who reaches it', () => {
  it('the daily schedule (Europe/Paris) invokes the resume function, which may start executions of this machine only', () => {
    const schedules = Object.values(resources).filter(
      (r: Json) => r.Type === 'AWS::Scheduler::Schedule',
    ) as Json[];
    expect(schedules).toHaveLength(1);
    const schedule = schedules[0].Properties;
    expect(schedule.ScheduleExpression).toMatch(/^cron\(/);
    expect(schedule.ScheduleExpressionTimezone).toBe('Europe/Paris');
    expect(schedule.State).not.toBe('DISABLED');
    const cible = schedule.Target.Arn['Fn::GetAtt'][0];
    expect(fonctionDe.get(cible)).toBe('reprendre');

    const roleId = schedule.Target.RoleArn['Fn::GetAtt'][0];
    expect(resources[roleId].Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      Service: 'scheduler.amazonaws.com',
    });
    // It invokes the resume function, and hands an invocation it gives up to the resume's own queue.
    const file = s.workflow.getLogicalId(s.workflow.echecsReprise.node.defaultChild as CfnResource);
    for (const statement of policyStatementsOf(roleId)) {
      const [action, ...autres] = asArray<string>(statement.Action);
      expect(autres).toEqual([]);
      expect(action).toMatch(/^(lambda:InvokeFunction|sqs:SendMessage)$/);
      expect(JSON.stringify(statement.Resource)).toContain(action === 'sqs:SendMessage' ? file : cible);
    }

    const reprise = resources[cible];
    const repriseRole = reprise.Properties.Role['Fn::GetAtt'][0];
    const states = policyStatementsOf(repriseRole).filter((st) =>
      asArray<string>(st.Action)[0]?.startsWith('states:'),
    );
    expect(
      states.map((st) => `${asArray(st.Action).join(',')} ${JSON.stringify(st.Resource)}`).sort(),
    ).toEqual([
      expect.stringMatching(
        new RegExp(`^states:DescribeExecution .*:execution:${NOM_MACHINE_CALENDRIER}:\\*`),
      ),
      expect.stringMatching(new RegExp(`^states:StartExecution .*:stateMachine:${NOM_MACHINE_CALENDRIER}"`)),
    ]);
    expect(JSON.stringify(reprise.Properties.Environment.Variables[env.stateMachineArn])).toContain(
      `:stateMachine:${NOM_MACHINE_CALENDRIER}`,
    );
  });

  it('the API: PUT /campagnes/{id} starts executions of this machine, the opinion and decision routes resume its steps', () => {
    const api = s.apiTemplate.toJSON().Resources;
    const fnOf = (method: string, path: string) =>
      api[s.api.getLogicalId(s.api.functions[`${method} ${path}`]?.node.defaultChild as CfnResource)];
    const demarrage = fnOf('PUT', '/campagnes/{id}');
    expect(JSON.stringify(demarrage.Properties.Environment.Variables[env.stateMachineArn])).toContain(
      `:stateMachine:${NOM_MACHINE_CALENDRIER}`,
    );
    const reprises = routes.filter((r) => r.stateMachine === 'callback').map((r) => `${r.method} ${r.path}`);
    expect(reprises.sort()).toEqual(['POST /campagnes/{id}/decision', 'POST /candidatures/{id}/avis']);
    // The grants themselves are checked route by route in iam.test.ts.
    expect(s.assembly.getStackByName(s.api.stackName).dependencies.map((d) => d.id)).toContain(
      s.workflow.artifactId,
    );
  });
});

describe('the calendar functions', () => {
  it('each has exactly the environment of its grants, and no local-only variable', () => {
    for (const [key, definition] of Object.entries(fonctionsCalendrier)) {
      const fn =
        resources[
          s.workflow.getLogicalId(
            s.workflow.fonctions[key as keyof typeof fonctionsCalendrier].node.defaultChild as CfnResource,
          )
        ];
      expect(fn.Properties.Runtime, key).toBe('nodejs24.x');
      expect(fn.Properties.TracingConfig, key).toEqual({ Mode: 'Active' });
      const expected = [
        'NODE_OPTIONS',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_TRACER_CAPTURE_RESPONSE',
        ...Object.keys(definition.tables).map((k) => tableEnv(k as never)),
        ...('notifications' in definition ? [env.eventBusName, env.mailFrom] : []),
        ...('executions' in definition ? [env.stateMachineArn] : []),
      ].sort();
      expect(Object.keys(fn.Properties.Environment.Variables).sort(), key).toEqual(expected);
    }
    const texte = JSON.stringify(s.workflowTemplate.toJSON());
    expect(texte).not.toContain(env.localStepFunctions);
    expect(texte).not.toContain(env.localNotificationsDir);
  });

  it('only the announcement and the reminder may send e-mails and events; no wildcard action anywhere', () => {
    for (const [key, fn] of Object.entries(s.workflow.fonctions)) {
      const roleId = s.workflow.getLogicalId(fn.role?.node.defaultChild as CfnResource);
      const actions = policyStatementsOf(roleId).flatMap((st) => asArray<string>(st.Action));
      for (const action of actions) expect(action, key).not.toContain('*');
      const envoie = actions.some((a) => a.startsWith('ses:') || a === 'events:PutEvents');
      expect(envoie, key).toBe(key === 'annoncer' || key === 'rappeler');
      expect(actions.includes('states:SendTaskSuccess'), key).toBe(key === 'attendre');
    }
  });
});
