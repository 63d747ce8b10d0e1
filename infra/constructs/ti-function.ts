import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { type BucketKey, bucketEnv } from '@ti/platform/buckets';
import { NAMESPACE_METRIQUES, SERVICE } from '@ti/platform/metriques';
import type { Access } from '@ti/platform/routes';
import { type TableKey, tableEnv, tables } from '@ti/platform/tables';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { esmBanner, externalModules, mainFields, nodeTarget, repoRoot, sourcesContent } from './bundling';
import { acknowledgeWildcard } from './calendrier';

/** Runtime of every function: the latest Node.js Lambda runtime known to aws-cdk-lib 2.276. */
export const tiRuntime = lambda.Runtime.NODEJS_24_X;

export interface TiFunctionProps {
  /** Entry file, relative to the repository root (e.g. `functions/candidatures/deposer.ts`) or absolute. */
  readonly entry: string;
  readonly description?: string;
  /** @default 10 seconds (API Gateway gives up at 29 s). */
  readonly timeout?: Duration;
  /** @default 1024 MB (arm64; more memory is more CPU, hence shorter cold starts). */
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A Node.js Lambda function with the project's settings fixed in one place: `nodejs24.x` on arm64,
 * X-Ray active tracing, JSON logs in its own log group with a retention, an execution role holding
 * only what it is granted (no AWS managed policy), and ESM bundles built by esbuild (see ./bundling).
 */
export class TiFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: TiFunctionProps) {
    const entry = isAbsolute(props.entry) ? props.entry : join(repoRoot, props.entry);

    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    // Our own role instead of NodejsFunction's default one, which carries the AWS managed policy
    // AWSLambdaBasicExecutionRole (logs on every log group of the account, cdk-nag IAM4).
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    logGroup.grantWrite(role);
    // Tracing.ACTIVE adds xray:PutTraceSegments and xray:PutTelemetryRecords on "*" to this role.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permission; data grants name their ARNs.',
    });

    // In tests the context `aws:cdk:bundling-stacks: []` skips bundling; a handler that is not
    // written yet must not stop the template from being synthesized there (never in a real synth).
    const placeholder = !existsSync(entry) && !Stack.of(scope).bundlingRequired;

    super(scope, id, {
      ...(placeholder
        ? {
            code: lambda.Code.fromInline('export const handler = async () => ({ statusCode: 501 });'),
            handler: 'index.handler',
          }
        : { entry, handler: 'handler' }),
      description: props.description,
      runtime: tiRuntime,
      architecture: lambda.Architecture.ARM_64,
      tracing: lambda.Tracing.ACTIVE,
      timeout: props.timeout ?? Duration.seconds(10),
      memorySize: props.memorySize ?? 1024,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: NAMESPACE_METRIQUES,
        // Responses carry personal data (names, e-mails of elected officials): keep them out of X-Ray.
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: nodeTarget,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent,
        mainFields,
        banner: esmBanner,
        bundleAwsSDK: true,
        externalModules,
        logLevel: LogLevel.WARNING,
      },
    });
  }
}

const TABLE_READ_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const TABLE_WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];
const INDEX_READ_ACTIONS = ['dynamodb:Query', 'dynamodb:Scan'];

/**
 * Reading the very version an S3 event names (`VersionId`, on the versioned input buckets) needs
 * `s3:GetObjectVersion` beside `s3:GetObject`: without it S3 answers 403 to GetObject/HeadObject.
 */
export const BUCKET_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'];
export const BUCKET_LIST_ACTIONS = ['s3:ListBucket'];
export const BUCKET_WRITE_ACTIONS = ['s3:AbortMultipartUpload', 's3:PutObject'];

/** Names of a table's global secondary indexes, from its definition. */
export function globalIndexNames(key: TableKey): string[] {
  const definition = tables[key];
  return 'globalIndexes' in definition ? definition.globalIndexes.map((index) => index.name) : [];
}

