import type { BucketKey } from '@ti/platform/buckets';
import { env } from '@ti/platform/config';
import { type Route, routes, TAILLE_CORPS_DEFAUT, typesMediaBinaires } from '@ti/platform/routes';
import type { TableKey } from '@ti/platform/tables';
import { CfnOutput, Duration, RemovalPolicy, Size, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { functionId, handlerEntry } from '../constructs/bundling';
import { accorderCalendrier } from '../constructs/calendrier';
import { regexEntierSuperieurA } from '../constructs/regex-entiers';
import { accorder, TiFunction } from '../constructs/ti-function';
import { problemResponses } from './problem-responses';

/** The largest body any route accepts (bytes): the WAF refuses larger ones. */
export const TAILLE_MAX_CORPS = Math.max(
  ...routes.map((r) => ('maxBodyBytes' in r ? r.maxBodyBytes : 0) ?? 0),
  TAILLE_CORPS_DEFAUT,
);

export interface ApiStackProps extends StackProps {
  readonly tables: Record<TableKey, ITable>;
  readonly buckets: Record<BucketKey, IBucket>;
  readonly formSourcesSecret: ISecret;
  /** @default 'v1' */
  readonly stageName?: string;
  /** Steady-state requests per second of the stage. @default 50 */
  readonly throttlingRateLimit?: number;
  /** Burst of the stage. @default 100 */
  readonly throttlingBurstLimit?: number;
}

/**
 * The public API: a REST API whose routes come from `routes` (packages/platform), one Lambda
 * function per route holding only the grants its route declares, a Cognito user pool for operators.
 */
export class ApiStack extends Stack {
  public readonly api: apigateway.RestApi;
  public readonly userPool: cognito.UserPool;
  public readonly userPoolClient: cognito.UserPoolClient;
  /** The function of each route, keyed `"<METHOD> <path>"`. */
  public readonly functions: Record<string, TiFunction> = {};

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);

    // --- Operators ---------------------------------------------------------------------------
    this.userPool = new cognito.UserPool(this, 'Operateurs', {
      userPoolName: 'territoires-industrie-operateurs',
      // Operators are created by an administrator (AdminCreateUser), who sets custom:role and custom:region.
      selfSignUpEnabled: false,
      userInvitation: {
        emailSubject: "Votre accès à l'API Territoires d'industrie",
        emailBody:
          "Bonjour,<br>votre identifiant est {username} et votre mot de passe provisoire {####}. Il devra être changé à la première connexion, et l'authentification à deux facteurs (application TOTP) configurée.",
      },
      userVerification: {
        emailSubject: "Vérification de votre adresse (Territoires d'industrie)",
        emailBody: 'Votre code de vérification est {####}.',
        emailStyle: cognito.VerificationEmailStyle.CODE,
      },
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // Read by the handlers as the ID token's claims `custom:role` and `custom:region`.
      customAttributes: {
        role: new cognito.StringAttribute({ minLen: 1, maxLen: 16, mutable: true }),
        region: new cognito.StringAttribute({ minLen: 2, maxLen: 3, mutable: true }),
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.userPoolClient = this.userPool.addClient('Console', {
      authFlows: { userSrp: true },
      // No hosted UI / OAuth flows (CDK would otherwise enable the implicit grant): SRP sign-in only.
      disableOAuth: true,
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      // Operators must never set their own role or region: only administrators (AdminUpdateUserAttributes).
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true }),
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('role', 'region'),
    });
    const authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'OperateurAuthorizer', {
      cognitoUserPools: [this.userPool],
      identitySource: apigateway.IdentitySource.header('Authorization'),
      resultsCacheTtl: Duration.minutes(5),
    });

    // --- REST API ----------------------------------------------------------------------------
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR });
    const stageName = props.stageName ?? 'v1';
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: 'territoires-industrie',
      description: "API du programme Territoires d'industrie",
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Files posted as such (e.g. text/csv in Windows-1252) reach the handler as bytes, base64-encoded.
      binaryMediaTypes: typesMediaBinaires,
      minCompressionSize: Size.kibibytes(1),
      // API Gateway writes access and execution logs through an account-level role.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName,
        throttlingRateLimit: props.throttlingRateLimit ?? 50,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        // Request/response bodies would put personal data in the execution logs.
        dataTraceEnabled: false,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigateway.AccessLogField.contextRequestId(),
            extendedRequestId: apigateway.AccessLogField.contextExtendedRequestId(),
            ip: apigateway.AccessLogField.contextIdentitySourceIp(),
            userAgent: apigateway.AccessLogField.contextIdentityUserAgent(),
            requestTime: apigateway.AccessLogField.contextRequestTime(),
            httpMethod: apigateway.AccessLogField.contextHttpMethod(),
            resourcePath: apigateway.AccessLogField.contextResourcePath(),
            status: apigateway.AccessLogField.contextStatus(),
            protocol: apigateway.AccessLogField.contextProtocol(),
            responseLength: apigateway.AccessLogField.contextResponseLength(),
            responseLatency: apigateway.AccessLogField.contextResponseLatency(),
            integrationLatency: apigateway.AccessLogField.contextIntegrationLatency(),
            errorType: apigateway.AccessLogField.contextErrorResponseType(),
            errorMessage: apigateway.AccessLogField.contextErrorMessage(),
            operator: apigateway.AccessLogField.contextAuthorizerClaims('sub'),
            xrayTraceId: apigateway.AccessLogField.contextXrayTraceId(),
          }),
        ),
      },
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'AWS-maintained policy of the account-level role API Gateway needs to write access and execution logs.',
    });

    // Parameters and headers are validated by API Gateway. Bodies are validated in the handlers with
    // zod, so that errors carry French messages and field paths (`errors: [{path, message}]`): no
    // method has a request model, and "if no matching content type is found, request validation is
    // not performed" (API Gateway developer guide, request validation), so bodies reach the Lambda.
    const validator = this.api.addRequestValidator('Validator', {
      requestValidatorName: 'parametres-et-en-tetes',
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    for (const [responseId, response] of Object.entries(problemResponses)) {
      this.api.addGatewayResponse(responseId, response);
    }

    // --- One function per route --------------------------------------------------------------
    for (const route of routes) {
      const fn = this.routeFunction(route, props);
      const resource = this.api.root.resourceForPath(route.path);
      const method = resource.addMethod(
        route.method,
        new apigateway.LambdaIntegration(fn, { proxy: true, allowTestInvoke: false }),
        {
          requestValidator: validator,
          requestParameters: requestParametersOf(route),
          ...(route.auth === 'operator'
            ? { authorizer, authorizationType: apigateway.AuthorizationType.COGNITO }
            : { authorizationType: apigateway.AuthorizationType.NONE }),
        },
      );
      if (route.auth !== 'operator') {
        const reason =
          route.auth === 'public'
            ? 'Public route by the HTTP contract (health, OpenAPI document, aggregates): no caller identity.'
            : 'Form route: the Lambda verifies the X-Source/X-Signature HMAC over the raw body (an authorizer cannot see the body).';
        Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason });
        Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason });
      }
    }

    // --- WAF -----------------------------------------------------------------------------------
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('territoires-industrie-api'),
      customResponseBodies: {
        'trop-volumineux': {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            type: 'about:blank',
            title: 'Requête trop volumineuse',
            status: 413,
            detail: `Le corps de la requête dépasse ${TAILLE_MAX_CORPS / 1024 / 1024} Mio, le plus grand qu’une route accepte.`,
          }),
        },
      },
      rules: [
        managedRuleGroup('AWSManagedRulesAmazonIpReputationList', 0),
        managedRuleGroup('AWSManagedRulesCommonRuleSet', 1, [
          // Candidatures and fiches-action bodies exceed the rule set's 8 KB; the API limits bodies itself.
          { name: 'SizeRestrictions_BODY', actionToUse: { count: {} } },
        ]),
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 2),
        {
          // Bodies above the largest a route accepts are refused at the edge, before any function runs
          // (each route still checks its own limit: 413 problem+json from the handler's chain).
          name: 'TailleMaximale',
          priority: 3,
          action: {
            block: { customResponse: { responseCode: 413, customResponseBodyKey: 'trop-volumineux' } },
          },
          statement: {
            regexMatchStatement: {
              regexString: regexEntierSuperieurA(TAILLE_MAX_CORPS),
              fieldToMatch: { singleHeader: { Name: 'content-length' } },
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
          visibilityConfig: visibility('taille-maximale'),
        },
        {
          name: 'LimiteParIp',
          priority: 4,
          action: { block: {} },
          statement: {
            rateBasedStatement: { limit: 1000, evaluationWindowSec: 300, aggregateKeyType: 'IP' },
          },
          visibilityConfig: visibility('limite-par-ip'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: webAcl.attrArn,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the API (stage)' });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
  }

  private routeFunction(route: Route, props: ApiStackProps): TiFunction {
    const id = functionId(route.handler);
    const fn = new TiFunction(this, id, {
      entry: handlerEntry(route.handler),
      description: `${route.method} ${route.path}`,
      ...(route.timeoutSeconds ? { timeout: Duration.seconds(route.timeoutSeconds) } : {}),
    });
    accorder(fn, route, props);
    if (route.formSecrets) {
      props.formSourcesSecret.grantRead(fn);
      fn.addEnvironment(env.formSourcesSecret, props.formSourcesSecret.secretArn);
    }
    if (route.stateMachine === 'callback') accorderCalendrier(fn, { reprendreEtape: true });
    if (route.stateMachine === 'start') accorderCalendrier(fn, { demarrer: 'arreter' });
    this.functions[`${route.method} ${route.path}`] = fn;
    return fn;
  }
}

/** Path parameters and, for form routes, the signature headers are required. */
export function requestParametersOf(route: Route): Record<string, boolean> {
  const parameters: Record<string, boolean> = {};
  for (const match of route.path.matchAll(/\{(\w+)\}/g)) {
    parameters[`method.request.path.${match[1]}`] = true;
  }
  if (route.auth === 'form') {
    parameters['method.request.header.X-Source'] = true;
    parameters['method.request.header.X-Signature'] = true;
  }
  return parameters;
}

function visibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

function managedRuleGroup(
  name: string,
  priority: number,
  ruleActionOverrides?: wafv2.CfnWebACL.RuleActionOverrideProperty[],
): wafv2.CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
    visibilityConfig: visibility(name),
  };
}
