import { bucketEnv, buckets, localBucketName } from '@ti/platform/buckets';
import { env } from '@ti/platform/config';
import { NAMESPACE_METRIQUES, SERVICE } from '@ti/platform/metriques';
import { localTableName, tableEnv, tables } from '@ti/platform/tables';
import { LOCAL_FORM_SOURCE } from './signature';

export const LOCAL_REGION = 'eu-west-3';
/** s3rver's only account; DynamoDB Local accepts any key (it runs with -sharedDb). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface HandlerEnvironmentOptions {
  dynamodbEndpoint: string;
  s3Endpoint: string;
  quiet: boolean;
}

/**
 * The environment the handlers see, as CDK sets it in AWS plus what the local emulators need.
 * Variables the developer already exported for logging/metrics win over these defaults
 * (except when quiet).
 */
export function handlerEnvironment(options: HandlerEnvironmentOptions): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const key of Object.keys(tables) as (keyof typeof tables)[]) vars[tableEnv(key)] = localTableName(key);
  for (const key of Object.keys(buckets) as (keyof typeof buckets)[])
    vars[bucketEnv(key)] = localBucketName(key);
  Object.assign(vars, {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    // The SDK v3 reads service-specific endpoints from these.
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamodbEndpoint,
    AWS_ENDPOINT_URL_S3: options.s3Endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    // s3rver stores aws-chunked uploads with their framing unless the SDK only checksums when required.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    [env.s3PathStyle]: 'true',
    [env.localFormSources]: JSON.stringify({ [LOCAL_FORM_SOURCE.id]: LOCAL_FORM_SOURCE.secret }),
    // Lambda runs in UTC.
    TZ: 'UTC',
    POWERTOOLS_SERVICE_NAME: SERVICE,
    POWERTOOLS_METRICS_NAMESPACE: NAMESPACE_METRIQUES,
    POWERTOOLS_TRACE_ENABLED: 'false',
  });
  const keep = (name: string, fallback: string) => {
    const current = process.env[name];
    vars[name] = !options.quiet && current ? current : fallback;
  };
  keep('POWERTOOLS_LOG_LEVEL', options.quiet ? 'WARN' : 'INFO');
  // EMF metric blobs on stdout would drown the logs; POWERTOOLS_DEV would do the same but also
  // pretty-print every log entry on ~10 lines, so it is not set.
  keep('POWERTOOLS_METRICS_DISABLED', 'true');
  return vars;
}

/** Sets the variables in process.env (before any handler module is imported); returns an undo. */
export function applyEnvironment(vars: Record<string, string>): () => void {
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(vars)) {
    previous.set(name, process.env[name]);
    process.env[name] = value;
  }
  // A real session token would be sent along with the dummy keys.
  previous.set('AWS_SESSION_TOKEN', process.env.AWS_SESSION_TOKEN);
  delete process.env.AWS_SESSION_TOKEN;
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
