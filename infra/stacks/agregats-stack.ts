import { recalculAgregats as RECALCUL } from '@ti/platform/agregats/recalcul';
import type { BucketKey } from '@ti/platform/buckets';
import type { TableKey } from '@ti/platform/tables';
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { functionId, handlerEntry } from '../constructs/bundling';
import { fileEchecs } from '../constructs/file-echecs';
import { accorder, TiFunction } from '../constructs/ti-function';

export interface AgregatsStackProps extends StackProps {
  readonly tables: Record<TableKey, ITable>;
  readonly buckets: Record<BucketKey, IBucket>;
  /** Period of the scheduled recompute (territories' and fiches-action's changes). @default `periodeMinutes` */
  readonly periode?: Duration;
}

/**
 * The aggregates' recompute: one function, run by the report of each import that ends (S3 "Object
 * Created" of the laureates' bucket through EventBridge) and by an hourly rule (the territories' and
 * fiches-action's changes reach the aggregates within the hour). One run at a time (reserved
 * concurrency 1), two retries of a failed run, then its event in a dead-letter queue (the alarms on
 * both are in the observability stack, with the others). The aggregates are read by the
 * API's `/agregats` routes and its `GET /open-data/agregats/{fichier}` serves the open-data files: the
 * buckets stay private (Block Public Access on all of them), with no second public endpoint.
 */
export class AgregatsStack extends Stack {
  public readonly recalcul: TiFunction;
  public readonly surRapport: events.Rule;
  public readonly planifie: events.Rule;
  /** Events of recomputes that failed all their attempts, and deliveries EventBridge gave up. */
  public readonly echecs: sqs.Queue;

  constructor(scope: Construct, id: string, props: AgregatsStackProps) {
    super(scope, id, props);

    this.recalcul = new TiFunction(this, functionId(RECALCUL.handler), {
      entry: handlerEntry(RECALCUL.handler),
      description: RECALCUL.description,
      // 100,000 laureates are read and summed in seconds (docs/benchmarks.md); the margin is DynamoDB's.
      timeout: Duration.minutes(5),
    });
    (this.recalcul.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = 1;
    this.echecs = fileEchecs(this, 'RecalculsEnEchec', 'the recompute (Lambda and EventBridge)');
    // Nothing is dropped silently: a run that failed its retries, or an event too old to run, is kept.
    this.recalcul.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new destinations.SqsDestination(this.echecs),
    });
    accorder(this.recalcul, RECALCUL, props);

    this.surRapport = new events.Rule(this, 'SurRapportImport', {
      description: 'Recalcul des agrégats à la fin de chaque import de lauréats (son rapport est écrit)',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.buckets[RECALCUL.bucket].bucketName] },
          object: { key: events.Match.wildcard(RECALCUL.motif) },
        },
      },
      targets: [
        new targets.LambdaFunction(this.recalcul, {
          deadLetterQueue: this.echecs,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    this.planifie = new events.Rule(this, 'RecalculPlanifie', {
      description: 'Recalcul des agrégats : les changements des territoires et des fiches-action',
      schedule: events.Schedule.rate(props.periode ?? Duration.minutes(RECALCUL.periodeMinutes)),
      targets: [
        new targets.LambdaFunction(this.recalcul, {
          deadLetterQueue: this.echecs,
          retryAttempts: 2,
          maxEventAge: Duration.minutes(30),
        }),
      ],
    });
  }
}
