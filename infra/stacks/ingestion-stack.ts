import type { BucketKey } from '@ti/platform/buckets';
import { env } from '@ti/platform/config';
import {
  type Declencheur,
  declencheurs,
  recuperationBpifrance as RECUPERATION,
} from '@ti/platform/declencheurs';
import type { TableKey } from '@ti/platform/tables';
import { Duration, RemovalPolicy, Stack, type StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { functionId, handlerEntry } from '../constructs/bundling';
import { fileEchecs } from '../constructs/file-echecs';
import { accorder, TiFunction } from '../constructs/ti-function';

/**
 * Sizing of the ingestion, from `npm run bench:ingest` (docs/benchmarks.md). The function streams: its
 * live set stays near 40 MB whatever the file. Left alone, V8 lets its young generation grow to 134 MB
 * under this allocation rate and glibc keeps a malloc arena per thread: peak RSS 330 MB for 20,000 rows.
 * With these settings (V8 flags Lambda accepts in NODE_OPTIONS) it stays near 185 MB for 100,000 rows,
 * at the same speed. No `--enable-source-maps` here: parsing the 4 MB map costs 120 MB (errors are
 * logged with their message and the import id).
 */
export const ENVIRONNEMENT_INGESTION = {
  NODE_OPTIONS: '--max-semi-space-size=4 --max-old-space-size=256',
  MALLOC_ARENA_MAX: '2',
} as const;

/**
 * One full vCPU (1,769 MB): the ingestion spends about 0.21 CPU-ms per row (two reads of the file,
 * marshalling, HTTP, GC), so below one vCPU the function, not DynamoDB, would set the pace.
 */
export const MEMOIRE_INGESTION_MO = 1769;
/**
 * 100,000 rows take about a minute on DynamoDB Local (on-demand DynamoDB writes faster); five minutes
 * leave room, and a longer file stops 30 s before the end at a commit and resumes on Lambda's retry.
 */
export const DUREE_INGESTION = Duration.minutes(5);

export interface IngestionStackProps extends StackProps {
  readonly tables: Record<TableKey, ITable>;
  readonly buckets: Record<BucketKey, IBucket>;
  /** When Bpifrance's latest export is fetched. @default every day at 06:00, Paris time */
  readonly planification?: scheduler.ScheduleExpression;
}

/** The ingestion's entry in `declencheurs` (packages/platform): its handler, trigger and grants. */
export const INGESTION: Declencheur = (declencheurs as readonly Declencheur[]).find(
  (d) => d.handler === 'laureats/ingerer',
) as Declencheur;

/**
 * The laureates' ingestion. An object created under `exports/` of the laureates' bucket (S3 → EventBridge
 * "Object Created") runs the ingestion function asynchronously, one run at a time (reserved concurrency
 * 1: two exports never race on the same laureates); a run that fails is retried twice by Lambda, then
 * lands in the dead-letter queue with the event, and an alarm goes off (the observability stack holds the
 * alarms). EventBridge Scheduler runs the fetch of Bpifrance's latest export daily (credentials in a
 * secret), which stores it under `exports/`; a fetch that fails its retries lands in the same queue.
 */
export class IngestionStack extends Stack {
  public readonly ingestion: TiFunction;
  public readonly recuperation: TiFunction;
  /**
   * Events of ingestions that failed all their attempts, of deliveries EventBridge gave up, and of
   * daily fetches that failed theirs (Lambda's record names the function: `requestContext.functionArn`).
   */
  public readonly echecs: sqs.Queue;
  public readonly surExport: events.Rule;
  public readonly planification: scheduler.Schedule;
  /** `{"url": "https://…", "jeton": "…"}` or `{"url", "utilisateur", "motDePasse"}`: Bpifrance's endpoint. */
  public readonly sourceBpifrance: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: IngestionStackProps) {
    super(scope, id, props);

    this.echecs = fileEchecs(
      this,
      'IngestionsEnEchec',
      'the ingestion and the fetch (Lambda, EventBridge, Scheduler)',
    );

    // --- Ingestion ------------------------------------------------------------------------------
    this.ingestion = new TiFunction(this, functionId(INGESTION.handler), {
      entry: handlerEntry(INGESTION.handler),
      description: INGESTION.description,
      timeout: DUREE_INGESTION,
      memorySize: MEMOIRE_INGESTION_MO,
      environment: { ...ENVIRONNEMENT_INGESTION },
    });
    (this.ingestion.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = 1;
    this.ingestion.configureAsyncInvoke({
      retryAttempts: 2,
      // Queued while another export is being ingested (reserved concurrency 1): up to 6 hours.
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.echecs),
    });
    accorder(this.ingestion, INGESTION, props);

    const bucket = props.buckets[INGESTION.bucket];
    this.surExport = new events.Rule(this, 'SurExportDepose', {
      description: 'Ingestion de chaque export Bpifrance déposé sous exports/ (API, récupération, opérateur)',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [bucket.bucketName] }, object: { key: [{ prefix: INGESTION.prefixe }] } },
      },
      targets: [
        new targets.LambdaFunction(this.ingestion, {
          deadLetterQueue: this.echecs,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    // --- Scheduled fetch ----------------------------------------------------------------------------
    this.sourceBpifrance = new secretsmanager.Secret(this, 'SourceBpifrance', {
      description:
        'Point d’accès des exports Bpifrance des lauréats : {"url": "https://…", "jeton": "…"} ou ' +
        '{"url", "utilisateur", "motDePasse"}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ url: 'https://exports.bpifrance.fr/a-renseigner' }),
        generateStringKey: 'jeton',
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.sourceBpifrance).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Credentials issued by Bpifrance for its export endpoint: renewed with Bpifrance, by hand.',
    });

    this.recuperation = new TiFunction(this, functionId(RECUPERATION.handler), {
      entry: handlerEntry(RECUPERATION.handler),
      description: RECUPERATION.description,
      timeout: Duration.minutes(5),
      memorySize: 512,
    });
    // Scheduler invokes it asynchronously: a run that fails its retries is kept, not dropped (a rerun
    // is harmless: an export is stored once per content).
    this.recuperation.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.echecs),
    });
    accorder(this.recuperation, RECUPERATION, props);
    this.sourceBpifrance.grantRead(this.recuperation);
    this.recuperation.addEnvironment(env.bpifranceSourceSecret, this.sourceBpifrance.secretArn);

    this.planification = new scheduler.Schedule(this, 'RecuperationQuotidienne', {
      description:
        'Récupère le dernier export Bpifrance des lauréats (le même contenu n’est stocké qu’une fois)',
      schedule:
        props.planification ??
        scheduler.ScheduleExpression.cron({ minute: '0', hour: '6', timeZone: TimeZone.EUROPE_PARIS }),
      target: new schedulerTargets.LambdaInvoke(this.recuperation, {
        deadLetterQueue: this.echecs,
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
      }),
    });
    // The scheduler's role may invoke the function and its versions (`<function ARN>:*`), nothing else.
    const roleDuPlanificateur = this.node
      .findAll()
      .find((c) => c.node.id.startsWith('SchedulerRoleForTarget')) as Construct;
    Validations.of(roleDuPlanificateur).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.recuperation.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason:
        'EventBridge Scheduler invokes this one function; the suffix covers its versions and aliases only.',
    });
  }
}
