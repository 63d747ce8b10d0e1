import { type BucketKey, buckets } from '@ti/platform/buckets';
import { type Access, routes as definedRoutes, type Route } from '@ti/platform/routes';
import { type TableKey, tables } from '@ti/platform/tables';
import type { CfnResource } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Json, type Synthesized, synthesize } from './synth';

/** The routes, widened to `Route` (the definitions are `as const`). */
const routes: readonly Route[] = definedRoutes;

/**
 * Least privilege, read from the synthesized templates: each function's role names only the tables,
 * buckets and secret its route declares, with the actions its declared access needs. The expected
 * action lists are written here, independently of infra/constructs/ti-function.ts.
 */
const TABLE_READ = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const TABLE_WRITE = [
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];
const TABLE_MUTATIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];
const INDEX_READ = ['dynamodb:Query', 'dynamodb:Scan'];
const OBJECT_READ = ['s3:GetObject', 's3:GetObjectVersion'];
const OBJECT_WRITE = ['s3:AbortMultipartUpload', 's3:PutObject'];
const SECRET_READ = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

const expectedTableActions = (access: Access) =>
  [...new Set([...(access !== 'write' ? TABLE_READ : []), ...(access !== 'read' ? TABLE_WRITE : [])])].sort();

let s: Synthesized;
let api: Record<string, Json>;
/** Logical id, in the data stack, of each data resource → what it is. */
let dataResources: Map<string, { kind: 'table' | 'bucket' | 'secret'; key: string }>;

beforeAll(() => {
  s = synthesize();
  api = s.apiTemplate.toJSON().Resources;
  const id = (c: { node: { defaultChild?: unknown } }) =>
    s.data.getLogicalId(c.node.defaultChild as CfnResource);
  dataResources = new Map();
  for (const key of Object.keys(tables) as TableKey[]) {
    dataResources.set(id(s.data.tables[key]), { kind: 'table', key });
  }
  for (const key of Object.keys(buckets) as BucketKey[]) {
    dataResources.set(id(s.data.buckets[key]), { kind: 'bucket', key });
  }
  dataResources.set(id(s.data.formSourcesSecret), { kind: 'secret', key: 'formSources' });
});

const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** The data-stack logical id a cross-stack reference points to (weak or strong references). */
function producerLogicalId(value: Json): string | undefined {
  const outputs = s.dataTemplate.toJSON().Outputs as Record<string, Json>;
  const fromOutput = (output: Json | undefined): string | undefined => {
    const v = output?.Value;
    return v?.Ref ?? v?.['Fn::GetAtt']?.[0];
  };
  if (value === null || typeof value !== 'object') return undefined;
  if (value['Fn::GetStackOutput']) return fromOutput(outputs[value['Fn::GetStackOutput'].OutputName]);
  if (value['Fn::ImportValue']) {
    return fromOutput(Object.values(outputs).find((o: Json) => o.Export?.Name === value['Fn::ImportValue']));
  }
  for (const child of Object.values(value)) {
    const found = producerLogicalId(child);
    if (found) return found;
  }
  return undefined;
}

/** `''`, `/*` or `/index/<name>`: the literal suffix a resource adds after the referenced ARN. */
function suffixOf(resource: Json): string {
  const join = resource['Fn::Join'];
  if (!join) return '';
  return join[1].filter((part: Json) => typeof part === 'string').join('');
}

interface Grant {
  kind: 'table' | 'bucket' | 'secret' | 'star' | 'own-log-group' | 'state-machine' | 'other';
  key?: string;
  suffix: string;
  actions: string[];
}

/** Every (resource, actions) pair granted to the route's function role. */
function grantsOf(route: Route): Grant[] {
  const fn = s.api.functions[`${route.method} ${route.path}`];
  if (!fn?.role) throw new Error(`no function for ${route.method} ${route.path}`);
  const roleId = s.api.getLogicalId(fn.role.node.defaultChild as CfnResource);
  const logGroupId = s.api.getLogicalId(fn.logGroup.node.defaultChild as CfnResource);
  const role = api[roleId];
  expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
  expect(role.Properties.Policies ?? []).toEqual([]);
  const policies = Object.values(api).filter(
    (r: Json) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: Json) => x.Ref === roleId),
  ) as Json[];
  const grants: Grant[] = [];
  for (const policy of policies) {
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      expect(statement.Effect).toBe('Allow');
      const actions = asArray<string>(statement.Action).sort();
      for (const resource of asArray<Json>(statement.Resource)) {
        if (resource === '*') {
          grants.push({ kind: 'star', suffix: '', actions });
          continue;
        }
        // The calendar's state machine, by its fixed name (its executions: `…:execution:<name>:*`).
        if (actions.every((a) => a.startsWith('states:'))) {
          const suffix = suffixOf(resource).replace(/^.*:(stateMachine|execution):/, '$1:');
          grants.push({ kind: 'state-machine', suffix, actions });
          continue;
        }
        if (resource['Fn::GetAtt']?.[0] === logGroupId) {
          grants.push({ kind: 'own-log-group', suffix: '', actions });
          continue;
        }
        const producer = producerLogicalId(resource);
        const data = producer ? dataResources.get(producer) : undefined;
        grants.push(
          data ? { ...data, suffix: suffixOf(resource), actions } : { kind: 'other', suffix: '', actions },
        );
      }
    }
  }
  return grants;
}

