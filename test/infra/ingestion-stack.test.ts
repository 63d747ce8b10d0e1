import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DUREE_INGESTION,
  ENVIRONNEMENT_INGESTION,
  MEMOIRE_INGESTION_MO,
} from '../../infra/stacks/ingestion-stack';
import { asArray, type Json, logicalId, producerLogicalId, type Synthesized, synthesize } from './synth';

let s: Synthesized;
let t: Template;
let r: Record<string, Json>;
/** The logical id of a construct of `stack` (its own: `logicalId`). */
const id = (_stack: Stack, c: IConstruct) => logicalId(c);

beforeAll(() => {
  s = synthesize();
  t = s.ingestionTemplate;
  r = t.toJSON().Resources;
});

/** The data-stack resource a cross-stack value points to, by the data stack's output name. */
const producteur = (valeur: Json) => producerLogicalId(s.dataTemplate, valeur);

/** `[resource the statement names, actions]` for each statement of a function role's policies. */
function droits(fonction: 'ingestion' | 'recuperation') {
  const fn = s.ingestion[fonction];
  const roleId = id(s.ingestion, fn.role as never);
  expect(r[roleId].Properties.ManagedPolicyArns ?? []).toEqual([]);
  const sortie: { cible: string; actions: string[] }[] = [];
  for (const p of Object.values(r).filter(
    (x: Json) => x.Type === 'AWS::IAM::Policy' && x.Properties.Roles.some((y: Json) => y.Ref === roleId),
  ) as Json[]) {
    for (const st of p.Properties.PolicyDocument.Statement) {
      for (const ressource of asArray<Json>(st.Resource)) {
        const locale = ressource?.['Fn::GetAtt']?.[0] ?? ressource?.Ref;
        const suffixe =
          ressource?.['Fn::Join']?.[1]?.filter((x: Json) => typeof x === 'string').join('') ?? '';
        const cible =
          ressource === '*' ? '*' : locale ? `local:${locale}` : `data:${producteur(ressource)}${suffixe}`;
        sortie.push({ cible, actions: asArray<string>(st.Action).sort() });
      }
    }
  }
  return sortie;
}

