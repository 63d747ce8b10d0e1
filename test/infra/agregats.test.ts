import { recalculAgregats as RECALCUL } from '@ti/platform/agregats/recalcul';
import { declencheurs } from '@ti/platform/declencheurs';
import { routes } from '@ti/platform/routes';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Json,
  resourcesOfType,
  type Synthesized,
  synthesize,
  TABLE_MUTATIONS,
  TABLE_READ,
} from './synth';

/**
 * The aggregates' infrastructure: the recompute function, what runs it, what it may touch; the routes
 * that read the aggregates and serve the open data, public, over private buckets.
 */
let s: Synthesized;
let template: Template;
let resources: Record<string, Json>;

beforeAll(() => {
  s = synthesize();
  template = s.agregatsTemplate;
  resources = template.toJSON().Resources;
});

const ofType = (type: string) => resourcesOfType(resources, type);
const recalculId = () => s.agregats.getLogicalId(s.agregats.recalcul.node.defaultChild as never);

/** What it writes of its own table, beside TABLE_READ (which holds ConditionCheckItem). */
const TABLE_WRITE = TABLE_MUTATIONS;

describe('the recompute function', () => {
  it('exists once in the whole app', () => {
    const templates = [s.dataTemplate, s.apiTemplate, s.workflowTemplate, template];
    const fonctions = templates.flatMap((t) =>
      Object.values(t.toJSON().Resources as Record<string, Json>).filter(
        (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === RECALCUL.description,
      ),
    );
    expect(fonctions).toHaveLength(1);
  });

  it('nodejs24.x on arm64, 5 minutes, one run at a time, two retries of a failed asynchronous run', () => {
    const fn = resources[recalculId()];
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 300,
      ReservedConcurrentExecutions: 1,
      TracingConfig: { Mode: 'Active' },
    });
    const config = ofType('AWS::Lambda::EventInvokeConfig')[0]?.[1] as Json;
    expect(config.Properties).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
  });

  it('its environment names exactly the tables and bucket of its definition', () => {
    const vars = Object.keys(resources[recalculId()].Properties.Environment.Variables).filter((v) =>
      /^(TABLE|BUCKET)_/.test(v),
    );
    expect(vars.sort()).toEqual(
      [
        'TABLE_AGREGATS',
        'TABLE_LAUREATS',
        'TABLE_TERRITOIRES',
        'TABLE_FICHESACTION',
        'BUCKET_OPENDATA',
      ].sort(),
    );
  });

  it('least privilege: writes its own table and open-data objects, only reads the others, deletes no object', () => {
    const role = resources[recalculId()].Properties.Role['Fn::GetAtt'][0];
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === role))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
    const parSid = Object.fromEntries(
      statements.filter((st) => st.Sid).map((st) => [st.Sid, [...[st.Action].flat()].sort()]),
    );
    expect(parSid).toEqual({
      TableAgregatsReadwrite: [...new Set([...TABLE_READ, ...TABLE_WRITE])].sort(),
      TableLaureatsRead: TABLE_READ,
      TableLaureatsIndexes: ['dynamodb:Query', 'dynamodb:Scan'],
      TableTerritoiresRead: TABLE_READ,
      TableTerritoiresIndexes: ['dynamodb:Query', 'dynamodb:Scan'],
      TableFichesActionRead: TABLE_READ,
      TableFichesActionIndexes: ['dynamodb:Query', 'dynamodb:Scan'],
      BucketOpendataReadwrite: [
        's3:AbortMultipartUpload',
        's3:GetObject',
        's3:GetObjectVersion',
        's3:PutObject',
      ],
      BucketOpendataList: ['s3:ListBucket'],
    });
    expect(statements.flatMap((st) => [st.Action].flat())).not.toContain('s3:DeleteObject');
  });
});

