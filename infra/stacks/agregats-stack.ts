import { recalculAgregats as RECALCUL } from '@ti/platform/agregats/recalcul';
import type { BucketKey } from '@ti/platform/buckets';
import type { Access } from '@ti/platform/routes';
import type { TableKey } from '@ti/platform/tables';
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { handlerEntry } from '../constructs/bundling';
import { grantBucket, grantTable, TiFunction } from '../constructs/ti-function';
import { functionId } from './api-stack';

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
 * concurrency 1), two retries of a failed run, an alarm on failures. The aggregates are read by the
 * API's `/agregats` routes and its `GET /open-data/agregats/{fichier}` serves the open-data files: the
 * buckets stay private (Block Public Access on all of them), with no second public endpoint.
 */
export class AgregatsStack extends Stack {
  public readonly recalcul: TiFunction;
  public readonly surRapport: events.Rule;
  public readonly planifie: events.Rule;
  public readonly alarme: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AgregatsStackProps) {
    super(scope, id, props);

    this.recalcul = new TiFunction(this, functionId(RECALCUL.handler), {
      entry: handlerEntry(RECALCUL.handler),
      description: RECALCUL.description,
      // 100,000 laureates are read and summed in seconds (docs/benchmarks.md); the margin is DynamoDB's.
      timeout: Duration.minutes(5),
    });
    (this.recalcul.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = 1;
    this.recalcul.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1) });
    for (const [key, access] of Object.entries(RECALCUL.tables) as [TableKey, Access][]) {
      grantTable(this.recalcul, props.tables[key], access, key);
    }
    for (const [key, access] of Object.entries(RECALCUL.buckets) as [BucketKey, Access][]) {
      grantBucket(this.recalcul, props.buckets[key], access, key);
    }

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
        new targets.LambdaFunction(this.recalcul, { retryAttempts: 8, maxEventAge: Duration.hours(2) }),
      ],
    });

    this.planifie = new events.Rule(this, 'RecalculPlanifie', {
      description: 'Recalcul des agrégats : les changements des territoires et des fiches-action',
      schedule: events.Schedule.rate(props.periode ?? Duration.minutes(RECALCUL.periodeMinutes)),
      targets: [
        new targets.LambdaFunction(this.recalcul, { retryAttempts: 2, maxEventAge: Duration.minutes(30) }),
      ],
    });

    this.alarme = new cloudwatch.Alarm(this, 'RecalculEnEchec', {
      alarmDescription:
        'Un recalcul des agrégats a échoué (Lambda le reprend deux fois, le recalcul horaire rattrape) : ' +
        '/agregats et les données ouvertes peuvent dater',
      metric: this.recalcul.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
