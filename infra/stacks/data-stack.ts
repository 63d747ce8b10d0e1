import { type BucketDefinition, type BucketKey, buckets } from '@ti/platform/buckets';
import { type KeyAttribute, type TableDefinition, type TableKey, tables } from '@ti/platform/tables';
import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

export interface DataStackProps extends StackProps {
  /**
   * Id of the form source whose secret is generated at creation; other sources are added to the
   * same JSON (`{"<source id>": "<secret>"}`) by an operator. @default 'formulaire-ti'
   */
  readonly initialFormSource?: string;
}

const attribute = (key: KeyAttribute): dynamodb.Attribute => ({
  name: key.name,
  type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
});

const pascal = (key: string): string => key.charAt(0).toUpperCase() + key.slice(1);

/**
 * State and files: every table of `tables` and every bucket of `buckets` (packages/platform), and
 * the form sources' secret. Everything here holds programme data and is retained on deletion.
 */
export class DataStack extends Stack {
  public readonly tables: Record<TableKey, dynamodb.Table>;
  public readonly buckets: Record<BucketKey, s3.Bucket>;
  /** Server access logs of the data buckets. */
  public readonly accessLogsBucket: s3.Bucket;
  /** `{"<source id>": "<secret>"}`: HMAC keys of the external form sources. */
  public readonly formSourcesSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: DataStackProps = {}) {
    super(scope, id, props);

    this.tables = {} as Record<TableKey, dynamodb.Table>;
    for (const [key, definition] of Object.entries(tables) as [TableKey, TableDefinition][]) {
      const table = new dynamodb.Table(this, `${pascal(key)}Table`, {
        partitionKey: attribute(definition.partitionKey),
        sortKey: definition.sortKey ? attribute(definition.sortKey) : undefined,
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        // AWS managed key (aws/dynamodb): use of the key is logged in CloudTrail, without the cost
        // and key-policy upkeep of a customer managed key nor kms:* grants in every function role.
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        timeToLiveAttribute: definition.timeToLiveAttribute,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const index of definition.globalIndexes ?? []) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: attribute(index.partitionKey),
          sortKey: index.sortKey ? attribute(index.sortKey) : undefined,
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      this.tables[key] = table;
    }

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Server access logs can only be delivered to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the server-access-log destination; logging it into itself would loop.',
    });

    this.buckets = {} as Record<BucketKey, s3.Bucket>;
    for (const [key, definition] of Object.entries(buckets) as [BucketKey, BucketDefinition][]) {
      this.buckets[key] = new s3.Bucket(this, `${pascal(key)}Bucket`, {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        encryption: s3.BucketEncryption.S3_MANAGED,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned: definition.versioned,
        serverAccessLogsBucket: this.accessLogsBucket,
        serverAccessLogsPrefix: `${key}/`,
        lifecycleRules: [
          { abortIncompleteMultipartUploadAfter: Duration.days(1) },
          ...(definition.versioned ? [{ noncurrentVersionExpiration: Duration.days(365) }] : []),
          ...(definition.expirationDays ? [{ expiration: Duration.days(definition.expirationDays) }] : []),
        ],
        // External forms upload letters of intent straight to S3 with presigned PUT URLs, from
        // browsers on their own domains: the signature, not the origin, authorizes the upload.
        cors:
          key === 'pieces'
            ? [
                {
                  allowedMethods: [s3.HttpMethods.PUT],
                  allowedOrigins: ['*'],
                  allowedHeaders: ['*'],
                  exposedHeaders: ['ETag'],
                  maxAge: 3000,
                },
              ]
            : undefined,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      if (definition.eventBridge) {
        // Object events to EventBridge, where rules of other stacks trigger functions (no cross-stack
        // cycle). Set on the CloudFormation resource: the L2's `eventBridgeEnabled` deploys a custom
        // resource Lambda (an AWS managed policy, s3:PutBucketNotification on *) for the same setting.
        (this.buckets[key].node.defaultChild as s3.CfnBucket).notificationConfiguration = {
          eventBridgeConfiguration: { eventBridgeEnabled: true },
        };
      }
    }

    const initialFormSource = props.initialFormSource ?? 'formulaire-ti';
    this.formSourcesSecret = new secretsmanager.Secret(this, 'FormSourcesSecret', {
      description: 'HMAC-SHA256 keys of the form sources: {"<source id>": "<secret>"}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: initialFormSource,
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.formSourcesSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Keys shared with external form publishers: rotation is a coordinated manual change on both sides.',
    });
  }
}
