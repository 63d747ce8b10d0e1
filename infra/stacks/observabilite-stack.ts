import { PHASES } from '@ti/domain/campagnes/campagne';
import { STATUTS_FICHE } from '@ti/domain/fiches-action/schema';
import { recalculAgregats } from '@ti/platform/agregats/recalcul';
import type { BucketKey } from '@ti/platform/buckets';
import { recuperationBpifrance } from '@ti/platform/declencheurs';
import {
  DIMENSIONS,
  METRIQUES,
  MOTIFS_REFUS,
  NAMESPACE_METRIQUES,
  type NomMetrique,
  SERVICE,
  sondeOperations as SONDE,
} from '@ti/platform/metriques';
import { type Route, routes as routesDefinies } from '@ti/platform/routes';
import type { TableKey } from '@ti/platform/tables';
import { ArnFormat, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct, Node } from 'constructs';
import { functionId, handlerEntry } from '../constructs/bundling';
import { accorder, TiFunction } from '../constructs/ti-function';
import { INGESTION } from './ingestion-stack';

/** The routes, widened to `Route` (the definitions are `as const`). */
const routes: readonly Route[] = routesDefinies;

/** Name of the dashboard in the CloudWatch console. */
export const NOM_TABLEAU = 'TerritoiresIndustrie';
/** Prefix of every alarm's name: the SNS topic accepts alarms of this prefix only. */
export const PREFIXE_ALARMES = 'TerritoiresIndustrie-';
/** Where each alarm's runbook is: `docs/operations.md#<alarm id in lower case>`. */
export const RUNBOOK = 'docs/operations.md';

/**
 * The daily fetch runs at 06:00 (Paris): an import a day, give or take the fetch's and the ingestion's
 * retries. Beyond 26 hours without one, somebody should look.
 */
export const DELAI_SANS_IMPORT = Duration.hours(26);
/** Share of an hour's imported rows that were rejected beyond which somebody should look at the file. */
export const SEUIL_REJETS_POURCENT = 20;
/**
 * Rejected share's denominator is at least this many rows: 2 rejects in a 3-row test file are not a
 * "sudden share", 5 in a 20-row file are.
 */
export const PLANCHER_LIGNES = 20;
/** 5xx share of the API's requests (percent, over 5 minutes) beyond which the alarm goes off. */
export const SEUIL_5XX_POURCENT = 1;
/**
 * The 5xx share's denominator is at least this many requests: at low traffic a lone 5xx (seen on the
 * dashboard and in the function's errors) does not wake anybody, three within 5 minutes do.
 */
export const PLANCHER_REQUETES = 200;
/** The hourly recompute missed twice in a row: the aggregates are stale. */
export const HEURES_SANS_RECALCUL = 2;

export interface ObservabiliteStackProps extends StackProps {
  /** The probe reads the tables its definition (`sondeOperations`) names. */
  readonly tables: Record<TableKey, ITable>;
  readonly buckets: Record<BucketKey, IBucket>;
  /** The REST API and the function of each route, keyed `"<METHOD> <path>"` (`ApiStack.functions`). */
  readonly api: {
    readonly restApi: apigateway.RestApi;
    readonly fonctions: Record<string, lambda.IFunction>;
  };
  readonly calendrier: {
    readonly machine: sfn.IStateMachine;
    readonly fonctions: Record<string, lambda.IFunction>;
    readonly echecsReprise: sqs.IQueue;
  };
  readonly ingestion: {
    readonly ingestion: lambda.IFunction;
    readonly recuperation: lambda.IFunction;
    readonly echecs: sqs.IQueue;
  };
  readonly agregats: { readonly recalcul: lambda.IFunction; readonly echecs: sqs.IQueue };
  /** Who receives the alarms by e-mail (each address confirms its subscription). @default nobody */
  readonly emailsAlertes?: readonly string[];
  /** Longest time without a successful import before the alarm. @default DELAI_SANS_IMPORT */
  readonly delaiSansImport?: Duration;
  /** Rejected rows' share (percent) of an hour's imports beyond which the alarm goes off. @default 20 */
  readonly seuilRejetsPourcent?: number;
}

/**
 * What operators see and what calls them (docs/operations.md): the dashboard `TerritoiresIndustrie`,
 * the alarms, each with its runbook, all sent to one SNS topic (encrypted, TLS only) that e-mails the
 * addresses given at deployment, and the probe that measures the age of the last import and of the
 * aggregates every 5 minutes. It reads the other stacks; none of them reads it, so it is deployed last.
 */