const reads = (access: Access): boolean => access === 'read' || access === 'readwrite';
const writes = (access: Access): boolean => access === 'write' || access === 'readwrite';
const pascal = (key: string): string => key.charAt(0).toUpperCase() + key.slice(1);

/**
 * Grants a function the item-level DynamoDB actions `access` needs on one table (and reads on its
 * named GSIs; never `index/*`, never `dynamodb:*`), and sets `TABLE_<KEY>` to the table's name.
 */
export function grantTable(fn: lambda.Function, table: ITable, access: Access, key: TableKey): void {
  const actions = [
    ...new Set([
      ...(reads(access) ? TABLE_READ_ACTIONS : []),
      ...(writes(access) ? TABLE_WRITE_ACTIONS : []),
    ]),
  ].sort();
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: `Table${pascal(key)}${pascal(access)}`,
      actions,
      resources: [table.tableArn],
    }),
  );
  const indexes = globalIndexNames(key);
  if (reads(access) && indexes.length > 0) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: `Table${pascal(key)}Indexes`,
        actions: INDEX_READ_ACTIONS,
        resources: indexes.map((name) => `${table.tableArn}/index/${name}`),
      }),
    );
  }
  fn.addEnvironment(tableEnv(key), table.tableName);
}

/**
 * Grants a function object reads and/or writes on one bucket (PutObject also signs the presigned
 * PUT URLs handed to form sources; no delete, no ACL), and sets `BUCKET_<KEY>` to its name.
 */
export function grantBucket(fn: lambda.Function, bucket: IBucket, access: Access, key: BucketKey): void {
  const actions = [
    ...(reads(access) ? BUCKET_READ_ACTIONS : []),
    ...(writes(access) ? BUCKET_WRITE_ACTIONS : []),
  ].sort();
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: `Bucket${pascal(key)}${pascal(access)}`,
      actions,
      resources: [bucket.arnForObjects('*')],
    }),
  );
  if (reads(access)) {
    // Lets GetObject answer 404 rather than 403 for a missing key.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: `Bucket${pascal(key)}List`,
        actions: BUCKET_LIST_ACTIONS,
        resources: [bucket.bucketArn],
      }),
    );
  }
  // Object keys are created at run time (`candidatures/{id}/{pieceId}.pdf`), so the grant names
  // `<bucket ARN>/*`; for a bucket of another stack, cdk-nag's rendering of it (a `Fn::GetStackOutput`)
  // exists only once cross-stack references are resolved, hence an acknowledgment at validation.
  acknowledgeWildcard(
    fn.role ?? fn,
    bucket.arnForObjects('*'),
    'Objects of this one bucket: their keys are created at run time, so they cannot be listed.',
  );
  fn.addEnvironment(bucketEnv(key), bucket.bucketName);
}

/** What a function may touch, as the platform declares it (a route, a trigger, a scheduled function…). */
export interface AccesDeclares {
  readonly tables?: Partial<Record<TableKey, Access>>;
  readonly buckets?: Partial<Record<BucketKey, Access>>;
}

/** Grants a function each table then each bucket `acces` names (`grantTable`, `grantBucket`), in order. */
export function accorder(
  fn: lambda.Function,
  acces: AccesDeclares,
  props: {
    readonly tables: Partial<Record<TableKey, ITable>>;
    readonly buckets?: Partial<Record<BucketKey, IBucket>>;
  },
): void {
  for (const [key, access] of Object.entries(acces.tables ?? {}) as [TableKey, Access][]) {
    const table = props.tables[key];
    if (!table) throw new Error(`${fn.node.id}: no table ${key} to grant`);
    grantTable(fn, table, access, key);
  }
  for (const [key, access] of Object.entries(acces.buckets ?? {}) as [BucketKey, Access][]) {
    const bucket = props.buckets?.[key];
    if (!bucket) throw new Error(`${fn.node.id}: no bucket ${key} to grant`);
    grantBucket(fn, bucket, access, key);
  }
}
