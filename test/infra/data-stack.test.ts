import { type BucketKey, buckets } from '@ti/platform/buckets';
import { type TableDefinition, type TableKey, tables } from '@ti/platform/tables';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Json, logicalId, type Synthesized, synthesize } from './synth';

let s: Synthesized;
let resources: Record<string, Json>;

beforeAll(() => {
  s = synthesize();
  resources = s.dataTemplate.toJSON().Resources;
});

describe('DynamoDB tables', () => {
  it('creates exactly the tables of packages/platform/src/tables.ts', () => {
    s.dataTemplate.resourceCountIs('AWS::DynamoDB::Table', Object.keys(tables).length);
    expect(Object.keys(s.data.tables).sort()).toEqual(Object.keys(tables).sort());
  });

  for (const [key, definition] of Object.entries(tables) as [TableKey, TableDefinition][]) {
    describe(key, () => {
      const table = () => resources[logicalId(s.data.tables[key])];

      it('is on-demand, with point-in-time recovery, deletion protection, encryption, and retained', () => {
        const t = table();
        expect(t.Type).toBe('AWS::DynamoDB::Table');
        expect(t.DeletionPolicy).toBe('Retain');
        expect(t.Properties.BillingMode).toBe('PAY_PER_REQUEST');
        expect(t.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
        expect(t.Properties.DeletionProtectionEnabled).toBe(true);
        // SSEEnabled true without a key: KMS with the AWS managed key aws/dynamodb.
        expect(t.Properties.SSESpecification).toEqual({ SSEEnabled: true });
      });

      it('has the keys of its definition', () => {
        const expected = [
          { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
          ...(definition.sortKey ? [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' }] : []),
        ];
        expect(table().Properties.KeySchema).toEqual(expected);
      });

      it('has exactly the global secondary indexes of its definition', () => {
        const expected = (definition.globalIndexes ?? []).map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
            ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' }] : []),
          ],
          Projection: { ProjectionType: 'ALL' },
        }));
        expect(table().Properties.GlobalSecondaryIndexes ?? []).toEqual(expected);
      });

      it('declares the key attributes with their types, and nothing else', () => {
        const keys = [
          definition.partitionKey,
          definition.sortKey,
          ...(definition.globalIndexes ?? []).flatMap((index) => [index.partitionKey, index.sortKey]),
        ].filter((k) => k !== undefined);
        const expected = new Map(keys.map((k) => [k.name, k.type]));
        const actual = new Map(
          (table().Properties.AttributeDefinitions as Json[]).map((a) => [a.AttributeName, a.AttributeType]),
        );
        expect(actual).toEqual(expected);
      });

      it(definition.timeToLiveAttribute ? 'expires items on its TTL attribute' : 'has no TTL', () => {
        const ttl = table().Properties.TimeToLiveSpecification;
        if (definition.timeToLiveAttribute) {
          expect(ttl).toEqual({ AttributeName: definition.timeToLiveAttribute, Enabled: true });
        } else {
          expect(ttl).toBeUndefined();
        }
      });
    });
  }
});

describe('S3 buckets', () => {
  it('creates the buckets of packages/platform/src/buckets.ts plus the access-log bucket', () => {
    expect(Object.keys(s.data.buckets).sort()).toEqual(Object.keys(buckets).sort());
    s.dataTemplate.resourceCountIs('AWS::S3::Bucket', Object.keys(buckets).length + 1);
  });

  it('blocks public access, encrypts and retains every bucket', () => {
    const all = s.dataTemplate.findResources('AWS::S3::Bucket');
    for (const bucket of Object.values(all) as Json[]) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      expect(bucket.Properties.OwnershipControls).toEqual({
        Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
      });
    }
  });

  it('denies every request that is not over TLS, on every bucket and its objects', () => {
    const policies = Object.values(s.dataTemplate.findResources('AWS::S3::BucketPolicy')) as Json[];
    for (const id of Object.keys(s.dataTemplate.findResources('AWS::S3::Bucket'))) {
      const policy = policies.find((p) => p.Properties.Bucket?.Ref === id);
      expect(policy, `bucket policy of ${id}`).toBeDefined();
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual({
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: [
          { 'Fn::GetAtt': [id, 'Arn'] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/*']] },
        ],
      });
    }
  });

  for (const [key, definition] of Object.entries(buckets) as [BucketKey, { versioned: boolean }][]) {
    it(`${key}: versioning as defined, server access logs to the log bucket`, () => {
      const bucket = resources[logicalId(s.data.buckets[key])];
      expect(bucket.Properties.VersioningConfiguration?.Status === 'Enabled').toBe(definition.versioned);
      expect(bucket.Properties.LoggingConfiguration).toEqual({
        DestinationBucketName: { Ref: logicalId(s.data.accessLogsBucket) },
        LogFilePrefix: `${key}/`,
      });
    });
  }

  it('pieces: lets browsers on any origin PUT through presigned URLs (and nothing else)', () => {
    const bucket = resources[logicalId(s.data.buckets.pieces)];
    expect(bucket.Properties.CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({ AllowedMethods: ['PUT'], AllowedOrigins: ['*'] }),
    ]);
  });
});

describe('form sources secret', () => {
  it('is generated as {"<source id>": "<secret>"}, never written in the template', () => {
    const secret = resources[logicalId(s.data.formSourcesSecret)];
    expect(secret.Type).toBe('AWS::SecretsManager::Secret');
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(secret.Properties.GenerateSecretString).toMatchObject({
      SecretStringTemplate: '{}',
      GenerateStringKey: expect.any(String),
      PasswordLength: 64,
    });
    expect(secret.DeletionPolicy).toBe('Retain');
  });
});