describe('ingestion stack', () => {
  it('la fonction d’ingestion : dimensionnée par le banc, une exécution à la fois, échecs vers la file', () => {
    const fn = r[id(s.ingestion, s.ingestion.ingestion)];
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: DUREE_INGESTION.toSeconds(),
      MemorySize: MEMOIRE_INGESTION_MO,
      ReservedConcurrentExecutions: 1,
      TracingConfig: { Mode: 'Active' },
    });
    expect(fn.Properties.Environment.Variables).toMatchObject(ENVIRONNEMENT_INGESTION);
    const file = id(s.ingestion, s.ingestion.echecs);
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [file, 'Arn'] } } },
    });
  });

  it('la règle EventBridge : objets créés sous exports/ du seau des lauréats, vers la fonction, avec file d’échec', () => {
    const regle = r[id(s.ingestion, s.ingestion.surExport)];
    expect(regle.Properties.EventPattern.source).toEqual(['aws.s3']);
    expect(regle.Properties.EventPattern['detail-type']).toEqual(['Object Created']);
    expect(regle.Properties.EventPattern.detail.object).toEqual({ key: [{ prefix: 'exports/' }] });
    expect(producteur(regle.Properties.EventPattern.detail.bucket.name)).toBe(
      id(s.data, s.data.buckets.laureats),
    );
    const [cible] = regle.Properties.Targets;
    expect(cible.Arn).toEqual({ 'Fn::GetAtt': [id(s.ingestion, s.ingestion.ingestion), 'Arn'] });
    expect(cible.DeadLetterConfig.Arn).toEqual({
      'Fn::GetAtt': [id(s.ingestion, s.ingestion.echecs), 'Arn'],
    });
  });

  it('le seau des lauréats : versionné, événements vers EventBridge sans ressource personnalisée', () => {
    const seau = s.dataTemplate.toJSON().Resources[id(s.data, s.data.buckets.laureats)];
    expect(seau.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(seau.Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
    for (const gabarit of [s.dataTemplate, t]) {
      gabarit.resourceCountIs('Custom::S3BucketNotifications', 0);
    }
  });

  it('moindre privilège : chaque fonction n’a que ses tables, son seau, sa file ou son secret', () => {
    const laureats = id(s.data, s.data.tables.laureats);
    const territoires = id(s.data, s.data.tables.territoires);
    const seau = id(s.data, s.data.buckets.laureats);
    const ingestion = droits('ingestion');
    const cibles = (d: typeof ingestion) => [...new Set(d.map((x) => x.cible))].sort();
    expect(cibles(ingestion.filter((x) => x.cible.startsWith('data:')))).toEqual(
      [
        `data:${laureats}`,
        `data:${laureats}/index/parRegion`,
        `data:${laureats}/index/parTerritoire`,
        `data:${seau}`,
        `data:${seau}/*`,
        `data:${territoires}`,
        `data:${territoires}/index/liste`,
      ].sort(),
    );
    const surTerritoires = ingestion
      .filter((x) => x.cible === `data:${territoires}`)
      .flatMap((x) => x.actions);
    for (const ecriture of [
      'dynamodb:BatchWriteItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ]) {
      expect(surTerritoires).not.toContain(ecriture);
    }
    expect(
      ingestion.find((x) => x.cible === `local:${id(s.ingestion, s.ingestion.echecs)}`)?.actions,
    ).toContain('sqs:SendMessage');
    expect(ingestion.some((x) => x.actions.some((a) => a.startsWith('secretsmanager:')))).toBe(false);
    for (const d of ingestion) for (const a of d.actions) expect(a).not.toContain('*');
    expect(ingestion.filter((x) => x.cible === '*').flatMap((x) => x.actions)).toEqual([
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);

    const recuperation = droits('recuperation');
    const secret = id(s.ingestion, s.ingestion.sourceBpifrance);
    expect(recuperation.find((x) => x.cible === `local:${secret}`)?.actions).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
    expect(cibles(recuperation.filter((x) => x.cible.startsWith('data:')))).toEqual(
      [
        `data:${laureats}`,
        `data:${laureats}/index/parRegion`,
        `data:${laureats}/index/parTerritoire`,
        `data:${seau}`,
        `data:${seau}/*`,
      ].sort(),
    );
    const variables = r[id(s.ingestion, s.ingestion.recuperation)].Properties.Environment.Variables;
    expect(variables.BPIFRANCE_SOURCE_SECRET_ARN).toEqual({ Ref: secret });
    expect(variables.TI_LOCAL_BPIFRANCE_DIR).toBeUndefined();
  });

  it('la récupération planifiée : chaque jour à 6 h (heure de Paris) par EventBridge Scheduler, avec file d’échec', () => {
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 6 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      Target: {
        Arn: { 'Fn::GetAtt': [id(s.ingestion, s.ingestion.recuperation), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id(s.ingestion, s.ingestion.echecs), 'Arn'] } },
      },
    });
  });

  it('la file d’échec est chiffrée, en TLS seulement, et surveillée par une alarme', () => {
    const file = r[id(s.ingestion, s.ingestion.echecs)];
    expect(file.Properties.SqsManagedSseEnabled).toBe(true);
    const politique = Object.values(r).find((x: Json) => x.Type === 'AWS::SQS::QueuePolicy') as Json;
    expect(JSON.stringify(politique.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    // The alarm lives with the others in the observability stack (test/infra/observabilite.test.ts).
    const alarmes = s.observabiliteTemplate.toJSON().Resources;
    const alarme = alarmes[id(s.observabilite, s.observabilite.alarmes.IngestionEnEchec as never)];
    expect(JSON.stringify(alarme.Properties.Dimensions)).toContain(id(s.ingestion, s.ingestion.echecs));
    expect(alarme.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});
