/**
 * The selection calendar's state machine, run locally by aws-local-stepfunctions from the definition
 * CDK synthesizes (never a hand-written copy), its Lambda tasks mapped to the same handler modules.
 *
 * That library does not pause on `.waitForTaskToken`; the local equivalent: the task's local handler
 * invokes the function with a fresh token (as Step Functions does for `$$.Task.Token`), then awaits a
 * promise that `sendTaskSuccess` resolves, which is what the handlers' local adapter calls where AWS
 * would `SendTaskSuccess` (see @ti/platform/calendrier/local).
 */
import { randomUUID } from 'node:crypto';
import {
  type LocalExecutionStatus,
  type LocalStepFunctions,
  registerLocalStepFunctions,
} from '@ti/platform/calendrier/local';
import type { FonctionCalendrier } from '@ti/platform/calendrier/taches';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { LOCAL_REGION } from './environment';
import {
  type LambdaHandler,
  LOCAL_ACCOUNT_ID,
  lambdaContext,
  localFunctionArn,
  moduleHandlerResolver,
} from './lambda';

/** What `$$.Task.Token` reads locally; each task entry replaces it with a token of its own. */
const TOKEN_PLACEHOLDER = 'local-task-token';
const RESOURCE_INVOKE = 'arn:aws:states:::lambda:invoke';
const RESOURCE_WAIT_FOR_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface LocalTask {
  /** Module under functions/, e.g. `calendrier/attendre`. */
  handler: string;
  /** ARN of the function (direct resource, or `Parameters.FunctionName`). */
  functionArn: string;
  /** `direct`: Resource is the function (payloadResponseOnly); `invoke`: lambda:invoke; `token`: .waitForTaskToken. */
  kind: 'direct' | 'invoke' | 'token';
  timeoutSeconds: number;
}

export interface LoadedDefinition {
  stateMachineName: string;
  definition: StateMachineDefinition;
  /** Task state name → the function it runs. */
  tasks: Record<string, LocalTask>;
  /** `DefinitionString` as CloudFormation receives it (before local names replace the references). */
  definitionString: unknown;
}

/**
 * Resolves what CloudFormation would: `Fn::Join`, `Ref` of pseudo parameters, `Fn::GetAtt [fn, Arn]`
 * of the stack's functions (to local ARNs).
 */
function resolveIntrinsics(value: unknown, functionLogicalIds: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, functionLogicalIds));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => String(resolveIntrinsics(p, functionLogicalIds))).join(separator);
  }
  if ('Ref' in object) {
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': LOCAL_REGION,
      'AWS::AccountId': LOCAL_ACCOUNT_ID,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    const ref = String(object.Ref);
    if (pseudo[ref]) return pseudo[ref];
    throw new Error(`Local state machine: cannot resolve Ref ${ref}`);
  }
  if ('Fn::GetAtt' in object) {
    const [logicalId, attribute] = object['Fn::GetAtt'] as [string, string];
    if (attribute === 'Arn' && functionLogicalIds.has(logicalId)) return localFunctionArn(logicalId);
    throw new Error(`Local state machine: cannot resolve Fn::GetAtt ${logicalId}.${attribute}`);
  }
  return Object.fromEntries(
    Object.entries(object).map(([k, v]) => [k, resolveIntrinsics(v, functionLogicalIds)]),
  );
}

/** Every Task state of the definition, Map item processors and Parallel branches included. */
function* taskStates(definition: {
  States: Record<string, Record<string, unknown>>;
}): Generator<[string, Record<string, unknown>]> {
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task') yield [name, state];
    const processor = (state.ItemProcessor ?? state.Iterator) as typeof definition | undefined;
    if (processor) yield* taskStates(processor);
    for (const branch of (state.Branches ?? []) as (typeof definition)[]) yield* taskStates(branch);
  }
}

/**
 * The calendar's definition as CDK synthesizes it: the app of infra/build-app.ts (bundling skipped),
 * the `DefinitionString` of its state machine resolved exactly as synthesis writes it into the template
 * (an infrastructure test checks it equals the synthesized template's), then the function references
 * resolved to local ARNs, each mapped to its handler module.
 */