describe('what runs it', () => {
  it('the report of each ended import in the laureates bucket (EventBridge), not the rejected rows file', () => {
    const regles = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.EventPattern);
    expect(regles).toHaveLength(1);
    const regle = regles[0]?.[1] as Json;
    const motif = regle.Properties.EventPattern;
    expect(motif.source).toEqual(['aws.s3']);
    expect(motif['detail-type']).toEqual(['Object Created']);
    expect(motif.detail.object.key).toEqual([{ wildcard: 'rapports/*/rapport.json' }]);
    expect(JSON.stringify(motif.detail.bucket.name)).toContain('LaureatsBucket');
    expect(regle.Properties.Targets).toHaveLength(1);
    expect(regle.Properties.Targets[0].Arn['Fn::GetAtt'][0]).toBe(recalculId());
    expect(regle.Properties.Targets[0].RetryPolicy).toMatchObject({ MaximumRetryAttempts: 8 });
  });

  it('the laureates bucket sends its object events to EventBridge (the rule sees nothing otherwise)', () => {
    const data = s.dataTemplate.toJSON().Resources as Record<string, Json>;
    const id = s.data.getLogicalId(s.data.buckets.laureats.node.defaultChild as never);
    expect(data[id].Properties.NotificationConfiguration?.EventBridgeConfiguration).toEqual({
      EventBridgeEnabled: true,
    });
  });

  it('an hourly rule (the territories’ and fiches-action’s changes reach the aggregates within the hour)', () => {
    const planifiees = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression);
    expect(planifiees.map(([, r]) => r.Properties.ScheduleExpression)).toEqual(['rate(1 hour)']);
    expect(planifiees[0]?.[1].Properties.Targets[0].Arn['Fn::GetAtt'][0]).toBe(recalculId());
  });

  it('EventBridge may invoke it (resource policy), for these two rules only', () => {
    const permissions = ofType('AWS::Lambda::Permission').map(([, p]) => p.Properties);
    expect(permissions).toHaveLength(2);
    for (const p of permissions) {
      expect(p).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' });
      expect(p.SourceArn['Fn::GetAtt'][1]).toBe('Arn');
    }
  });

  it('its failures raise an alarm, and a run given up lands in its dead-letter queue, under an alarm', () => {
    // The alarms live with the others in the observability stack (test/infra/observabilite.test.ts).
    const obs = s.observabiliteTemplate.toJSON().Resources as Record<string, Json>;
    const alarme = (nom: string) =>
      obs[s.observabilite.getLogicalId(s.observabilite.alarmes[nom]?.node.defaultChild as never)];
    expect(alarme('RecalculEnEchec').Properties).toMatchObject({
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Threshold: 1,
    });
    expect(alarme('RecalculAbandonne').Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
    });
    const file = s.agregats.getLogicalId(s.agregats.echecs.node.defaultChild as never);
    const config = ofType('AWS::Lambda::EventInvokeConfig')[0]?.[1] as Json;
    expect(config.Properties.DestinationConfig.OnFailure.Destination).toEqual({
      'Fn::GetAtt': [file, 'Arn'],
    });
    for (const [, regle] of ofType('AWS::Events::Rule')) {
      expect(regle.Properties.Targets[0].DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [file, 'Arn'] });
    }
  });

  it('its own definition, not one of the ingestion’s `declencheurs` (its own queue, its own schedule)', () => {
    expect(RECALCUL).toMatchObject({
      handler: 'agregats/recalculer',
      bucket: 'laureats',
      motif: 'rapports/*/rapport.json',
    });
    expect(declencheurs.map((d) => d.handler as string)).not.toContain(RECALCUL.handler);
  });
});

describe('reading the aggregates and the open data', () => {
  const api = () => s.apiTemplate.toJSON().Resources as Record<string, Json>;
  const chemins = [
    '/agregats',
    '/agregats/regions/{code}',
    '/agregats/territoires/{id}',
    '/open-data/agregats/{fichier}',
  ];

  it('the four routes are public GETs (no authorizer), as the HTTP contract says', () => {
    for (const chemin of chemins) {
      const route = routes.find((r) => r.path === chemin);
      expect(route, chemin).toMatchObject({ method: 'GET', auth: 'public' });
    }
    const methodes = Object.values(api()).filter((r) => r.Type === 'AWS::ApiGateway::Method');
    const publiques = methodes.filter(
      (m) => m.Properties.AuthorizationType === 'NONE' && m.Properties.HttpMethod === 'GET',
    );
    expect(publiques.length).toBeGreaterThanOrEqual(chemins.length + 2);
  });

  it('the open-data bucket stays private: Block Public Access on, no statement for everyone', () => {
    const data = s.dataTemplate.toJSON().Resources as Record<string, Json>;
    const id = s.data.getLogicalId(s.data.buckets.opendata.node.defaultChild as never);
    expect(data[id].Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const politiques = Object.values(data).filter(
      (r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === id,
    );
    for (const p of politiques) {
      for (const st of p.Properties.PolicyDocument.Statement as Json[]) {
        if (st.Effect === 'Allow') expect(st.Principal).not.toEqual({ AWS: '*' });
      }
    }
  });
});
