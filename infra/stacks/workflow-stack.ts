import {
  type CleFonctionCalendrier,
  type FonctionCalendrier,
  fonctionsCalendrier,
} from '@ti/platform/calendrier/taches';
import { env } from '@ti/platform/config';
import type { TableKey } from '@ti/platform/tables';
import { Duration, RemovalPolicy, Stack, type StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { functionId, handlerEntry } from '../constructs/bundling';
import { accorderCalendrier, acknowledgeWildcard, NOM_MACHINE_CALENDRIER } from '../constructs/calendrier';
import { fileEchecs } from '../constructs/file-echecs';
import { accorder, TiFunction } from '../constructs/ti-function';

export interface WorkflowStackProps extends StackProps {
  readonly tables: Record<TableKey, ITable>;
  /** Domain the e-mails are sent from (an SES identity, verified by its DKIM DNS records). */
  readonly domaineMail?: string;
}

/**
 * The selection calendar (FAQ §1.3): a Standard state machine that waits for the campaign's dates,
 * closes the window, waits for the regions' opinions and the national decision (task tokens), then
 * announces; its functions (`fonctionsCalendrier`), the programme's event bus, the e-mail identity,
 * and a daily schedule that restarts a calendar that should run and does not.
 */
export class WorkflowStack extends Stack {
  public readonly stateMachine: sfn.StateMachine;
  public readonly fonctions: Record<CleFonctionCalendrier, TiFunction>;
  public readonly bus: events.EventBus;
  public readonly expediteur: ses.EmailIdentity;
  public readonly reprise: scheduler.Schedule;
  /** Daily resumes that failed all their attempts (Lambda) or could not be delivered (Scheduler). */
  public readonly echecsReprise: sqs.Queue;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WorkflowStackProps) {
    super(scope, id, props);
    const domaine = props.domaineMail ?? 'territoires-industrie.anct.gouv.fr';

    this.bus = new events.EventBus(this, 'Evenements', {
      eventBusName: 'territoires-industrie',
      description: 'Événements du programme : résultats des candidatures, rappels des avis régionaux',
    });
    this.expediteur = new ses.EmailIdentity(this, 'Expediteur', { identity: ses.Identity.domain(domaine) });

    this.fonctions = {} as Record<CleFonctionCalendrier, TiFunction>;
    for (const [cle, definition] of Object.entries(fonctionsCalendrier) as [
      CleFonctionCalendrier,
      FonctionCalendrier,
    ][]) {
      this.fonctions[cle] = this.fonction(definition, props, `ne-pas-repondre@${domaine}`);
    }

    this.logGroup = new logs.LogGroup(this, 'CalendrierLogs', {
      // Step Functions logs through CloudWatch Logs delivery: the vendedlogs prefix keeps the log
      // group's resource policy small.
      logGroupName: `/aws/vendedlogs/states/${NOM_MACHINE_CALENDRIER}`,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'Calendrier', {
      stateMachineName: NOM_MACHINE_CALENDRIER,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: "Calendrier de sélection d'une campagne Territoires d'industrie (FAQ 2023 §1.3)",
      definitionBody: sfn.DefinitionBody.fromChainable(this.definition()),
      // The state data are ids, dates and counts: no personal data.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    const role = this.stateMachine.role;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray and CloudWatch Logs delivery (logs:*LogDelivery) support no resource-level permission.',
    });
    for (const [cle, fn] of Object.entries(this.fonctions) as [CleFonctionCalendrier, TiFunction][]) {
      if (!fonctionsCalendrier[cle].tache) continue;
      acknowledgeWildcard(
        role,
        `${fn.functionArn}:*`,
        'Versions of its own task function (CDK grants arn and arn:*); no other function is named.',
      );
    }

    // Daily, the calendars that should run and do not are restarted (their steps are idempotent).
    const roleReprise = new iam.Role(this, 'RepriseRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'EventBridge Scheduler: invokes the daily resume of the calendars',
    });
    acknowledgeWildcard(
      roleReprise,
      `${this.fonctions.reprendre.functionArn}:*`,
      'Versions of the one resume function (CDK grants arn and arn:*); no other function is named.',
    );
    // Scheduler invokes the resume asynchronously: a run that fails its retries is kept, not dropped.
    this.echecsReprise = fileEchecs(this, 'ReprisesEnEchec', 'the daily resume (Lambda and Scheduler)');
    this.fonctions.reprendre.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.echecsReprise),
    });
    this.reprise = new scheduler.Schedule(this, 'RepriseQuotidienne', {
      description: 'Relance des calendriers de sélection interrompus',
      schedule: scheduler.ScheduleExpression.cron({
        minute: '0',
        hour: '6',
        timeZone: TimeZone.EUROPE_PARIS,
      }),
      target: new schedulerTargets.LambdaInvoke(this.fonctions.reprendre, {
        role: roleReprise,
        input: scheduler.ScheduleTargetInput.fromObject({ source: 'reprise-quotidienne' }),
        deadLetterQueue: this.echecsReprise,
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
      }),
    });
  }

  private fonction(
    definition: FonctionCalendrier,
    props: WorkflowStackProps,
    expediteur: string,
  ): TiFunction {
    const fn = new TiFunction(this, functionId(definition.handler), {
      entry: handlerEntry(definition.handler),
      description: definition.description,
      timeout: Duration.seconds(definition.timeoutSeconds ?? 30),
    });
    accorder(fn, definition, props);
    if (definition.notifications) {
      this.bus.grantPutEventsTo(fn);
      this.expediteur.grantSendEmail(fn);
      fn.addEnvironment(env.eventBusName, this.bus.eventBusName);
      fn.addEnvironment(env.mailFrom, expediteur);
    }
    accorderCalendrier(fn, {
      reprendreEtape: definition.callbacks,
      ...(definition.executions ? { demarrer: 'lire' } : {}),
    });
    return fn;
  }

  /** The calendar. State names are what the execution history and the logs show. */
  private definition(): sfn.IChainable {
    const f = this.fonctions;
    const campagne = {
      campagne: sfn.JsonPath.stringAt('$.campagne'),
      version: sfn.JsonPath.numberAt('$.version'),
    };

    const echec = new sfn.Fail(this, 'Echec', {
      error: 'CalendrierEnEchec',
      cause: 'Une étape a échoué : la campagne le montre (calendrier.erreur)',
    });
    const perime = new sfn.Fail(this, 'Perime', {
      error: 'CalendrierPerime',
      cause: 'Les dates de la campagne ont changé : une autre exécution les sert',
    });
    const signalerEchec = this.etape('SignalerEchec', f.echec, {
      ...campagne,
      erreur: sfn.JsonPath.objectAt('$.erreur'),
    }).next(echec);

    /** A step of the main flow: transient failures retried, then the campaign shows the failure. */
    const protegee = (etape: tasks.LambdaInvoke) => {
      reessayer(etape);
      etape.addCatch(perime, { errors: ['CalendrierPerime'] });
      etape.addCatch(signalerEchec, { errors: ['States.ALL'], resultPath: '$.erreur' });
      return etape;
    };
    /** Waits for a date of the campaign (re-read at each wake-up), then goes on with `suite`. */
    const attendreDate = (nom: string, echeance: string, suite: sfn.IChainable): sfn.IChainable => {
      const calcul = protegee(
        this.etape(`Echeance${nom}`, f.echeance, { ...campagne, echeance }, '$.attente'),
      );
      const attente = new sfn.Wait(this, `Attendre${nom}`, {
        time: sfn.WaitTime.timestampPath('$.attente.jusqua'),
      });
      attente.next(calcul);
      return calcul.next(
        new sfn.Choice(this, `${nom}Atteinte`)
          .when(sfn.Condition.booleanEquals('$.attente.atteinte', true), suite)
          .otherwise(attente),
      );
    };

    // 5. Announcement.
    const annoncer = protegee(
      this.etape('Annoncer', f.annoncer, campagne, '$.annonce', Duration.seconds(900)),
    ).next(new sfn.Succeed(this, 'Termine'));
    const attenteAnnonce = protegee(
      this.etape('AttenteAnnonce', f.phase, { ...campagne, phase: 'attente_annonce' }),
    ).next(attendreDate('Annonce', 'annonce', annoncer));

    // 4. National selection: the decision may come until the announcement.
    const decisionManquante = new sfn.Pass(this, 'DecisionManquante', {
      result: sfn.Result.fromObject({
        Error: 'DecisionManquante',
        Cause:
          'La date d’annonce est passée sans décision nationale : envoyez de nouvelles dates, puis la décision',
      }),
      resultPath: '$.erreur',
    }).next(signalerEchec);
    const echeanceDecision = protegee(
      this.etape('EcheanceDecision', f.echeance, { ...campagne, echeance: 'annonce' }, '$.attente'),
    );
    const attendreDecision = this.attente('Decision', { ...campagne, etape: 'decision' }, '$.decision');
    // The timeout first: it is the next wake-up, not a failure.
    attendreDecision.tache.addCatch(echeanceDecision, {
      errors: ['States.Timeout'],
      resultPath: sfn.JsonPath.DISCARD,
    });
    protegee(attendreDecision.tache).next(attenteAnnonce);
    echeanceDecision.next(
      new sfn.Choice(this, 'DecisionRendue')
        .when(sfn.Condition.booleanEquals('$.attente.decidee', true), attenteAnnonce)
        .when(sfn.Condition.booleanEquals('$.attente.atteinte', true), decisionManquante)
        .otherwise(attendreDecision.debut),
    );
    const selection = protegee(
      this.etape('OuvrirSelection', f.phase, { ...campagne, phase: 'selection_nationale' }),
    ).next(echeanceDecision);

    // 3. Regional review, region by region: both opinions of each candidature, until the deadline.
    const region = { ...campagne, region: sfn.JsonPath.stringAt('$.region') };
    const echeanceAvis = reessayer(
      this.etape('EcheanceAvis', f.echeance, { ...region, echeance: 'avisRegional' }, '$.attente'),
    );
    const nonRendus = reessayer(this.etape('ConstaterAvisNonRendus', f.nonRendus, region, '$.nonRendus'));
    const rappel = reessayer(this.etape('RappelerRegion', f.rappeler, region, '$.rappel')).next(echeanceAvis);
    const attendreAvis = this.attente('Avis', { ...region, etape: 'avis' }, '$.avis');
    reessayer(attendreAvis.tache);
    attendreAvis.tache.addCatch(echeanceAvis, {
      errors: ['States.Timeout'],
      resultPath: sfn.JsonPath.DISCARD,
    });
    attendreAvis.tache.next(new sfn.Succeed(this, 'AvisComplets'));
    echeanceAvis.next(
      new sfn.Choice(this, 'AvisEchus')
        .when(sfn.Condition.booleanEquals('$.attente.atteinte', true), nonRendus)
        .when(sfn.Condition.booleanEquals('$.attente.rappel', true), rappel)
        .otherwise(attendreAvis.debut),
    );
    const instruction = new sfn.Map(this, 'InstructionRegionale', {
      itemsPath: '$.instruction.regions',
      itemSelector: { ...campagne, region: sfn.JsonPath.stringAt('$$.Map.Item.Value') },
      resultPath: sfn.JsonPath.DISCARD,
    })
      .itemProcessor(echeanceAvis)
      .addCatch(perime, { errors: ['CalendrierPerime'] })
      .addCatch(signalerEchec, { errors: ['States.ALL'], resultPath: '$.erreur' })
      .next(selection);

    // 2. The window closes.
    const clore = protegee(
      this.etape('Clore', f.clore, campagne, '$.instruction', Duration.seconds(300)),
    ).next(instruction);
    // 1. The window opens.
    const ouvrir = protegee(this.etape('Ouvrir', f.phase, { ...campagne, phase: 'ouverte' })).next(
      attendreDate('Cloture', 'cloture', clore),
    );
    return attendreDate('Ouverture', 'ouverture', ouvrir);
  }

  /** A Lambda task; its result at `resultPath` (or discarded). */
  private etape(
    nom: string,
    fn: TiFunction,
    payload: Record<string, unknown>,
    resultPath: string = sfn.JsonPath.DISCARD,
    timeout: Duration = Duration.seconds(60),
  ): tasks.LambdaInvoke {
    return new tasks.LambdaInvoke(this, nom, {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject(payload),
      payloadResponseOnly: true,
      resultPath,
      taskTimeout: sfn.Timeout.duration(timeout),
    });
  }

  /**
   * A task that waits for people (`.waitForTaskToken`): the `attendre` function keeps its token, the API
   * resumes it; it times out at the next wake-up (`$.attente.secondes`) to re-read the campaign.
   *
   * Step Functions resolves `TimeoutSecondsPath` in the state's input, aws-local-stepfunctions in the
   * task's parameters: `Delai<nom>` puts the timeout at `$.Payload.secondes` in the state's input and the
   * task passes it in its `Payload`, so that one path reads the same value in both (the function does
   * not use it). The local cloud thus runs the definition as deployed.
   */
  private attente(
    nom: string,
    payload: Record<string, unknown>,
    resultPath: string,
  ): { debut: sfn.Pass; tache: tasks.LambdaInvoke } {
    const delai = new sfn.Pass(this, `Delai${nom}`, {
      parameters: { secondes: sfn.JsonPath.numberAt('$.attente.secondes') },
      resultPath: '$.Payload',
    });
    const tache = new tasks.LambdaInvoke(this, `Attendre${nom}`, {
      lambdaFunction: this.fonctions.attendre,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        ...payload,
        jeton: sfn.JsonPath.taskToken,
        secondes: sfn.JsonPath.numberAt('$.Payload.secondes'),
      }),
      resultPath,
      taskTimeout: sfn.Timeout.at('$.Payload.secondes'),
    });
    delai.next(tache);
    return { debut: delai, tache };
  }
}

/** Transient failures are retried; a stale execution (`CalendrierPerime`) and a timeout never are. */
function reessayer<T extends sfn.TaskStateBase>(etape: T): T {
  etape.addRetry({ errors: ['CalendrierPerime'], maxAttempts: 0 });
  etape.addRetry({
    errors: ['States.TaskFailed'],
    interval: Duration.seconds(2),
    maxAttempts: 3,
    backoffRate: 2,
  });
  return etape;
}
