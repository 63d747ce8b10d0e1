import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A dead-letter queue: where the events of asynchronous invocations that failed all their attempts are
 * kept (14 days, encrypted, TLS only, retained on delete), so that nothing is dropped silently. Every
 * such queue has an alarm (observability stack) and a replay procedure (docs/operations.md).
 */
export function fileEchecs(scope: Construct, id: string, deQui: string): sqs.Queue {
  const file = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(file).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself the dead-letter destination of ${deQui}.`,
  });
  return file;
}