export async function loadCalendarDefinition(): Promise<LoadedDefinition> {
  const [{ buildApp }, { NOM_MACHINE_CALENDRIER }, { Stack }, { fonctionsCalendrier }] = await Promise.all([
    import('../../../infra/build-app'),
    import('../../../infra/constructs/calendrier'),
    import('aws-cdk-lib'),
    import('@ti/platform/calendrier/taches'),
  ]);
  const { workflow } = buildApp({ 'aws:cdk:bundling-stacks': [] });
  const cfn = workflow.stateMachine.node
    .defaultChild as import('aws-cdk-lib/aws-stepfunctions').CfnStateMachine;
  const definitionString = Stack.of(cfn).resolve(cfn.definitionString);
  const handlerOf = new Map<string, string>();
  for (const [key, fn] of Object.entries(workflow.fonctions)) {
    const logicalId = workflow.getLogicalId(fn.node.defaultChild as import('aws-cdk-lib').CfnElement);
    handlerOf.set(
      localFunctionArn(logicalId),
      (fonctionsCalendrier as Record<string, FonctionCalendrier>)[key]?.handler ?? '',
    );
  }
  const functionLogicalIds = new Set([...handlerOf.keys()].map((arn) => arn.slice(arn.lastIndexOf(':') + 1)));
  const text = resolveIntrinsics(definitionString, functionLogicalIds);
  if (typeof text !== 'string') throw new Error('Local state machine: DefinitionString is not a string');
  const definition = JSON.parse(text) as StateMachineDefinition & {
    States: Record<string, Record<string, unknown>>;
  };
  const tasks: Record<string, LocalTask> = {};
  for (const [name, state] of taskStates(definition)) {
    const resource = String(state.Resource);
    const kind =
      resource === RESOURCE_WAIT_FOR_TOKEN ? 'token' : resource === RESOURCE_INVOKE ? 'invoke' : 'direct';
    const functionArn =
      kind === 'direct' ? resource : String((state.Parameters as { FunctionName?: unknown })?.FunctionName);
    const handler = handlerOf.get(functionArn);
    if (!handler)
      throw new Error(
        `Local state machine: task ${name} runs ${resource}, which is not a function of the workflow stack`,
      );
    tasks[name] = { handler, functionArn, kind, timeoutSeconds: Number(state.TimeoutSeconds ?? 60) };
  }
  return {
    stateMachineName: NOM_MACHINE_CALENDRIER,
    definition,
    tasks,
    definitionString,
  };
}

/** A copy of `value` with the placeholder token replaced (the payload is JSON). */
function withToken(value: unknown, token: string): unknown {
  return JSON.parse(JSON.stringify(value ?? null), (_key, v) => (v === TOKEN_PLACEHOLDER ? token : v));
}

/** The execution was stopped while its task waited: no retry, no catch, as in Step Functions. */
class ExecutionStopped extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor() {
    super('Execution stopped');
    this.name = 'ExecutionStopped';
  }
}

export interface LocalExecution {
  name: string;
  input: unknown;
  status: LocalExecutionStatus;
  startDate: string;
  stopDate?: string;
  output?: unknown;
  error?: string;
  cause?: string;
  /** The states entered, in order (`Map` iterations as `Name[index]`). */
  states: string[];
}

export interface LocalCalendar extends LocalStepFunctions {
  readonly definition: LoadedDefinition;
  execution(name: string): LocalExecution | undefined;
  executions(): LocalExecution[];
  /** Resolves when the execution is over (or at once when unknown). */
  settled(name: string): Promise<LocalExecution | undefined>;
  /** Aborts every running execution and unregisters the runner. */
  stop(): Promise<void>;
}

export interface LocalCalendarOptions {
  definition?: LoadedDefinition;
  resolveHandler?: (handler: string) => Promise<LambdaHandler>;
  /** One line per state entered; nothing when absent. */
  log?: (line: string) => void;
  /** Register as the runner the handlers' local adapters reach. Default true. */
  register?: boolean;
}

interface Running {
  execution: LocalExecution;
  abort: () => void;
  done: Promise<void>;
}

