import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bucketEnv } from '@ti/platform/buckets';
import { env } from '@ti/platform/config';
import { routes as definedRoutes, type Route, TAILLE_CORPS_DEFAUT } from '@ti/platform/routes';
import { tableEnv } from '@ti/platform/tables';
import type { CfnResource } from 'aws-cdk-lib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/constructs/bundling';
import { regexEntierSuperieurA } from '../../infra/constructs/regex-entiers';
import { TAILLE_MAX_CORPS } from '../../infra/stacks/api-stack';
import { type Json, resourcesOfType, type Synthesized, synthesize } from './synth';

/** The routes, widened to `Route` (the definitions are `as const`). */
const routes: readonly Route[] = definedRoutes;

let s: Synthesized;
let api: Record<string, Json>;

beforeAll(() => {
  s = synthesize();
  api = s.apiTemplate.toJSON().Resources;
});

const routeKey = (route: Pick<Route, 'method' | 'path'>) => `${route.method} ${route.path}`;
const apiLogicalId = (construct: { node: { defaultChild?: unknown } }): string =>
  s.api.getLogicalId(construct.node.defaultChild as CfnResource);
const fnOf = (route: Route) => {
  const fn = s.api.functions[routeKey(route)];
  if (!fn) throw new Error(`no function for ${routeKey(route)}`);
  return fn;
};
const ofType = (type: string): [string, Json][] => resourcesOfType(api, type);

/** Full path of every API Gateway resource, from the PathPart/ParentId chain. */
function resourcePaths(): Map<string, string> {
  const resources = new Map(ofType('AWS::ApiGateway::Resource'));
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const resource = resources.get(id);
    const parent = resource.Properties.ParentId;
    const parentPath = parent.Ref ? pathOf(parent.Ref) : '';
    const path = `${parentPath}/${resource.Properties.PathPart}`;
    paths.set(id, path);
    return path;
  };
  for (const id of resources.keys()) pathOf(id);
  return paths;
}

function methods(): Map<string, Json> {
  const paths = resourcePaths();
  const out = new Map<string, Json>();
  for (const [, method] of ofType('AWS::ApiGateway::Method')) {
    const resourceId = method.Properties.ResourceId;
    const path = resourceId.Ref ? paths.get(resourceId.Ref) : '/';
    out.set(`${method.Properties.HttpMethod} ${path}`, method.Properties);
  }
  return out;
}

describe('routes', () => {
  it('every route handler exists under functions/ (cdk synth bundles them)', () => {
    const missing = routes
      .map((r) => `functions/${r.handler}.ts`)
      .filter((f) => !existsSync(join(repoRoot, f)));
    expect(missing).toEqual([]);
  });

  it('the API has exactly one method per route of packages/platform/src/routes.ts, and no other', () => {
    expect([...methods().keys()].sort()).toEqual(routes.map(routeKey).sort());
  });

  for (const route of routes) {
    describe(routeKey(route), () => {
      it(`is integrated (Lambda proxy) with its own function, functions/${route.handler}.ts`, () => {
        const method = methods().get(routeKey(route));
        expect(method.Integration.Type).toBe('AWS_PROXY');
        expect(JSON.stringify(method.Integration.Uri)).toContain(
          `"Fn::GetAtt":["${apiLogicalId(fnOf(route))}","Arn"]`,
        );
        expect(api[apiLogicalId(fnOf(route))].Properties.Description).toBe(routeKey(route));
      });

      it(
        route.auth === 'operator' ? 'requires the Cognito authorizer' : 'has no API Gateway authorizer',
        () => {
          const method = methods().get(routeKey(route));
          const [authorizerId] = ofType('AWS::ApiGateway::Authorizer').map(([id]) => id);
          if (route.auth === 'operator') {
            expect(method.AuthorizationType).toBe('COGNITO_USER_POOLS');
            expect(method.AuthorizerId).toEqual({ Ref: authorizerId });
          } else {
            expect(method.AuthorizationType).toBe('NONE');
            expect(method.AuthorizerId).toBeUndefined();
          }
        },
      );

      it('validates its required parameters and headers', () => {
        const method = methods().get(routeKey(route));
        const [validatorId] = ofType('AWS::ApiGateway::RequestValidator').map(([id]) => id);
        expect(method.RequestValidatorId).toEqual({ Ref: validatorId });
        const expected: Record<string, boolean> = {};
        for (const m of route.path.matchAll(/\{(\w+)\}/g)) expected[`method.request.path.${m[1]}`] = true;
        if (route.auth === 'form') {
          expected['method.request.header.X-Source'] = true;
          expected['method.request.header.X-Signature'] = true;
        }
        expect(method.RequestParameters ?? {}).toEqual(expected);
      });
    });
  }

  it('the validator checks parameters (bodies: no model, validated by the handlers with zod)', () => {
    const validators = ofType('AWS::ApiGateway::RequestValidator');
    expect(validators).toHaveLength(1);
    expect(validators[0]?.[1].Properties).toMatchObject({ ValidateRequestParameters: true });
    expect(ofType('AWS::ApiGateway::Model')).toEqual([]);
  });
});

