import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MOTIFS_REFUS } from '@ti/platform/metriques';
import { routes as definedRoutes, type Route } from '@ti/platform/routes';
import { type CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app';
import { repoRoot } from '../../infra/constructs/bundling';
import { TiFunction } from '../../infra/constructs/ti-function';
import { acknowledgedRules, asArray, type Json, logicalId, type Synthesized, synthesize } from './synth';

/** The routes, widened to `Route` (the definitions are `as const`). */
const routes: readonly Route[] = definedRoutes;

/**
 * The operators' view, read from the synthesized templates: the dashboard's body, the alarms and where
 * they go, the probe. What must be watched is found here independently of the observability stack (every
 * route of routes.ts, every function and queue of the app), so that a new one left off the dashboard or
 * without an alarm fails.
 */
let s: Synthesized;
let obs: Record<string, Json>;
let templates: Map<string, Json>;
let tableau: { widgets: Json[] };
let jetons: Map<string, Json>;

/** `<stack name>/<logical id>`: how a resource is named below, whatever stack refers to it. */
const nom = (c: IConstruct): string => `${Stack.of(c).stackName}/${logicalId(c)}`;

/** The resource a value designates: a reference in the observability stack, or another stack's output. */
function cible(valeur: Json): string | undefined {
  if (typeof valeur === 'string') return jetons.has(valeur) ? cible(jetons.get(valeur)) : undefined;
  if (!valeur || typeof valeur !== 'object') return undefined;
  // `<ARN>/index/<name>`: the referenced resource, then the literal suffix.
  const join = valeur['Fn::Join']?.[1] as Json[] | undefined;
  if (join) {
    const ref = join.find((part) => typeof part !== 'string');
    const suffixe = join.slice(join.indexOf(ref) + 1).filter((part) => typeof part === 'string');
    return ref ? `${cible(ref)}${suffixe.join('')}` : undefined;
  }
  const sortie = valeur['Fn::GetStackOutput'];
  if (sortie) {
    const v = templates.get(sortie.StackName)?.Outputs?.[sortie.OutputName]?.Value;
    return `${sortie.StackName}/${v?.Ref ?? v?.['Fn::GetAtt']?.[0]}`;
  }
  const local = valeur.Ref ?? valeur['Fn::GetAtt']?.[0];
  return local ? `${s.observabilite.stackName}/${local}` : undefined;
}

interface MetriqueTableau {
  namespace: string;
  name: string;
  dimensions: Record<string, Json>;
  options: Json;
  widget: string;
}

/** Every metric of every widget, in the dashboard body's `[namespace, name, dim, value, …, options]` form. */
function metriquesDuTableau(): MetriqueTableau[] {
  const out: MetriqueTableau[] = [];
  for (const widget of tableau.widgets) {
    for (const ligne of (widget.properties.metrics ?? []) as Json[][]) {
      if (typeof ligne[0] !== 'string') continue; // a math expression: its metrics are the next rows
      const [namespace, name, ...reste] = ligne as [string, string, ...Json[]];
      const options = typeof reste[reste.length - 1] === 'object' ? reste.pop() : {};
      const dimensions: Record<string, Json> = {};
      for (let i = 0; i < reste.length; i += 2) dimensions[reste[i]] = reste[i + 1];
      out.push({ namespace, name, dimensions, options, widget: widget.properties.title });
    }
  }
  return out;
}

const alarme = (id: string): Json => {
  const a = s.observabilite.alarmes[id];
  if (!a) throw new Error(`no alarm ${id}`);
  return obs[logicalId(a)].Properties;
};

beforeAll(() => {
  s = synthesize();
  templates = new Map();
  for (const [stack, template] of s.templates) templates.set(stack.stackName, template.toJSON());
  obs = templates.get(s.observabilite.stackName).Resources;

  // The body is an Fn::Join of JSON text and references: each reference becomes a placeholder.
  const [corps] = Object.values(obs).filter((r: Json) => r.Type === 'AWS::CloudWatch::Dashboard') as Json[];
  jetons = new Map();
  const parIntrinseque = new Map<string, string>();
  const texte = (corps.Properties.DashboardBody['Fn::Join'][1] as Json[])
    .map((part) => {
      if (typeof part === 'string') return part;
      const cle = JSON.stringify(part);
      if (!parIntrinseque.has(cle)) {
        const jeton = `<ref ${parIntrinseque.size}>`;
        parIntrinseque.set(cle, jeton);
        jetons.set(jeton, part);
      }
      return parIntrinseque.get(cle);
    })
    .join('');
  tableau = JSON.parse(texte);
});

describe('the dashboard', () => {
  it('is named TerritoiresIndustrie and opens on the state of every alarm', () => {
    const [corps] = Object.values(obs).filter((r: Json) => r.Type === 'AWS::CloudWatch::Dashboard') as Json[];
    expect(corps.Properties.DashboardName).toBe('TerritoiresIndustrie');
    const premier = tableau.widgets.find((w) => w.type !== 'text');
    expect(premier.type).toBe('alarm');
    const montrees = (premier.properties.alarms as string[]).map(cible).sort();
    const toutes = Object.entries(obs)
      .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
      .map(([id]) => `${s.observabilite.stackName}/${id}`)
      .sort();
    expect(toutes.length).toBeGreaterThanOrEqual(10);
    expect(montrees).toEqual(toutes);
  });

  it('each row has a text header saying what it answers', () => {
    const titres = tableau.widgets
      .filter((w) => w.type === 'text')
      .map((w) => /^## (.+)$/m.exec(w.properties.markdown)?.[1]);
    for (const attendu of [
      'API',
      'Fonctions',
      'Imports des lauréats',
      "Files d'échec",
      'Agrégats',
      'Activité',
    ]) {
      expect(titres).toContain(attendu);
    }
    expect(titres.some((t) => t?.startsWith('Calendrier'))).toBe(true);
  });

  it('every route of routes.ts: requests, 4xx, 5xx and p99 latency, by its method and resource', () => {
    const api = metriquesDuTableau().filter((m) => m.namespace === 'AWS/ApiGateway' && m.dimensions.Method);
    const stage = logicalId(s.api.api.deploymentStage);
    for (const route of routes) {
      const deLaRoute = api.filter(
        (m) =>
          m.dimensions.ApiName === s.api.api.restApiName &&
          m.dimensions.Method === route.method &&
          m.dimensions.Resource === route.path &&
          cible(m.dimensions.Stage) === `${s.api.stackName}/${stage}`,
      );
      const vues = deLaRoute.map((m) => `${m.name}:${m.options.stat}`);
      for (const attendu of ['Count:Sum', '4XXError:Sum', '5XXError:Sum', 'Latency:p99']) {
        expect(vues, `${route.method} ${route.path}`).toContain(attendu);
      }
    }
    // Nothing but the routes: a route removed from routes.ts leaves no dead series behind.
    const chemins = new Set(api.map((m) => `${m.dimensions.Method} ${m.dimensions.Resource}`));
    expect([...chemins].sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('every Lambda function of the app: errors, throttles and p99 duration', () => {
    const fonctions = s.app.node.findAll().filter((c): c is TiFunction => c instanceof TiFunction);
    expect(fonctions.length).toBeGreaterThan(routes.length);
    const lambda = metriquesDuTableau().filter((m) => m.namespace === 'AWS/Lambda');
    for (const fn of fonctions) {
      const vues = lambda
        .filter((m) => cible(m.dimensions.FunctionName) === nom(fn))
        .map((m) => `${m.name}:${m.options.stat}`);
      expect(vues, fn.node.path).toEqual(
        expect.arrayContaining(['Errors:Sum', 'Throttles:Sum', 'Duration:p99']),
      );
    }
    const lambdas = [...templates.values()].flatMap((t) =>
      Object.values(t.Resources as Record<string, Json>).filter((r) => r.Type === 'AWS::Lambda::Function'),
    );
    expect(lambdas).toHaveLength(fonctions.length); // no function outside TiFunction escapes the check
  });

  it('every queue of the app (all dead-letter queues): its depth', () => {
    const files = [...templates.entries()].flatMap(([pile, t]) =>
      Object.entries(t.Resources as Record<string, Json>)
        .filter(([, r]) => r.Type === 'AWS::SQS::Queue')
        .map(([id]) => `${pile}/${id}`),
    );
    expect(files.sort()).toEqual(
      [s.ingestion.echecs, s.agregats.echecs, s.workflow.echecsReprise].map((q) => nom(q)).sort(),
    );
    const profondeurs = metriquesDuTableau()
      .filter((m) => m.namespace === 'AWS/SQS' && m.name === 'ApproximateNumberOfMessagesVisible')
      .map((m) => cible(m.dimensions.QueueName));
    for (const file of files) expect(profondeurs).toContain(file);
  });

  it('the calendar: executions started, succeeded, failed, timed out', () => {
    const machine = nom(s.workflow.stateMachine);
    const vues = metriquesDuTableau()
      .filter((m) => m.namespace === 'AWS/States' && cible(m.dimensions.StateMachineArn) === machine)
      .map((m) => m.name);
    expect(vues).toEqual(
      expect.arrayContaining([
        'ExecutionsStarted',
        'ExecutionsSucceeded',
        'ExecutionsFailed',
        'ExecutionsTimedOut',
      ]),
    );
  });

  it('the age of the last import and of the aggregates, in hours, from the probe', () => {
    for (const [metrique, titre] of [
      ['AgeDernierImport', 'Dernier import terminé'],
      ['AgeAgregats', 'Données des agrégats'],
    ]) {
      const widget = tableau.widgets.find((w) => w.properties.title === titre);
      expect(widget?.type, metrique).toBe('metric');
      expect(widget.properties.view).toBe('singleValue');
      const [expression, source] = widget.properties.metrics;
      expect(expression[0].expression).toBe('age / 3600');
      expect(source.slice(0, 4)).toEqual([
        'TerritoiresIndustrie',
        metrique,
        'service',
        'territoires-industrie',
      ]);
      expect(source[4]).toMatchObject({ id: 'age', visible: false });
    }
  });

  it('the business metrics: imported rows by outcome, refusals by every motif, aggregates recomputed', () => {
    const metier = metriquesDuTableau().filter((m) => m.namespace === 'TerritoiresIndustrie');
    for (const m of metier) expect(m.dimensions.service).toBe('territoires-industrie');
    const noms = new Set(metier.map((m) => m.name));
    for (const attendu of [
      'ImportLignesNouvelles',
      'ImportLignesMisesAJour',
      'ImportLignesInchangees',
      'ImportLignesRejetees',
      'ImportDuree',
      'AgregatsRecalcules',
      'AgregatsRecalculDuree',
      'CandidaturesRecues',
      'CandidaturesAcceptees',
      'FichesActionDeposees',
      'FichesActionInstruites',
      'PhasesCampagne',
    ]) {
      expect(noms, attendu).toContain(attendu);
    }
    const motifs = metier.filter((m) => m.name === 'CandidaturesRefusees').map((m) => m.dimensions.Motif);
    expect(motifs.sort()).toEqual([...MOTIFS_REFUS].sort());
  });
});

describe('the alarms', () => {
  const sujet = () => ({ Ref: logicalId(s.observabilite.sujet) });

  it('each goes to the topic when it goes off and when it is over, named, with its runbook', () => {
    const alarmes = Object.entries(obs).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarmes.length).toBe(Object.keys(s.observabilite.alarmes).length);
    for (const [id, nomAlarme] of Object.entries(s.observabilite.alarmes).map(([k, a]) => [k, a] as const)) {
      const p = obs[logicalId(nomAlarme)].Properties;
      expect(p.AlarmActions, id).toEqual([sujet()]);
      expect(p.OKActions, id).toEqual([sujet()]);
      expect(p.AlarmName).toBe(`TerritoiresIndustrie-${id}`);
      expect(p.AlarmDescription).toContain(`docs/operations.md#${id.toLowerCase()}`);
    }
    // The other stacks keep no alarm of their own: one definition each, all to the topic.
    for (const [pile, t] of templates) {
      if (pile === s.observabilite.stackName) continue;
      const autres = Object.values(t.Resources as Record<string, Json>).filter(
        (r) => r.Type === 'AWS::CloudWatch::Alarm',
      );
      expect(autres, pile).toEqual([]);
    }
  });

  it('docs/operations.md has a runbook section for every alarm', () => {
    const doc = readFileSync(join(repoRoot, 'docs/operations.md'), 'utf8');
    const sections = new Set([...doc.matchAll(/^### (\w+)\s*$/gm)].map((m) => m[1]));
    for (const id of Object.keys(s.observabilite.alarmes)) expect(sections, id).toContain(id);
  });

  it('API: more than 1 % of 5xx over 5 minutes, counted over at least 200 requests', () => {
    const p = alarme('ApiErreursServeur');
    expect(p).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    const [expression, ...metriques] = p.Metrics as Json[];
    expect(expression.Expression).toBe('100 * e / IF(n > 200, n, 200)');
    const parId = Object.fromEntries(metriques.map((m) => [m.Id, m.MetricStat]));
    expect(parId.e.Metric.MetricName).toBe('5XXError');
    expect(parId.n.Metric.MetricName).toBe('Count');
    for (const m of [parId.e, parId.n]) {
      expect(m).toMatchObject({ Period: 300, Stat: 'Sum' });
      expect(m.Metric.Namespace).toBe('AWS/ApiGateway');
      const dims = Object.fromEntries(m.Metric.Dimensions.map((d: Json) => [d.Name, d.Value]));
      expect(dims.ApiName).toBe(s.api.api.restApiName);
      expect(cible(dims.Stage)).toBe(nom(s.api.api.deploymentStage));
    }
  });

  it('any message in any dead-letter queue', () => {
    const parFile = new Map<string, Json>();
    for (const [, r] of Object.entries(obs).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')) {
      const p = r.Properties;
      if (p.MetricName !== 'ApproximateNumberOfMessagesVisible') continue;
      parFile.set(cible(p.Dimensions[0].Value) as string, p);
    }
    for (const file of [s.ingestion.echecs, s.agregats.echecs, s.workflow.echecsReprise]) {
      expect(parFile.get(nom(file)), nom(file)).toMatchObject({
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('calendar: an execution failed, an execution timed out', () => {
    for (const [id, metrique] of [
      ['CalendrierEnEchec', 'ExecutionsFailed'],
      ['CalendrierExpire', 'ExecutionsTimedOut'],
    ]) {
      const p = alarme(id as string);
      expect(p).toMatchObject({
        Namespace: 'AWS/States',
        MetricName: metrique,
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(cible(p.Dimensions[0].Value)).toBe(nom(s.workflow.stateMachine));
    }
  });

  it('no successful import for longer than the daily schedule allows (26 hours), missing data breaching', () => {
    const p = alarme('ImportAbsent');
    expect(p).toMatchObject({
      Namespace: 'TerritoiresIndustrie',
      MetricName: 'ImportsTermines',
      Dimensions: [{ Name: 'service', Value: 'territoires-industrie' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(p.Period * p.EvaluationPeriods).toBe(26 * 3600);
    expect(p.DatapointsToAlarm).toBe(p.EvaluationPeriods);
  });

  it('a sudden share of rejected rows (over 20 % of an hour’s rows), and a file refused whole', () => {
    const p = alarme('ImportRejetsEleves');
    expect(p).toMatchObject({ Threshold: 20, ComparisonOperator: 'GreaterThanThreshold' });
    const [expression, ...metriques] = p.Metrics as Json[];
    expect(expression.Expression).toMatch(/^100 \* FILL\(r, 0\) \/ /);
    expect(Object.fromEntries(metriques.map((m) => [m.Id, m.MetricStat.Metric.MetricName]))).toEqual({
      n: 'ImportLignesNouvelles',
      m: 'ImportLignesMisesAJour',
      i: 'ImportLignesInchangees',
      r: 'ImportLignesRejetees',
    });
    for (const id of ['n', 'm', 'i', 'r']) expect(expression.Expression).toContain(`FILL(${id}, 0)`);
    expect(alarme('ImportRefuse')).toMatchObject({
      MetricName: 'ImportsRejetes',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('aggregates: no recompute for two hours (missing data breaching), a recompute failed', () => {
    const p = alarme('AgregatsPerimes');
    expect(p).toMatchObject({
      MetricName: 'AgregatsRecalcules',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    expect(p.Period * p.DatapointsToAlarm).toBe(2 * 3600);
    const echec = alarme('RecalculEnEchec');
    expect(echec).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Threshold: 1 });
    expect(cible(echec.Dimensions[0].Value)).toBe(nom(s.agregats.recalcul));
  });

  it('the probe: no successful run for 15 minutes (failing or not run at all)', () => {
    const p = alarme('SondeMuette');
    expect(p).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'breaching',
    });
    const [expression, ...metriques] = p.Metrics as Json[];
    expect(expression.Expression).toBe('FILL(n, 0) - FILL(e, 0)');
    const parId = Object.fromEntries(metriques.map((m) => [m.Id, m.MetricStat]));
    expect(parId.n.Metric.MetricName).toBe('Invocations');
    expect(parId.e.Metric.MetricName).toBe('Errors');
    for (const m of [parId.n, parId.e]) {
      expect(m).toMatchObject({ Period: 300, Stat: 'Sum' });
      expect(m.Metric.Dimensions[0].Value).toEqual({ Ref: logicalId(s.observabilite.sonde) });
    }
  });

  it('thresholds and recipients are deployment choices (CDK context), checked at synthesis', () => {
    const app = buildApp({
      'aws:cdk:bundling-stacks': [],
      emailAlertes: 'ops@example.fr, astreinte@example.fr',
      alerteImportHeures: '72',
      alerteRejetsPourcent: '35',
    });
    const t = Template.fromStack(app.observabilite);
    const p = (id: string) =>
      t.toJSON().Resources[
        app.observabilite.getLogicalId(app.observabilite.alarmes[id]?.node.defaultChild as CfnResource)
      ].Properties;
    expect(p('ImportAbsent').EvaluationPeriods * p('ImportAbsent').Period).toBe(72 * 3600);
    expect(p('ImportRejetsEleves').Threshold).toBe(35);
    const abonnements = Object.values(t.findResources('AWS::SNS::Subscription')) as Json[];
    expect(abonnements.map((a) => [a.Properties.Protocol, a.Properties.Endpoint]).sort()).toEqual([
      ['email', 'astreinte@example.fr'],
      ['email', 'ops@example.fr'],
    ]);
    for (const a of abonnements) {
      expect(a.Properties.TopicArn).toEqual({
        Ref: app.observabilite.getLogicalId(app.observabilite.sujet.node.defaultChild as CfnResource),
      });
    }

    expect(() => buildApp({ 'aws:cdk:bundling-stacks': [], emailAlertes: 'pas-une-adresse' })).toThrow(
      /emailAlertes/,
    );
    expect(() => buildApp({ 'aws:cdk:bundling-stacks': [], alerteImportHeures: '500' })).toThrow(/168/);
  });
});

describe('the topic', () => {
  it('no e-mail subscription unless the deployment names one', () => {
    expect(Object.values(obs).filter((r: Json) => r.Type === 'AWS::SNS::Subscription')).toEqual([]);
  });

  it('encrypted with a rotated key of ours that CloudWatch may use for these alarms only', () => {
    const cle = obs[logicalId(s.observabilite.cle)].Properties;
    expect(cle.EnableKeyRotation).toBe(true);
    const sujet = obs[logicalId(s.observabilite.sujet)].Properties;
    expect(sujet.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [logicalId(s.observabilite.cle), 'Arn'] });
    const pourCloudWatch = (cle.KeyPolicy.Statement as Json[]).filter(
      (st) => st.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    expect(pourCloudWatch).toHaveLength(1);
    expect(pourCloudWatch[0].Action.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(JSON.stringify(pourCloudWatch[0].Condition)).toContain(':alarm:TerritoiresIndustrie-*');
    expect(pourCloudWatch[0].Condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
  });

  it('TLS only; CloudWatch may publish, for these alarms only', () => {
    const [politique] = Object.values(obs).filter((r: Json) => r.Type === 'AWS::SNS::TopicPolicy') as Json[];
    const statements = politique.Properties.PolicyDocument.Statement as Json[];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const allow = statements.filter((st) => st.Effect === 'Allow');
    expect(allow).toHaveLength(1);
    expect(allow[0]).toMatchObject({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
    });
    expect(JSON.stringify(allow[0].Condition)).toContain(':alarm:TerritoiresIndustrie-*');
  });
});

describe('the probe', () => {
  const sondeId = () => logicalId(s.observabilite.sonde);

  it('runs every 5 minutes (EventBridge), nodejs24.x on arm64, not retried once stale', () => {
    const regles = Object.values(obs).filter((r: Json) => r.Type === 'AWS::Events::Rule') as Json[];
    expect(regles).toHaveLength(1);
    expect(regles[0].Properties.ScheduleExpression).toBe('rate(5 minutes)');
    expect(regles[0].Properties.Targets.map((t: Json) => t.Arn)).toEqual([
      { 'Fn::GetAtt': [sondeId(), 'Arn'] },
    ]);
    expect(obs[sondeId()].Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: expect.any(String),
    });
    const [config] = Object.values(obs).filter(
      (r: Json) => r.Type === 'AWS::Lambda::EventInvokeConfig',
    ) as Json[];
    expect(config.Properties).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 });
  });

  it('reads the laureats and agregats tables (and their indexes), and writes nothing', () => {
    const variables = obs[sondeId()].Properties.Environment.Variables;
    expect(
      Object.keys(variables)
        .filter((v) => /^(TABLE|BUCKET)_/.test(v))
        .sort(),
    ).toEqual(['TABLE_AGREGATS', 'TABLE_LAUREATS']);
    const role = obs[sondeId()].Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(obs)
      .filter(
        (r: Json) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: Json) => x.Ref === role),
      )
      .flatMap((p: Json) => p.Properties.PolicyDocument.Statement as Json[]);
    const actions = statements.flatMap((st) => asArray<string>(st.Action));
    for (const action of actions) {
      expect(action).not.toContain('*');
      expect(action).not.toMatch(/^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/);
      expect(action).not.toMatch(/^(s3|sqs|sns|secretsmanager|states):/);
    }
    const surDynamo = statements.filter((st) =>
      asArray<string>(st.Action).some((a) => a.startsWith('dynamodb:')),
    );
    const ressources = new Set(surDynamo.flatMap((st) => asArray<Json>(st.Resource)).map((r) => cible(r)));
    const tables = [nom(s.data.tables.agregats), nom(s.data.tables.laureats)];
    expect([...ressources].filter((r) => !r?.includes('/index/')).sort()).toEqual(tables.sort());
    for (const r of ressources)
      expect(
        tables.some((t) => r?.startsWith(t)),
        r,
      ).toBe(true);
    // "*" only for X-Ray (no resource-level permission).
    for (const st of statements.filter((x) => asArray(x.Resource).includes('*'))) {
      expect(asArray<string>(st.Action).sort()).toEqual([
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    }
  });
});

describe('nothing is dropped silently', () => {
  it('every function run by a rule or a schedule (but the probe) has an on-failure destination, every target a dead-letter queue', () => {
    const sonde = nom(s.observabilite.sonde);
    for (const [pile, t] of templates) {
      const resources = t.Resources as Record<string, Json>;
      const cibles: { fn: Json; dlq: Json }[] = [];
      for (const r of Object.values(resources)) {
        if (r.Type === 'AWS::Events::Rule') {
          for (const target of r.Properties.Targets)
            cibles.push({ fn: target.Arn, dlq: target.DeadLetterConfig });
        }
        if (r.Type === 'AWS::Scheduler::Schedule') {
          cibles.push({ fn: r.Properties.Target.Arn, dlq: r.Properties.Target.DeadLetterConfig });
        }
      }
      for (const { fn, dlq } of cibles) {
        const id = fn['Fn::GetAtt']?.[0];
        if (`${pile}/${id}` === sonde) continue;
        expect(dlq?.Arn, `${pile}/${id}`).toBeDefined();
        const config = Object.values(resources).find(
          (r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && r.Properties.FunctionName.Ref === id,
        );
        expect(config?.Properties.DestinationConfig?.OnFailure?.Destination, `${pile}/${id}`).toBeDefined();
      }
    }
  });
});

describe('cdk-nag and CDK', () => {
  it('the stack needs no acknowledgment but the X-Ray one of its function role', () => {
    const acks = acknowledgedRules(s).filter((a) => a.path.startsWith(`${s.observabilite.stackName}/`));
    expect(acks.map((a) => a.id)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });

  it('no CDK warning in the observability stack', () => {
    expect(Annotations.fromStack(s.observabilite).findWarning('*', Match.anyValue())).toEqual([]);
  });
});