/** Starts the local runner of the calendar's state machine and registers it for the handlers. */
export async function startLocalCalendar(options: LocalCalendarOptions = {}): Promise<LocalCalendar> {
  const loaded = options.definition ?? (await loadCalendarDefinition());
  const machine = new StateMachine(loaded.definition);
  const resolveHandler = options.resolveHandler ?? moduleHandlerResolver();
  const running = new Map<string, Running>();
  const pendingTokens = new Map<
    string,
    { resolve: (output: unknown) => void; reject: (e: Error) => void; execution: string }
  >();

  async function invoke(task: LocalTask, event: unknown): Promise<unknown> {
    const handler = await resolveHandler(task.handler);
    const result = await handler(JSON.parse(JSON.stringify(event ?? null)), lambdaContext(task));
    // What crosses the Lambda boundary is JSON.
    return result === undefined ? null : JSON.parse(JSON.stringify(result));
  }

  function localHandlers(executionName: string) {
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [stateName, task] of Object.entries(loaded.tasks)) {
      handlers[stateName] = async (input) => {
        if (task.kind === 'direct') return (await invoke(task, input)) as Json;
        const payload = (input as { Payload?: unknown } | null)?.Payload;
        if (task.kind === 'invoke') {
          return {
            ExecutedVersion: '$LATEST',
            Payload: (await invoke(task, payload)) as Json,
            StatusCode: 200,
          };
        }
        const token = `local:${executionName}:${randomUUID()}`;
        const resumed = new Promise<unknown>((resolve, reject) => {
          pendingTokens.set(token, { resolve, reject, execution: executionName });
        });
        try {
          await invoke(task, withToken(payload, token));
        } catch (error) {
          pendingTokens.delete(token);
          throw error;
        }
        return (await resumed) as Json;
      };
    }
    return handlers;
  }

  async function follow(execution: LocalExecution, events: AsyncGenerator<Record<string, unknown>>) {
    for await (const event of events) {
      if (event.type !== 'StateEntered') continue;
      const state = event.state as { name: string };
      const name = typeof event.index === 'number' ? `${state.name}[${event.index}]` : state.name;
      execution.states.push(name);
      options.log?.(`${execution.name} ▸ ${name}`);
    }
  }

  const calendar: LocalCalendar = {
    definition: loaded,

    startExecution(name, input) {
      if (running.has(name)) return 'exists';
      const execution: LocalExecution = {
        name,
        input,
        status: 'RUNNING',
        startDate: new Date().toISOString(),
        states: [],
      };
      const runOptions: RunOptions = {
        overrides: { taskResourceLocalHandlers: localHandlers(name) },
        context: { Execution: { Id: `local:${name}`, Name: name }, Task: { Token: TOKEN_PLACEHOLDER } },
      };
      const run = machine.run(input as Json, runOptions);
      void follow(execution, run.eventLogs as unknown as AsyncGenerator<Record<string, unknown>>);
      const done = run.result
        .then(
          (output) => {
            execution.status = 'SUCCEEDED';
            execution.output = output;
          },
          (error: Error) => {
            if (execution.status === 'ABORTED') return;
            execution.status = error.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED';
            const cause = (error as { cause?: Error }).cause;
            execution.error = cause?.name ?? error.name;
            execution.cause = cause?.message ?? error.message;
            options.log?.(`${name} ✗ ${execution.error}: ${execution.cause}`);
          },
        )
        .finally(() => {
          execution.stopDate = new Date().toISOString();
        });
      running.set(name, { execution, abort: run.abort, done });
      return 'started';
    },

    stopExecution(name, cause) {
      const entry = running.get(name);
      if (entry?.execution.status !== 'RUNNING') return false;
      entry.execution.status = 'ABORTED';
      entry.execution.cause = cause;
      entry.abort();
      // Its waiting task ends now (and with it the task's timeout timer).
      for (const [token, pending] of pendingTokens) {
        if (pending.execution !== name) continue;
        pendingTokens.delete(token);
        pending.reject(new ExecutionStopped());
      }
      options.log?.(`${name} ■ ${cause}`);
      return true;
    },

    describeExecution(name) {
      return running.get(name)?.execution.status;
    },

    sendTaskSuccess(token, output) {
      const pending = pendingTokens.get(token);
      if (!pending) return false;
      pendingTokens.delete(token);
      pending.resolve(JSON.parse(JSON.stringify(output ?? null)));
      return true;
    },

    execution: (name) => running.get(name)?.execution,
    executions: () => [...running.values()].map((r) => r.execution),

    async settled(name) {
      const entry = running.get(name);
      await entry?.done.catch(() => undefined);
      return entry?.execution;
    },

    async stop() {
      for (const [name, entry] of running) {
        if (entry.execution.status === 'RUNNING') calendar.stopExecution(name, 'Local cloud stopping');
      }
      if (options.register ?? true) registerLocalStepFunctions(undefined);
      await Promise.all([...running.values()].map((r) => r.done.catch(() => undefined)));
    },
  };
  if (options.register ?? true) registerLocalStepFunctions(calendar);
  return calendar;
}