describe('Lambda functions', () => {
  it('one function per route, and no other function', () => {
    expect(ofType('AWS::Lambda::Function')).toHaveLength(routes.length);
    expect(Object.keys(s.dataTemplate.findResources('AWS::Lambda::Function'))).toEqual([]);
  });

  it('every function is nodejs24.x on arm64 with active tracing and JSON logs in its own log group', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties.Runtime, id).toBe('nodejs24.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(fn.Properties.LoggingConfig.LogFormat, id).toBe('JSON');
      const logGroup = api[fn.Properties.LoggingConfig.LogGroup.Ref];
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties.RetentionInDays).toBe(90);
      expect(fn.Properties.Environment.Variables).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'territoires-industrie',
        POWERTOOLS_METRICS_NAMESPACE: 'TerritoiresIndustrie',
      });
    }
  });

  it(`no function of any stack has ${env.localFormSources} (local cloud only)`, () => {
    const all = [
      ...Object.values(s.apiTemplate.findResources('AWS::Lambda::Function')),
      ...Object.values(s.dataTemplate.findResources('AWS::Lambda::Function')),
    ] as Json[];
    for (const fn of all) {
      expect(Object.keys(fn.Properties.Environment?.Variables ?? {})).not.toContain(env.localFormSources);
    }
    expect(JSON.stringify(s.apiTemplate.toJSON())).not.toContain(env.localFormSources);
  });

  for (const route of routes) {
    it(`${routeKey(route)}: environment names exactly its tables, buckets and (form) secret`, () => {
      const variables = api[apiLogicalId(fnOf(route))].Properties.Environment.Variables;
      const expected = [
        'NODE_OPTIONS',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_TRACER_CAPTURE_RESPONSE',
        ...Object.keys(route.tables ?? {}).map((k) => tableEnv(k as never)),
        ...Object.keys(route.buckets ?? {}).map((k) => bucketEnv(k as never)),
        ...(route.formSecrets ? [env.formSourcesSecret] : []),
        ...(route.stateMachine === 'start' ? [env.stateMachineArn] : []),
      ].sort();
      expect(Object.keys(variables).sort()).toEqual(expected);
    });
  }
});

describe('stage', () => {
  it('throttles, traces, logs access and execution errors, publishes metrics', () => {
    const stages = ofType('AWS::ApiGateway::Stage');
    expect(stages).toHaveLength(1);
    const stage = stages[0]?.[1].Properties;
    expect(stage.TracingEnabled).toBe(true);
    expect(stage.MethodSettings).toEqual([
      {
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
        MetricsEnabled: true,
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
      },
    ]);
    expect(stage.AccessLogSetting.DestinationArn).toBeDefined();
    expect(JSON.parse(stage.AccessLogSetting.Format)).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
    });
  });

  it('is protected by a regional WAF web ACL', () => {
    const [stageId] = ofType('AWS::ApiGateway::Stage').map(([id]) => id);
    const associations = ofType('AWS::WAFv2::WebACLAssociation');
    expect(associations).toHaveLength(1);
    expect(JSON.stringify(associations[0]?.[1].Properties.ResourceArn)).toContain(stageId);
  });

  it('the web ACL: AWS managed rule groups, bodies over the largest route limit refused (413), a rate limit per IP', () => {
    const [[, acl]] = ofType('AWS::WAFv2::WebACL') as [[string, Json]];
    const regles = acl.Properties.Rules as Json[];
    const groupes = regles.flatMap((r) => r.Statement.ManagedRuleGroupStatement ?? []);
    expect(groupes.map((g: Json) => `${g.VendorName}/${g.Name}`).sort()).toEqual([
      'AWS/AWSManagedRulesAmazonIpReputationList',
      'AWS/AWSManagedRulesCommonRuleSet',
      'AWS/AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    for (const r of regles.filter((r) => r.Statement.ManagedRuleGroupStatement)) {
      expect(r.OverrideAction).toEqual({ None: {} });
    }

    const taille = regles.find((r) => r.Name === 'TailleMaximale');
    const plusGrande = Math.max(
      ...definedRoutes.map((r) => ('maxBodyBytes' in r ? (r.maxBodyBytes ?? 0) : 0)),
    );
    expect(TAILLE_MAX_CORPS).toBe(Math.max(plusGrande, TAILLE_CORPS_DEFAUT));
    expect(taille.Statement.RegexMatchStatement).toMatchObject({
      FieldToMatch: { SingleHeader: { Name: 'content-length' } },
      RegexString: regexEntierSuperieurA(TAILLE_MAX_CORPS),
    });
    const motif = new RegExp(taille.Statement.RegexMatchStatement.RegexString);
    expect(motif.test(String(TAILLE_MAX_CORPS))).toBe(false);
    expect(motif.test(String(TAILLE_MAX_CORPS + 1))).toBe(true);
    expect(taille.Action.Block.CustomResponse).toEqual({
      ResponseCode: 413,
      CustomResponseBodyKey: 'trop-volumineux',
    });
    const corps = acl.Properties.CustomResponseBodies['trop-volumineux'];
    expect(JSON.parse(corps.Content)).toMatchObject({ status: 413, title: 'Requête trop volumineuse' });

    const parIp = regles.find((r) => r.Name === 'LimiteParIp');
    expect(parIp.Action).toEqual({ Block: {} });
    expect(parIp.Statement.RateBasedStatement).toMatchObject({ Limit: 1000, AggregateKeyType: 'IP' });
    expect(new Set(regles.map((r) => r.Priority)).size).toBe(regles.length);
  });

  it('outputs the API URL', () => {
    const outputs = s.apiTemplate.toJSON().Outputs;
    expect(outputs.ApiUrl).toBeDefined();
    expect(JSON.stringify(outputs.ApiUrl.Value)).toContain('execute-api');
  });
});