export class ObservabiliteStack extends Stack {
  public readonly sujet: sns.Topic;
  public readonly cle: kms.Key;
  public readonly tableau: cloudwatch.Dashboard;
  public readonly sonde: TiFunction;
  public readonly planificationSonde: events.Rule;
  /** Each alarm by its id (also the heading of its runbook in docs/operations.md). */
  public readonly alarmes: Record<string, cloudwatch.Alarm> = {};
  /** Every function on the dashboard, by the label it carries there. */
  public readonly fonctions: Record<string, lambda.IFunction> = {};
  /** Every dead-letter queue on the dashboard and under an alarm, by label. */
  public readonly filesEchec: Record<string, sqs.IQueue>;

  private readonly actionAlerte: actions.SnsAction;

  constructor(scope: Construct, id: string, props: ObservabiliteStackProps) {
    super(scope, id, props);

    // --- Where the alarms go -----------------------------------------------------------------
    // The AWS-managed SNS key cannot be used by CloudWatch (its key policy is fixed): a key of ours
    // that lets CloudWatch encrypt for this account's alarms, and nothing else.
    const arnAlarmes = this.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${PREFIXE_ALARMES}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const parCesAlarmes = {
      StringEquals: { 'aws:SourceAccount': this.account },
      ArnLike: { 'aws:SourceArn': arnAlarmes },
    };
    const cloudwatchService = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    this.cle = new kms.Key(this, 'CleAlertes', {
      description: "Chiffrement des alertes de Territoires d'industrie (sujet SNS)",
      enableKeyRotation: true,
    });
    this.cle.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmesCloudWatch',
        principals: [cloudwatchService],
        // What SNS asks of the publisher's principal for an encrypted topic (SNS developer guide).
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: parCesAlarmes,
      }),
    );
    this.sujet = new sns.Topic(this, 'Alertes', {
      topicName: 'territoires-industrie-alertes',
      displayName: "Territoires d'industrie",
      masterKey: this.cle,
      enforceSSL: true,
    });
    // The topic's policy replaces SNS's default one: CloudWatch is allowed explicitly, for our alarms.
    this.sujet.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmesCloudWatch',
        principals: [cloudwatchService],
        actions: ['sns:Publish'],
        resources: [this.sujet.topicArn],
        conditions: parCesAlarmes,
      }),
    );
    for (const email of props.emailsAlertes ?? []) {
      this.sujet.addSubscription(new subscriptions.EmailSubscription(email));
    }
    this.actionAlerte = new actions.SnsAction(this.sujet);

    // --- The probe ---------------------------------------------------------------------------
    this.sonde = new TiFunction(this, functionId(SONDE.handler), {
      entry: handlerEntry(SONDE.handler),
      description: SONDE.description,
      timeout: Duration.seconds(30),
      // Two reads and a few metrics: the smallest size that keeps a warm start short.
      memorySize: 256,
    });
    // A probe's run is worth nothing once the next one is due: no retry, no dead-letter queue.
    this.sonde.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.minutes(SONDE.periodeMinutes),
    });
    accorder(this.sonde, SONDE, props);
    this.planificationSonde = new events.Rule(this, 'SondePlanifiee', {
      description: "Sonde de Territoires d'industrie : âge du dernier import et des agrégats",
      schedule: events.Schedule.rate(Duration.minutes(SONDE.periodeMinutes)),
      targets: [
        new targets.LambdaFunction(this.sonde, {
          retryAttempts: 2,
          maxEventAge: Duration.minutes(SONDE.periodeMinutes),
        }),
      ],
    });

    // --- What is watched ---------------------------------------------------------------------
    for (const route of routes) {
      const fn = props.api.fonctions[cleRoute(route)];
      if (!fn) throw new Error(`No function for the route ${cleRoute(route)}`);
      this.fonctions[cleRoute(route)] = fn;
    }
    for (const [cle, fn] of Object.entries(props.calendrier.fonctions))
      this.fonctions[`calendrier/${cle}`] = fn;
    this.fonctions[INGESTION.handler] = props.ingestion.ingestion;
    this.fonctions[recuperationBpifrance.handler] = props.ingestion.recuperation;
    this.fonctions[recalculAgregats.handler] = props.agregats.recalcul;
    this.fonctions[SONDE.handler] = this.sonde;
    this.filesEchec = {
      'Ingestion des lauréats': props.ingestion.echecs,
      'Recalcul des agrégats': props.agregats.echecs,
      'Reprise des calendriers': props.calendrier.echecsReprise,
    };

    const stage = props.api.restApi.deploymentStage;
    const machine = props.calendrier.machine;

    // --- Alarms: what needs a person ------------------------------------------------------------
    const cinqMinutes = Duration.minutes(5);
    const uneHeure = Duration.hours(1);

    this.alarme('ApiErreursServeur', {
      description:
        `Plus de ${SEUIL_5XX_POURCENT} % des requêtes de l’API ont reçu une erreur 5xx en 5 minutes ` +
        `(comptées sur au moins ${PLANCHER_REQUETES} requêtes) : une panne, pas une erreur des clients`,
      metric: new cloudwatch.MathExpression({
        label: 'Part des réponses 5xx (%)',
        expression: `100 * e / IF(n > ${PLANCHER_REQUETES}, n, ${PLANCHER_REQUETES})`,
        usingMetrics: {
          e: stage.metricServerError({ statistic: 'Sum', period: cinqMinutes }),
          n: stage.metricCount({ statistic: 'Sum', period: cinqMinutes }),
        },
        period: cinqMinutes,
      }),
      threshold: SEUIL_5XX_POURCENT,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const fileNonVide = (id: string, queue: sqs.IQueue, description: string) =>
      this.alarme(id, {
        description,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: cinqMinutes, statistic: 'Maximum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    fileNonVide(
      'IngestionEnEchec',
      props.ingestion.echecs,
      'Un export Bpifrance n’a pas pu être ingéré (ou récupéré) après ses tentatives : son événement est dans ' +
        'la file IngestionsEnEchec (le renvoyer à la fonction reprend l’import où il s’est arrêté)',
    );
    fileNonVide(
      'RecalculAbandonne',
      props.agregats.echecs,
      'Un recalcul des agrégats a été abandonné après ses tentatives : son événement est dans la file ' +
        'RecalculsEnEchec (le recalcul horaire rattrape s’il réussit)',
    );
    fileNonVide(
      'RepriseAbandonnee',
      props.calendrier.echecsReprise,
      'La relance quotidienne des calendriers de sélection a échoué après ses tentatives : son événement ' +
        'est dans la file ReprisesEnEchec',
    );

    this.alarme('CalendrierEnEchec', {
      description:
        'Une exécution du calendrier de sélection a échoué : la campagne affiche calendrier.etat = echec ' +
        '(GET /campagnes/{id})',
      metric: machine.metricFailed({ statistic: 'Sum', period: cinqMinutes }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarme('CalendrierExpire', {
      description: 'Une exécution du calendrier de sélection a dépassé sa durée maximale',
      metric: machine.metricTimedOut({ statistic: 'Sum', period: cinqMinutes }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // No data is the very thing watched here: hours without an import are breaching, and the alarm
    // goes off when every hour of the window is (at most 7 days: CloudWatch's evaluation range).
    const heuresSansImport = (props.delaiSansImport ?? DELAI_SANS_IMPORT).toHours();
    if (!(heuresSansImport >= 2 && heuresSansImport <= 168)) {
      throw new Error(`The longest time without an import must be 2 to 168 hours, not ${heuresSansImport}`);
    }
    this.alarme('ImportAbsent', {
      description:
        `Aucun import de lauréats n’a abouti depuis ${heuresSansImport} heures : la récupération quotidienne ` +
        'ou l’ingestion est arrêtée, ou Bpifrance n’a pas publié de nouvel export',
      metric: metrique(METRIQUES.importsTermines, 'Sum', uneHeure),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: heuresSansImport,
      datapointsToAlarm: heuresSansImport,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.alarme('ImportRefuse', {
      description:
        'Un export de lauréats a été refusé en entier (colonnes obligatoires absentes, fichier illisible) : ' +
        'rien n’a été importé',
      metric: metrique(METRIQUES.importsRejetes, 'Sum', uneHeure),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const seuilRejets = props.seuilRejetsPourcent ?? SEUIL_REJETS_POURCENT;
    if (!(seuilRejets > 0 && seuilRejets <= 100)) {
      throw new Error(`The rejected rows' threshold is a percentage (0 to 100], not ${seuilRejets}`);
    }
    // FILL: an hour with imports but a series without a point (none emitted) counts as 0, not unknown.
    const lignes = '(FILL(n, 0) + FILL(m, 0) + FILL(i, 0) + FILL(r, 0))';
    this.alarme('ImportRejetsEleves', {
      description:
        `Plus de ${seuilRejets} % des lignes importées en une heure ont été rejetées : le format de l’export ` +
        'a probablement changé',
      metric: new cloudwatch.MathExpression({
        label: 'Part des lignes rejetées (%)',
        expression: `100 * FILL(r, 0) / IF(${lignes} > ${PLANCHER_LIGNES}, ${lignes}, ${PLANCHER_LIGNES})`,
        usingMetrics: {
          n: metrique(METRIQUES.importLignesNouvelles, 'Sum', uneHeure),
          m: metrique(METRIQUES.importLignesMisesAJour, 'Sum', uneHeure),
          i: metrique(METRIQUES.importLignesInchangees, 'Sum', uneHeure),
          r: metrique(METRIQUES.importLignesRejetees, 'Sum', uneHeure),
        },
        period: uneHeure,
      }),
      threshold: seuilRejets,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Not `AgeAgregats`: the aggregates' `asOf` is the instant of the data, which rightly ages when
    // nothing changes. A recompute runs every hour whatever happens: two hours without one is stale.
    this.alarme('AgregatsPerimes', {
      description:
        `Aucun recalcul des agrégats depuis ${HEURES_SANS_RECALCUL} heures (il tourne toutes les heures) : ` +
        '/agregats et les données ouvertes ne suivent plus',
      metric: metrique(METRIQUES.agregatsRecalcules, 'Sum', uneHeure),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: HEURES_SANS_RECALCUL,
      datapointsToAlarm: HEURES_SANS_RECALCUL,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.alarme('RecalculEnEchec', {
      description:
        'Un recalcul des agrégats a échoué (Lambda le reprend deux fois, le recalcul horaire rattrape) : ' +
        '/agregats et les données ouvertes peuvent dater',
      metric: props.agregats.recalcul.metricErrors({ period: uneHeure, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // The import and aggregates alarms above do not depend on the probe; this one says when the
    // dashboard's ages are stale: no successful run for 15 minutes (failing, or not run at all).
    this.alarme('SondeMuette', {
      description:
        'La sonde n’a pas tourné avec succès depuis 15 minutes : les âges du dernier import et des agrégats ' +
        'du tableau de bord ne sont plus à jour',
      metric: new cloudwatch.MathExpression({
        label: 'Exécutions réussies de la sonde',
        expression: 'FILL(n, 0) - FILL(e, 0)',
        usingMetrics: {
          n: this.sonde.metricInvocations({ statistic: 'Sum', period: cinqMinutes }),
          e: this.sonde.metricErrors({ statistic: 'Sum', period: cinqMinutes }),
        },
        period: cinqMinutes,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    // --- The dashboard ----------------------------------------------------------------------------
    this.tableau = new cloudwatch.Dashboard(this, 'Tableau', {
      dashboardName: NOM_TABLEAU,
      // A day shows the daily import and the hourly recomputes.
      defaultInterval: Duration.days(1),
    });
    this.tableau.addWidgets(
      titre(
        "Territoires d'industrie : est-ce que ça marche ?",
        `Chaque alarme renvoie à sa procédure dans \`${RUNBOOK}\`.`,
      ),
    );
    this.tableau.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarmes',
        alarms: Object.values(this.alarmes),
        width: 24,
        height: 4,
        sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
      }),
    );
    this.lignesApi(props.api.restApi);
    this.lignesFonctions();
    this.lignesImports();
    this.lignesCalendrier(machine);
    this.lignesFilesEchec();
    this.lignesAgregats();
    this.lignesActivite();

    new CfnOutput(this, 'SujetAlertes', {
      value: this.sujet.topicArn,
      description: 'SNS topic of the alarms (subscribe with -c emailAlertes=… or in the console)',
    });
    new CfnOutput(this, 'TableauDeBord', {
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${NOM_TABLEAU}`,
      description: 'CloudWatch dashboard of the operators',
    });
  }

  /** One alarm: its name, its runbook, notifications to the topic when it goes off and when it is over. */
  private alarme(
    id: string,
    props: Omit<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription' | 'evaluationPeriods'> & {
      description: string;
      evaluationPeriods?: number;
    },
  ): cloudwatch.Alarm {
    const { description, ...reste } = props;
    const alarme = new cloudwatch.Alarm(this, id, {
      evaluationPeriods: 1,
      ...reste,
      alarmName: `${PREFIXE_ALARMES}${id}`,
      alarmDescription: `${description}. Procédure : ${RUNBOOK}#${id.toLowerCase()}`,
    });
    alarme.addAlarmAction(this.actionAlerte);
    alarme.addOkAction(this.actionAlerte);
    this.alarmes[id] = alarme;
    return alarme;
  }

  private lignesApi(restApi: apigateway.RestApi): void {
    const stage = restApi.deploymentStage;
    const methodes = new Map(restApi.methods.map((m) => [`${m.httpMethod} ${m.resource.path}`, m]));
    const parRoute = (
      titreGraphe: string,
      mesure: (m: apigateway.Method, label: string) => cloudwatch.IMetric,
    ): cloudwatch.GraphWidget =>
      new cloudwatch.GraphWidget({
        title: titreGraphe,
        left: routes.map((route) => {
          const methode = methodes.get(cleRoute(route));
          if (!methode) throw new Error(`No API Gateway method for the route ${cleRoute(route)}`);
          return mesure(methode, cleRoute(route));
        }),
        width: 24,
        height: 6,
        legendPosition: cloudwatch.LegendPosition.RIGHT,
      });
    const somme = (label: string) => ({ label, statistic: 'Sum', period: Duration.minutes(5) });

    this.tableau.addWidgets(
      titre(
        'API',
        'Requêtes, erreurs 4xx (clients) et 5xx (pannes), latence p99, par route (`routes.ts`) ; ' +
          `étape \`${stage.stageName}\`.`,
      ),
    );
    this.tableau.addWidgets(
      new cloudwatch.SingleValueWidget({
        title: 'API sur la période',
        metrics: [
          stage.metricCount({ label: 'Requêtes', statistic: 'Sum' }),
          stage.metricClientError({ label: '4xx', statistic: 'Sum' }),
          stage.metricServerError({ label: '5xx', statistic: 'Sum' }),
          stage.metricLatency({ label: 'Latence p99 (ms)', statistic: 'p99' }),
        ],
        setPeriodToTimeRange: true,
        width: 24,
        height: 3,
      }),
    );
    this.tableau.addWidgets(
      parRoute('Requêtes par route', (m, label) => m.metricCount(stage, somme(label))),
      parRoute('Erreurs 4xx par route', (m, label) => m.metricClientError(stage, somme(label))),
      parRoute('Erreurs 5xx par route', (m, label) => m.metricServerError(stage, somme(label))),
      parRoute('Latence p99 par route (ms)', (m, label) =>
        m.metricLatency(stage, { label, statistic: 'p99', period: Duration.minutes(5) }),
      ),
    );
  }

  private lignesFonctions(): void {
    const fonctions = Object.entries(this.fonctions);
    const graphe = (
      titreGraphe: string,
      mesure: (fn: lambda.IFunction, label: string) => cloudwatch.IMetric,
    ) =>
      new cloudwatch.GraphWidget({
        title: titreGraphe,
        left: fonctions.map(([label, fn]) => mesure(fn, label)),
        width: 24,
        height: 7,
        legendPosition: cloudwatch.LegendPosition.RIGHT,
      });
    this.tableau.addWidgets(
      titre('Fonctions', 'Erreurs, limitations (throttles) et durée p99 de chaque fonction Lambda.'),
    );
    this.tableau.addWidgets(
      graphe('Erreurs par fonction', (fn, label) =>
        fn.metricErrors({ label, statistic: 'Sum', period: Duration.minutes(5) }),
      ),
      graphe('Limitations (throttles) par fonction', (fn, label) =>
        fn.metricThrottles({ label, statistic: 'Sum', period: Duration.minutes(5) }),
      ),
      graphe('Durée p99 par fonction (ms)', (fn, label) =>
        fn.metricDuration({ label, statistic: 'p99', period: Duration.minutes(5) }),
      ),
    );
  }

  private lignesImports(): void {
    const uneHeure = Duration.hours(1);
    this.tableau.addWidgets(
      titre(
        'Imports des lauréats',
        'Âge du dernier import terminé (sonde, toutes les 5 minutes), lignes par issue, durée des imports.',
      ),
    );
    this.tableau.addWidgets(
      new cloudwatch.SingleValueWidget({
        title: 'Dernier import terminé',
        metrics: [heures(METRIQUES.ageDernierImport, 'il y a (heures)')],
        width: 6,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lignes importées par issue (par heure)',
        left: [
          metrique(METRIQUES.importLignesNouvelles, 'Sum', uneHeure, {}, 'Nouvelles'),
          metrique(METRIQUES.importLignesMisesAJour, 'Sum', uneHeure, {}, 'Mises à jour'),
          metrique(METRIQUES.importLignesInchangees, 'Sum', uneHeure, {}, 'Inchangées'),
          metrique(METRIQUES.importLignesRejetees, 'Sum', uneHeure, {}, 'Rejetées'),
        ],
        stacked: true,
        view: cloudwatch.GraphWidgetView.BAR,
        width: 9,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Imports et leur durée',
        left: [
          metrique(METRIQUES.importsTermines, 'Sum', uneHeure, {}, 'Terminés'),
          metrique(METRIQUES.importsRejetes, 'Sum', uneHeure, {}, 'Refusés en entier'),
        ],
        right: [metrique(METRIQUES.importDuree, 'Maximum', uneHeure, {}, 'Durée max (ms)')],
        width: 9,
        height: 6,
      }),
    );
  }

  private lignesCalendrier(machine: sfn.IStateMachine): void {
    const cinqMinutes = Duration.minutes(5);
    const somme = (label: string) => ({ label, statistic: 'Sum', period: cinqMinutes });
    this.tableau.addWidgets(
      titre(
        'Calendrier de sélection (Step Functions)',
        'Exécutions démarrées, réussies, échouées, expirées, arrêtées (une nouvelle version des dates arrête ' +
          'la précédente). Les exécutions *en cours* ne sont pas une métrique de Step Functions : voir la ' +
          'console Step Functions (filtre « Running »).',
      ),
    );
    this.tableau.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Exécutions du calendrier',
        left: [
          machine.metricStarted(somme('Démarrées')),
          machine.metricSucceeded(somme('Réussies')),
          machine.metricFailed(somme('Échouées')),
          machine.metricTimedOut(somme('Expirées')),
          machine.metricAborted(somme('Arrêtées')),
        ],
        width: 12,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Phases atteintes par les campagnes',
        // The first phase (`a_venir`) is where a campaign starts: the calendar never moves one to it.
        left: PHASES.slice(1).map((phase) =>
          metrique(METRIQUES.phasesCampagne, 'Sum', Duration.hours(1), { [DIMENSIONS.phase]: phase }, phase),
        ),
        view: cloudwatch.GraphWidgetView.BAR,
        width: 12,
        height: 6,
      }),
    );
  }

  private lignesFilesEchec(): void {
    const profondeurs = () =>
      Object.entries(this.filesEchec).map(([label, queue]) =>
        queue.metricApproximateNumberOfMessagesVisible({
          label,
          statistic: 'Maximum',
          period: Duration.minutes(5),
        }),
      );
    this.tableau.addWidgets(
      titre(
        "Files d'échec",
        'Événements abandonnés après leurs tentatives : toute file non vide demande une personne.',
      ),
    );
    this.tableau.addWidgets(
      new cloudwatch.SingleValueWidget({
        title: 'Messages en attente',
        metrics: profondeurs(),
        width: 12,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Profondeur des files',
        left: profondeurs(),
        width: 12,
        height: 6,
      }),
    );
  }

  private lignesAgregats(): void {
    const uneHeure = Duration.hours(1);
    this.tableau.addWidgets(
      titre(
        'Agrégats',
        'Âge des données des agrégats (`asOf` : il vieillit aussi quand rien ne change), recalculs et durée.',
      ),
    );
    this.tableau.addWidgets(
      new cloudwatch.SingleValueWidget({
        title: 'Données des agrégats',
        metrics: [heures(METRIQUES.ageAgregats, 'datent de (heures)')],
        width: 6,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Recalculs (par heure)',
        left: [metrique(METRIQUES.agregatsRecalcules, 'Sum', uneHeure, {}, 'Recalculs')],
        width: 9,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Durée des recalculs (ms)',
        left: [
          metrique(METRIQUES.agregatsRecalculDuree, 'Maximum', uneHeure, {}, 'Max'),
          metrique(METRIQUES.agregatsRecalculDuree, 'Average', uneHeure, {}, 'Moyenne'),
        ],
        width: 9,
        height: 6,
      }),
    );
  }

  private lignesActivite(): void {
    const uneHeure = Duration.hours(1);
    this.tableau.addWidgets(
      titre(
        'Activité',
        'Candidatures reçues, acceptées et refusées par motif ; fiches-action déposées et instruites.',
      ),
    );
    this.tableau.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Candidatures',
        left: [
          metrique(METRIQUES.candidaturesRecues, 'Sum', uneHeure, {}, 'Reçues'),
          metrique(METRIQUES.candidaturesAcceptees, 'Sum', uneHeure, {}, 'Acceptées'),
        ],
        width: 8,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Candidatures refusées par motif',
        left: MOTIFS_REFUS.map((motif) =>
          metrique(METRIQUES.candidaturesRefusees, 'Sum', uneHeure, { [DIMENSIONS.motif]: motif }, motif),
        ),
        stacked: true,
        width: 8,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Fiches-action',
        left: [
          metrique(METRIQUES.fichesActionDeposees, 'Sum', uneHeure, {}, 'Déposées'),
          ...STATUTS_FICHE.filter((statut) => statut !== 'deposee').map((statut) =>
            metrique(
              METRIQUES.fichesActionInstruites,
              'Sum',
              uneHeure,
              { [DIMENSIONS.statut]: statut },
              `Instruites : ${statut}`,
            ),
          ),
        ],
        width: 8,
        height: 6,
      }),
    );
  }
}

/** `"<METHOD> <path>"`, the key of `ApiStack.functions` and the label of a route on the dashboard. */
const cleRoute = (route: Route): string => `${route.method} ${route.path}`;

/** A business metric (metriques.ts): its namespace, the dimension `service`, and its own if any. */
function metrique(
  nom: NomMetrique,
  statistic: string,
  period: Duration,
  dimensions: Record<string, string> = {},
  label?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: NAMESPACE_METRIQUES,
    metricName: nom,
    dimensionsMap: { service: SERVICE, ...dimensions },
    statistic,
    period,
    ...(label ? { label } : {}),
  });
}

/** An age the probe emits in seconds, shown in hours. */
function heures(nom: NomMetrique, label: string): cloudwatch.MathExpression {
  const cinqMinutes = Duration.minutes(5);
  return new cloudwatch.MathExpression({
    label,
    expression: 'age / 3600',
    usingMetrics: { age: metrique(nom, 'Maximum', cinqMinutes) },
    period: cinqMinutes,
  });
}

/** A row's header: its title and what it answers. */
function titre(texte: string, sousTitre: string): cloudwatch.TextWidget {
  return new cloudwatch.TextWidget({ markdown: `## ${texte}\n${sousTitre}`, width: 24, height: 2 });
}

/**
 * The deployment's choices, from the CDK context (`cdk deploy -c emailAlertes=a@x.fr,b@y.fr`):
 * `emailAlertes` who receives the alarms (none when absent), `alerteImportHeures` the longest time
 * without a successful import (hours, default 26: the daily fetch), `alerteRejetsPourcent` the rejected
 * rows' share (default 20).
 */
export function reglagesDuContexte(
  node: Node,
): Pick<ObservabiliteStackProps, 'emailsAlertes' | 'delaiSansImport' | 'seuilRejetsPourcent'> {
  const emails = node.tryGetContext('emailAlertes') as string | string[] | undefined;
  const liste = (Array.isArray(emails) ? emails : String(emails ?? '').split(/[\s,;]+/))
    .map((e) => e.trim())
    .filter(Boolean);
  for (const email of liste) {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      throw new Error(`-c emailAlertes: "${email}" is not an e-mail address`);
    }
  }
  const delai = node.tryGetContext('alerteImportHeures');
  const pourcent = node.tryGetContext('alerteRejetsPourcent');
  return {
    emailsAlertes: liste,
    ...(delai !== undefined ? { delaiSansImport: Duration.hours(Number(delai)) } : {}),
    ...(pourcent !== undefined ? { seuilRejetsPourcent: Number(pourcent) } : {}),
  };
}
