import * as z from 'zod';
import { type BucketKey, bucketEnv } from './buckets';
import { type TableKey, tableEnv } from './tables';

/**
 * Environment variables shared by the CDK stacks (which set them) and the handlers (which read
 * them once, at cold start: a missing variable fails the cold start, not the tenth request).
 */
export const env = {
  /** ARN of the Secrets Manager secret holding `{"<source id>": "<secret>"}` for the form sources. */
  formSourcesSecret: 'FORM_SOURCES_SECRET_ARN',
  /** Local cloud only: the same JSON map, inline. Never set by CDK (an infrastructure test checks it). */
  localFormSources: 'TI_LOCAL_FORM_SOURCES',
  /** Local cloud only: path-style S3 URLs, for the local S3 server. */
  s3PathStyle: 'S3_FORCE_PATH_STYLE',
  /** ARN of the selection calendar's state machine (functions that start or stop its executions). */
  stateMachineArn: 'STATE_MACHINE_ARN',
  /** EventBridge bus of the programme's events (candidates notified, reminders). */
  eventBusName: 'EVENT_BUS_NAME',
  /** Sender of the programme's e-mails (an SES verified identity). */
  mailFrom: 'MAIL_FROM',
  /** Local cloud only: Step Functions is the in-process runner (never set by CDK). */
  localStepFunctions: 'TI_LOCAL_STEP_FUNCTIONS',
  /** Local cloud only: folder where e-mails are written and events appended (never set by CDK). */
  localNotificationsDir: 'TI_LOCAL_NOTIFICATIONS_DIR',
  /** ARN of the secret of Bpifrance's export endpoint: `{"url", "jeton"}` or `{"url", "utilisateur", "motDePasse"}`. */
  bpifranceSourceSecret: 'BPIFRANCE_SOURCE_SECRET_ARN',
  /** Local cloud only: the folder standing for Bpifrance's endpoint (never set by CDK). */
  localBpifranceDir: 'TI_LOCAL_BPIFRANCE_DIR',
} as const;

const nonEmpty = z.string().min(1);

/** Reads and validates the handler's configuration from the environment. Throws at cold start. */
export function loadConfig<T extends TableKey, B extends BucketKey>(needs: {
  tables?: readonly T[];
  buckets?: readonly B[];
}): { tables: Record<T, string>; buckets: Record<B, string> } {
  const tablesOut = {} as Record<T, string>;
  const bucketsOut = {} as Record<B, string>;
  const missing: string[] = [];
  for (const key of needs.tables ?? []) {
    const value = nonEmpty.safeParse(process.env[tableEnv(key)]);
    if (value.success) tablesOut[key] = value.data;
    else missing.push(tableEnv(key));
  }
  for (const key of needs.buckets ?? []) {
    const value = nonEmpty.safeParse(process.env[bucketEnv(key)]);
    if (value.success) bucketsOut[key] = value.data;
    else missing.push(bucketEnv(key));
  }
  if (missing.length > 0) throw new Error(`Missing configuration: ${missing.join(', ')}`);
  return { tables: tablesOut, buckets: bucketsOut };
}