describe('gateway responses', () => {
  const responses = () =>
    new Map(
      ofType('AWS::ApiGateway::GatewayResponse').map(([, r]) => [r.Properties.ResponseType, r.Properties]),
    );

  it.each([
    ['DEFAULT_4XX', '400'],
    ['DEFAULT_5XX', '500'],
    ['UNAUTHORIZED', '401'],
    ['ACCESS_DENIED', '403'],
    ['MISSING_AUTHENTICATION_TOKEN', '404'],
    ['REQUEST_TOO_LARGE', '413'],
    ['UNSUPPORTED_MEDIA_TYPE', '415'],
    ['THROTTLED', '429'],
    ['BAD_REQUEST_PARAMETERS', '401'], // missing X-Source/X-Signature, as the handlers answer
    ['BAD_REQUEST_BODY', '400'],
    ['WAF_FILTERED', '403'],
    ['INTEGRATION_TIMEOUT', '504'],
  ])('%s answers %s', (type, status) => {
    expect(responses().get(type)?.StatusCode).toBe(status);
  });

  it('every one is application/problem+json {type,title,status,detail} whose status is the HTTP status', () => {
    expect(responses().size).toBeGreaterThanOrEqual(20);
    for (const [type, response] of responses()) {
      expect(response.ResponseParameters, type).toEqual({
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
      });
      const body = JSON.parse(response.ResponseTemplates['application/json']);
      expect(Object.keys(body).sort(), type).toEqual(['detail', 'status', 'title', 'type']);
      expect(String(body.status), type).toBe(response.StatusCode);
      expect(body.title, type).toMatch(/^[A-ZÉ][a-zàâçéèêëîïôûùüÿœ' ]+$/);
      expect(body.detail.length, type).toBeGreaterThan(10);
    }
  });
});

describe('operators (Cognito)', () => {
  it('the user pool carries the custom attributes role and region, with MFA required', () => {
    const [[, pool]] = ofType('AWS::Cognito::UserPool') as [[string, Json]];
    const names = (pool.Properties.Schema as Json[]).map((a) => a.Name);
    expect(names).toEqual(expect.arrayContaining(['role', 'region']));
    expect(pool.Properties.MfaConfiguration).toBe('ON');
    expect(pool.Properties.AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
  });

  it('an operator can read but never write its own role or region, and no OAuth implicit flow', () => {
    const [[, client]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    expect(client.Properties.ReadAttributes).toEqual(
      expect.arrayContaining(['custom:role', 'custom:region']),
    );
    expect(client.Properties.WriteAttributes).not.toContain('custom:role');
    expect(client.Properties.WriteAttributes).not.toContain('custom:region');
    expect(client.Properties.AllowedOAuthFlows ?? []).not.toContain('implicit');
  });
});

describe('regexEntierSuperieurA (the WAF compares Content-Length as text)', () => {
  it('matches exactly the integers greater than the limit', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1e9 }), fc.nat({ max: 1e10 }), (limite, n) => {
        expect(new RegExp(regexEntierSuperieurA(limite)).test(String(n))).toBe(n > limite);
      }),
      { numRuns: 5000 },
    );
    // Around the limit, and the limits made of nines or zeros.
    for (const limite of [0, 9, 10, 99, 100, 4_194_304, 9_999_999]) {
      const motif = new RegExp(regexEntierSuperieurA(limite));
      for (const n of [limite - 1, limite, limite + 1, limite * 10, limite + 10]) {
        if (n >= 0) expect(motif.test(String(n)), `${n} > ${limite}`).toBe(n > limite);
      }
    }
  });

  it('fits in WAF’s 512 characters for any limit up to a gigabyte', () => {
    expect(regexEntierSuperieurA(1_073_741_823).length).toBeLessThanOrEqual(512);
  });
});
