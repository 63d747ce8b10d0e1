import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Tags, TimeZone, Validations } from 'aws-cdk-lib';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { AwsSolutionsChecks } from 'cdk-nag';
import { repoRoot } from './constructs/bundling';
import { AgregatsStack } from './stacks/agregats-stack';
import { ApiStack } from './stacks/api-stack';
import { DataStack } from './stacks/data-stack';
import { IngestionStack } from './stacks/ingestion-stack';
import { ObservabiliteStack, reglagesDuContexte } from './stacks/observabilite-stack';
import { WorkflowStack } from './stacks/workflow-stack';

export interface TiApp {
  app: App;
  data: DataStack;
  api: ApiStack;
  workflow: WorkflowStack;
  agregats: AgregatsStack;
  ingestion: IngestionStack;
  observabilite: ObservabiliteStack;
}

/** The context of cdk.json (feature flags), so that tests build exactly what `cdk synth` builds. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/**
 * Builds the CDK app: the data stack, the API stack, and cdk-nag's AWS Solutions checks, which run
 * as a synthesis validation plugin (cdk-nag 3): findings go to the cloud assembly's validation
 * report and make synthesis fail when they are errors.
 */
export function buildApp(context: Record<string, unknown> = {}): TiApp {
  const app = new App({ context: { ...cdkJsonContext(), ...context } });
  const env = {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? 'eu-west-3',
  };

  const data = new DataStack(app, 'TerritoiresIndustrie-Data', {
    env,
    description: "Territoires d'industrie : tables DynamoDB, buckets S3, secrets des formulaires",
    terminationProtection: true,
  });
  const api = new ApiStack(app, 'TerritoiresIndustrie-Api', {
    env,
    description: "Territoires d'industrie : API REST, fonctions Lambda, authentification des opérateurs",
    tables: data.tables,
    buckets: data.buckets,
    formSourcesSecret: data.formSourcesSecret,
  });
  api.addStackDependency(data);
  const workflow = new WorkflowStack(app, 'TerritoiresIndustrie-Workflow', {
    env,
    description: "Territoires d'industrie : calendrier de sélection (Step Functions), événements, e-mails",
    tables: data.tables,
    domaineMail: app.node.tryGetContext('domaineMail'),
  });
  workflow.addStackDependency(data);
  // The API starts and resumes the calendar's executions (by the state machine's fixed name).
  api.addStackDependency(workflow);

  const agregats = new AgregatsStack(app, 'TerritoiresIndustrie-Agregats', {
    env,
    description:
      "Territoires d'industrie : recalcul des agrégats (à chaque import, toutes les heures), données ouvertes",
    tables: data.tables,
    buckets: data.buckets,
  });
  agregats.addStackDependency(data);

  const ingestion = new IngestionStack(app, 'TerritoiresIndustrie-Ingestion', {
    env,
    description:
      "Territoires d'industrie : ingestion des exports Bpifrance des lauréats (S3, EventBridge, Scheduler)",
    tables: data.tables,
    buckets: data.buckets,
    // `cdk synth -c planificationLaureats="cron(0 7 ? * MON-FRI *)"`: when the export is fetched (Paris time).
    ...(app.node.tryGetContext('planificationLaureats')
      ? {
          planification: ScheduleExpression.expression(
            app.node.tryGetContext('planificationLaureats'),
            TimeZone.EUROPE_PARIS,
          ),
        }
      : {}),
  });
  ingestion.addStackDependency(data);

  const observabilite = new ObservabiliteStack(app, 'TerritoiresIndustrie-Observabilite', {
    env,
    description: "Territoires d'industrie : tableau de bord, alarmes et leur sujet SNS, sonde",
    tables: data.tables,
    buckets: data.buckets,
    api: { restApi: api.api, fonctions: api.functions },
    calendrier: {
      machine: workflow.stateMachine,
      fonctions: workflow.fonctions,
      echecsReprise: workflow.echecsReprise,
    },
    ingestion: {
      ingestion: ingestion.ingestion,
      recuperation: ingestion.recuperation,
      echecs: ingestion.echecs,
    },
    agregats: { recalcul: agregats.recalcul, echecs: agregats.echecs },
    // `cdk deploy -c emailAlertes=ops@…[,…]` (and -c alerteImportHeures=…, -c alerteRejetsPourcent=…).
    ...reglagesDuContexte(app.node),
  });
  // It watches the others and none of them reads it: deployed last.
  for (const stack of [data, api, workflow, agregats, ingestion]) observabilite.addStackDependency(stack);

  Tags.of(app).add('projet', 'territoires-industrie');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, data, api, workflow, agregats, ingestion, observabilite };
}
