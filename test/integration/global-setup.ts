/**
 * Vitest globalSetup of the "integration" project: one throwaway local cloud (DynamoDB Local in
 * memory, s3rver in a temp dir, free ports, quiet) for the whole run, stopped in teardown.
 * The handlers run in vitest's main process, behind the gateway; tests talk HTTP to `baseUrl` and may
 * reach the emulators directly. The demo campaign `demo` is seeded (open since yesterday).
 *
 * s3rver needs Node's `--openssl-legacy-provider` for paginated listings: the local cloud always runs
 * it in a child Node process started with that flag, so nothing is needed here (nor in NODE_OPTIONS).
 */
import { startLocalCloud } from '@ti/local-cloud/local-cloud';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The API, e.g. http://127.0.0.1:41234 (no trailing slash). */
    baseUrl: string;
    dynamodbEndpoint: string;
    s3Endpoint: string;
    /** HS256 secret for operator tokens: `mintOperatorToken({role: 'national'}, inject('operatorJwtSecret'))`. */
    operatorJwtSecret: string;
    /** Where the selection calendar writes e-mails (`mails/*.json`) and events (`evenements.jsonl`). */
    notificationsDir: string;
  }
}

export default async function setup(project: TestProject) {
  const cloud = await startLocalCloud({ memory: true, quiet: true, port: 0, dynamodbPort: 0, s3Port: 0 });
  project.provide('baseUrl', cloud.baseUrl);
  project.provide('dynamodbEndpoint', cloud.dynamodbEndpoint);
  project.provide('s3Endpoint', cloud.s3Endpoint);
  project.provide('operatorJwtSecret', cloud.jwtSecret);
  project.provide('notificationsDir', cloud.calendar?.notificationsDir ?? '');
  return async () => {
    await cloud.stop();
  };
}
