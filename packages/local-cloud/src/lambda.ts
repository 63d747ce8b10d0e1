/**
 * Lambda's runtime, locally, for the functions the local cloud runs itself (the state machine's tasks,
 * the S3 triggers, the aggregates' recompute): the handler module imported on first use, and the
 * context of each invocation.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { LOCAL_REGION } from './environment';
import { functionsDir as defaultFunctionsDir, repoRoot } from './paths';

export const LOCAL_ACCOUNT_ID = '123456789012';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** The local ARN of a function, by its name. */
export const localFunctionArn = (name: string) =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${name}`;

/** Imports a handler module, whose `handler` export must be a function. */
export function importHandler<H = LambdaHandler>(file: string): Promise<H> {
  return import(pathToFileURL(file).href).then((module: { handler?: unknown }) => {
    if (typeof module.handler !== 'function')
      throw new Error(`${file} does not export a \`handler\` function`);
    return module.handler as H;
  });
}

/** Imports `functions/<handler>.ts` on first use (a cold start), like the Lambda runtime. */
export function moduleHandlerResolver(functionsDir: string = defaultFunctionsDir) {
  const loaded = new Map<string, Promise<LambdaHandler>>();
  return (handler: string): Promise<LambdaHandler> => {
    let loading = loaded.get(handler);
    if (!loading) {
      const file = join(functionsDir, `${handler}.ts`);
      if (!existsSync(file)) return Promise.reject(new Error(`${relative(repoRoot, file)} does not exist`));
      loading = importHandler(file);
      loaded.set(handler, loading);
      loading.catch(() => loaded.delete(handler));
    }
    return loading;
  };
}

/** A Lambda context for a local invocation (its deadline counts from now). */
export function lambdaContext(fn: { functionArn: string; timeoutSeconds: number }): Context {
  const functionName = fn.functionArn.slice(fn.functionArn.lastIndexOf(':') + 1);
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.functionArn,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