describe('IAM: each function holds only what its route declares', () => {
  for (const route of routes) {
    describe(`${route.method} ${route.path}`, () => {
      it('no wildcard action, nothing outside its data, logs and X-Ray', () => {
        const grants = grantsOf(route);
        for (const grant of grants) {
          for (const action of grant.actions) expect(action).not.toContain('*');
          expect(grant.kind).not.toBe('other');
        }
        // "*" only for X-Ray, which has no resource-level permission.
        for (const grant of grants.filter((g) => g.kind === 'star')) expect(grant.actions).toEqual(XRAY);
        expect(grants.filter((g) => g.kind === 'own-log-group').map((g) => g.actions)).toEqual([LOGS]);
      });

      it('tables: exactly the declared ones, with the declared access', () => {
        const grants = grantsOf(route).filter((g) => g.kind === 'table');
        const declared = (route.tables ?? {}) as Partial<Record<TableKey, Access>>;
        expect([...new Set(grants.map((g) => g.key))].sort()).toEqual(Object.keys(declared).sort());
        for (const [key, access] of Object.entries(declared) as [TableKey, Access][]) {
          const onTable = grants.filter((g) => g.key === key && g.suffix === '');
          expect(onTable.flatMap((g) => g.actions).sort(), `${key} (${access})`).toEqual(
            expectedTableActions(access),
          );
          if (access === 'read') {
            for (const action of TABLE_MUTATIONS)
              expect(onTable.flatMap((g) => g.actions)).not.toContain(action);
          }
          const definition = tables[key];
          const indexNames = 'globalIndexes' in definition ? definition.globalIndexes.map((i) => i.name) : [];
          const onIndexes = grants.filter((g) => g.key === key && g.suffix !== '');
          const expectedIndexes = access === 'write' ? [] : indexNames.map((name) => `/index/${name}`);
          expect(onIndexes.map((g) => g.suffix).sort()).toEqual(expectedIndexes.sort());
          for (const grant of onIndexes) expect(grant.actions).toEqual(INDEX_READ);
        }
      });

      it('buckets: exactly the declared ones, objects only, with the declared access', () => {
        const grants = grantsOf(route).filter((g) => g.kind === 'bucket');
        const declared = (route.buckets ?? {}) as Partial<Record<BucketKey, Access>>;
        expect([...new Set(grants.map((g) => g.key))].sort()).toEqual(Object.keys(declared).sort());
        for (const [key, access] of Object.entries(declared) as [BucketKey, Access][]) {
          const onObjects = grants
            .filter((g) => g.key === key && g.suffix === '/*')
            .flatMap((g) => g.actions);
          const expected = [
            ...(access !== 'write' ? OBJECT_READ : []),
            ...(access !== 'read' ? OBJECT_WRITE : []),
          ];
          expect(onObjects.sort()).toEqual(expected.sort());
          const onBucket = grants.filter((g) => g.key === key && g.suffix === '').flatMap((g) => g.actions);
          expect(onBucket).toEqual(access === 'write' ? [] : ['s3:ListBucket']);
        }
      });

      it(`reaches the calendar's state machine as declared (${route.stateMachine ?? 'not at all'})`, () => {
        const grants = grantsOf(route)
          .filter((g) => g.kind === 'state-machine')
          .map((g) => `${g.actions.join(',')} on ${g.suffix}`)
          .sort();
        const machine = 'stateMachine:territoires-industrie-calendrier';
        const executions = 'execution:territoires-industrie-calendrier:*';
        const expected = {
          start: [`states:StartExecution on ${machine}`, `states:StopExecution on ${executions}`],
          callback: [`states:SendTaskSuccess on ${machine}`],
          none: [],
        }[route.stateMachine ?? 'none'];
        expect(grants).toEqual(expected);
      });

      it(route.formSecrets ? 'reads the form sources secret' : 'cannot read the form sources secret', () => {
        const grants = grantsOf(route).filter((g) => g.kind === 'secret');
        if (route.formSecrets) {
          expect(grants.map((g) => g.actions)).toEqual([SECRET_READ]);
        } else {
          expect(grants).toEqual([]);
        }
      });
    });
  }

  it('GET /candidatures/{id} reads the candidatures table (and its index) and nothing else', () => {
    const route = routes.find((r) => r.method === 'GET' && r.path === '/candidatures/{id}');
    if (!route) throw new Error('route GET /candidatures/{id} is gone');
    const data = grantsOf(route).filter((g) => ['table', 'bucket', 'secret'].includes(g.kind));
    expect(data).toEqual([
      { kind: 'table', key: 'candidatures', suffix: '', actions: TABLE_READ },
      { kind: 'table', key: 'candidatures', suffix: '/index/parCampagne', actions: INDEX_READ },
    ]);
  });

  it('no IAM policy of either stack grants a wildcard action', () => {
    for (const template of [s.apiTemplate, s.dataTemplate]) {
      for (const policy of Object.values(template.findResources('AWS::IAM::Policy')) as Json[]) {
        for (const statement of policy.Properties.PolicyDocument.Statement) {
          for (const action of asArray<string>(statement.Action)) expect(action).not.toMatch(/\*/);
        }
      }
    }
  });
});
