import { recalculAgregats } from '@ti/platform/agregats/recalcul';
import { type BucketKey, buckets } from '@ti/platform/buckets';
import { type FonctionCalendrier, fonctionsCalendrier } from '@ti/platform/calendrier/taches';
import { type Declencheur, declencheurs, recuperationBpifrance } from '@ti/platform/declencheurs';
import { sondeOperations } from '@ti/platform/metriques';
import { type Access, routes as definedRoutes, type Route } from '@ti/platform/routes';
import { type TableKey, tables } from '@ti/platform/tables';
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TiFunction } from '../../infra/constructs/ti-function';
import {
  asArray,
  type Json,
  logicalId,
  producerLogicalId,
  type Synthesized,
  synthesize,
  TABLE_MUTATIONS,
  TABLE_READ,
  TABLE_WRITE,
} from './synth';

/** The routes, widened to `Route` (the definitions are `as const`). */
const routes: readonly Route[] = definedRoutes;

/**
 * Least privilege, read from the synthesized templates: each function's role names only the tables,
 * buckets and secret its definition declares (its route in routes.ts; `fonctionsCalendrier`,
 * `declencheurs`, `recuperationBpifrance`, `recalculAgregats`, `sondeOperations` for the others), with
 * the actions its declared access needs. The expected action lists are written here (the tables' ones
 * in synth.ts), independently of infra/constructs/ti-function.ts.
 */
const INDEX_READ = ['dynamodb:Query', 'dynamodb:Scan'];
const OBJECT_READ = ['s3:GetObject', 's3:GetObjectVersion'];
const OBJECT_WRITE = ['s3:AbortMultipartUpload', 's3:PutObject'];
const SECRET_READ = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
/** What a function's role may send to its dead-letter queue (Lambda's asynchronous on-failure destination). */
const QUEUE_SEND = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];

/**
 * The only actions an identity policy may grant on `Resource: "*"`, because AWS defines no resource for
 * them: X-Ray's segments and sampling (every traced function, the state machine), and CloudWatch Logs'
 * log delivery, through which Step Functions writes its execution logs (the service's documented policy).
 */
const SANS_RESSOURCE = new Set([
  ...XRAY,
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
]);

/** What a function may touch of the data stack, as its definition declares it. */
interface Acces {
  tables: Partial<Record<TableKey, Access>>;
  buckets: Partial<Record<BucketKey, Access>>;
}

const expectedTableActions = (access: Access) =>
  [...new Set([...(access !== 'write' ? TABLE_READ : []), ...(access !== 'read' ? TABLE_WRITE : [])])].sort();

let s: Synthesized;
/** Each stack's resources, by logical id. */
let resources: Map<Stack, Record<string, Json>>;
/** Logical id, in the data stack, of each data resource → what it is. */
let dataResources: Map<string, { kind: 'table' | 'bucket' | 'secret'; key: string }>;

const stacks = () => [s.data, s.api, s.workflow, s.agregats, s.ingestion, s.observabilite];

beforeAll(() => {
  s = synthesize();
  resources = new Map(stacks().map((stack) => [stack, s.templates.get(stack)?.toJSON().Resources]));
  dataResources = new Map();
  for (const key of Object.keys(tables) as TableKey[]) {
    dataResources.set(logicalId(s.data.tables[key]), { kind: 'table', key });
  }
  for (const key of Object.keys(buckets) as BucketKey[]) {
    dataResources.set(logicalId(s.data.buckets[key]), { kind: 'bucket', key });
  }
  dataResources.set(logicalId(s.data.formSourcesSecret), { kind: 'secret', key: 'formSources' });
});

/** The logical ids a value refers to in its own template (`Ref`, `Fn::GetAtt`), at any depth. */
function localRefs(value: Json): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (typeof value.Ref === 'string') return [value.Ref];
  if (Array.isArray(value['Fn::GetAtt'])) return [value['Fn::GetAtt'][0]];
  return Object.values(value).flatMap(localRefs);
}

/** `''`, `/*` or `/index/<name>`: the literal suffix a resource adds after the referenced ARN. */
function suffixOf(resource: Json): string {
  const join = resource['Fn::Join'];
  if (!join) return '';
  return join[1].filter((part: Json) => typeof part === 'string').join('');
}

/** Resources of the function's own stack a grant may name, by CloudFormation type. */
const LOCAL_KINDS: Record<string, Grant['kind']> = {
  'AWS::SQS::Queue': 'queue',
  'AWS::SecretsManager::Secret': 'secret',
  'AWS::Events::EventBus': 'bus',
  'AWS::SES::EmailIdentity': 'email',
};

interface Grant {
  kind:
    | 'table'
    | 'bucket'
    | 'secret'
    | 'queue'
    | 'bus'
    | 'email'
    | 'star'
    | 'own-log-group'
    | 'state-machine'
    | 'other';
  /** The data key (tables, buckets, `formSources`), or the logical id of a resource of the function's stack. */
  key?: string;
  suffix: string;
  actions: string[];
}

/** Every (resource, actions) pair granted to a function's role, in whichever stack it is. */
function grantsOf(fn: TiFunction): Grant[] {
  if (!fn.role) throw new Error(`no role for ${fn.node.path}`);
  const stack = Stack.of(fn);
  const template = resources.get(stack);
  if (!template) throw new Error(`stack ${stack.stackName} is not one of the app's`);
  const roleId = logicalId(fn.role);
  const logGroupId = logicalId(fn.logGroup);
  const role = template[roleId];
  expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
  expect(role.Properties.Policies ?? []).toEqual([]);
  const policies = Object.values(template).filter(
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
        const producer = producerLogicalId(s.dataTemplate, resource);
        const data = producer ? dataResources.get(producer) : undefined;
        if (data) {
          grants.push({ ...data, suffix: suffixOf(resource), actions });
          continue;
        }
        const [local, ...others] = localRefs(resource).filter((id) => id in template);
        const kind = local && others.length === 0 ? LOCAL_KINDS[template[local].Type] : undefined;
        grants.push(
          kind ? { kind, key: local, suffix: '', actions } : { kind: 'other', suffix: '', actions },
        );
      }
    }
  }
  return grants;
}

/** The function of a route, in the API stack. */
function fonctionDe(route: Route): TiFunction {
  const fn = s.api.functions[`${route.method} ${route.path}`];
  if (!fn) throw new Error(`no function for ${route.method} ${route.path}`);
  return fn as TiFunction;
}

/** No wildcard action, `*` for X-Ray only, logs on its own log group only, nothing unidentified. */
function expectNoWildcard(grants: Grant[]): void {
  for (const grant of grants) {
    for (const action of grant.actions) expect(action).not.toContain('*');
    expect(grant.kind).not.toBe('other');
  }
  // "*" only for X-Ray, which has no resource-level permission.
  for (const grant of grants.filter((g) => g.kind === 'star')) expect(grant.actions).toEqual(XRAY);
  expect(grants.filter((g) => g.kind === 'own-log-group').map((g) => g.actions)).toEqual([LOGS]);
}

/** Tables: exactly the declared ones, with the declared access (and reads on their indexes). */
function expectTables(grants: Grant[], declared: Acces['tables']): void {
  const onTables = grants.filter((g) => g.kind === 'table');
  expect([...new Set(onTables.map((g) => g.key))].sort()).toEqual(Object.keys(declared).sort());
  for (const [key, access] of Object.entries(declared) as [TableKey, Access][]) {
    const onTable = onTables.filter((g) => g.key === key && g.suffix === '');
    expect(onTable.flatMap((g) => g.actions).sort(), `${key} (${access})`).toEqual(
      expectedTableActions(access),
    );
    if (access === 'read') {
      for (const action of TABLE_MUTATIONS) expect(onTable.flatMap((g) => g.actions)).not.toContain(action);
    }
    const definition = tables[key];
    const indexNames = 'globalIndexes' in definition ? definition.globalIndexes.map((i) => i.name) : [];
    const onIndexes = onTables.filter((g) => g.key === key && g.suffix !== '');
    const expectedIndexes = access === 'write' ? [] : indexNames.map((name) => `/index/${name}`);
    expect(onIndexes.map((g) => g.suffix).sort()).toEqual(expectedIndexes.sort());
    for (const grant of onIndexes) expect(grant.actions).toEqual(INDEX_READ);
  }
}

/** Buckets: exactly the declared ones, objects only (and ListBucket to read), with the declared access. */
function expectBuckets(grants: Grant[], declared: Acces['buckets']): void {
  const onBuckets = grants.filter((g) => g.kind === 'bucket');
  expect([...new Set(onBuckets.map((g) => g.key))].sort()).toEqual(Object.keys(declared).sort());
  for (const [key, access] of Object.entries(declared) as [BucketKey, Access][]) {
    const onObjects = onBuckets.filter((g) => g.key === key && g.suffix === '/*').flatMap((g) => g.actions);
    const expected = [...(access !== 'write' ? OBJECT_READ : []), ...(access !== 'read' ? OBJECT_WRITE : [])];
    expect(onObjects.sort(), `${key} (${access})`).toEqual(expected.sort());
    const onBucket = onBuckets.filter((g) => g.key === key && g.suffix === '').flatMap((g) => g.actions);
    expect(onBucket).toEqual(access === 'write' ? [] : ['s3:ListBucket']);
  }
}

describe('IAM: each function holds only what its route declares', () => {
  for (const route of routes) {
    describe(`${route.method} ${route.path}`, () => {
      it('no wildcard action, nothing outside its data, logs and X-Ray', () => {
        expectNoWildcard(grantsOf(fonctionDe(route)));
      });

      it('tables: exactly the declared ones, with the declared access', () => {
        expectTables(grantsOf(fonctionDe(route)), route.tables ?? {});
      });

      it('buckets: exactly the declared ones, objects only, with the declared access', () => {
        expectBuckets(grantsOf(fonctionDe(route)), route.buckets ?? {});
      });

      it(`reaches the calendar's state machine as declared (${route.stateMachine ?? 'not at all'})`, () => {
        const grants = grantsOf(fonctionDe(route))
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
        const grants = grantsOf(fonctionDe(route)).filter((g) => g.kind === 'secret');
        if (route.formSecrets) {
          expect(grants.map((g) => g.actions)).toEqual([SECRET_READ]);
        } else {
          expect(grants).toEqual([]);
        }
      });

      it('nothing else: no queue, bus or e-mail identity', () => {
        const grants = grantsOf(fonctionDe(route));
        expect(grants.filter((g) => ['queue', 'bus', 'email'].includes(g.kind))).toEqual([]);
      });
    });
  }

  it('GET /candidatures/{id} reads the candidatures table (and its index) and nothing else', () => {
    const route = routes.find((r) => r.method === 'GET' && r.path === '/candidatures/{id}');
    if (!route) throw new Error('route GET /candidatures/{id} is gone');
    const data = grantsOf(fonctionDe(route)).filter((g) => ['table', 'bucket', 'secret'].includes(g.kind));
    expect(data).toEqual([
      { kind: 'table', key: 'candidatures', suffix: '', actions: TABLE_READ },
      { kind: 'table', key: 'candidatures', suffix: '/index/parCampagne', actions: INDEX_READ },
    ]);
  });
});

/**
 * The functions no route runs: the calendar's, the ingestion and the Bpifrance fetch, the aggregates'
 * recompute, the probe. Each is checked against the definition its stack builds it from, plus what its
 * stack gives it beside its data (a dead-letter queue, the calendar's state machine, the event bus and
 * the e-mail identity, Bpifrance's credentials), written out here.
 */
interface FonctionHorsApi {
  fn: () => TiFunction;
  acces: Acces;
  /** Its grants other than data, X-Ray and its own log group: `<actions> on <kind>[ <key or suffix>]`. */
  autres: () => string[];
}

const autre = (actions: string[], kind: Grant['kind'], cible = '') =>
  `${[...actions].sort().join(',')} on ${kind}${cible ? ` ${cible}` : ''}`;

const horsApi: Record<string, FonctionHorsApi> = {
  ...Object.fromEntries(
    (Object.entries(fonctionsCalendrier) as [keyof typeof fonctionsCalendrier, FonctionCalendrier][]).map(
      ([cle, definition]) => [
        `calendrier/${cle}`,
        {
          fn: () => s.workflow.fonctions[cle],
          acces: { tables: definition.tables, buckets: {} },
          autres: () => [
            ...(definition.notifications
              ? [
                  autre(['events:PutEvents'], 'bus', logicalId(s.workflow.bus)),
                  autre(['ses:SendEmail', 'ses:SendRawEmail'], 'email', logicalId(s.workflow.expediteur)),
                ]
              : []),
            ...(definition.callbacks
              ? [
                  autre(
                    ['states:SendTaskSuccess'],
                    'state-machine',
                    'stateMachine:territoires-industrie-calendrier',
                  ),
                ]
              : []),
            ...(definition.executions
              ? [
                  autre(
                    ['states:StartExecution'],
                    'state-machine',
                    'stateMachine:territoires-industrie-calendrier',
                  ),
                  autre(
                    ['states:DescribeExecution'],
                    'state-machine',
                    'execution:territoires-industrie-calendrier:*',
                  ),
                ]
              : []),
            // The daily resume is invoked asynchronously: its failures go to the calendar's queue.
            ...(cle === 'reprendre' ? [autre(QUEUE_SEND, 'queue', logicalId(s.workflow.echecsReprise))] : []),
          ],
        },
      ],
    ),
  ),
  'laureats/ingerer': {
    fn: () => s.ingestion.ingestion,
    acces: declencheurs.find((d) => d.handler === 'laureats/ingerer') as Declencheur,
    autres: () => [autre(QUEUE_SEND, 'queue', logicalId(s.ingestion.echecs))],
  },
  'laureats/recuperer': {
    fn: () => s.ingestion.recuperation,
    acces: recuperationBpifrance,
    autres: () => [
      autre(QUEUE_SEND, 'queue', logicalId(s.ingestion.echecs)),
      autre(SECRET_READ, 'secret', logicalId(s.ingestion.sourceBpifrance)),
    ],
  },
  'agregats/recalculer': {
    fn: () => s.agregats.recalcul,
    acces: recalculAgregats,
    autres: () => [autre(QUEUE_SEND, 'queue', logicalId(s.agregats.echecs))],
  },
  // No retry and no dead-letter queue: a probe's run is worth nothing once the next one is due.
  'operations/sonder': { fn: () => s.observabilite.sonde, acces: sondeOperations, autres: () => [] },
};

describe('IAM: each function no route runs holds only what its definition declares', () => {
  for (const [nom, { fn, acces, autres }] of Object.entries(horsApi)) {
    describe(nom, () => {
      it('no wildcard action, nothing outside its data, logs, X-Ray and what its stack gives it', () => {
        const grants = grantsOf(fn());
        expectNoWildcard(grants);
        const other = grants
          .filter((g) => !['table', 'bucket', 'star', 'own-log-group'].includes(g.kind))
          .map((g) => autre(g.actions, g.kind, g.key ?? g.suffix))
          .sort();
        expect(other).toEqual(autres().sort());
        // The form sources' secret is the API's alone.
        expect(grants.filter((g) => g.kind === 'secret' && g.key === 'formSources')).toEqual([]);
      });

      it(`tables: exactly ${JSON.stringify(acces.tables)}`, () => {
        expectTables(grantsOf(fn()), acces.tables);
      });

      it(`buckets: exactly ${JSON.stringify(acces.buckets)}`, () => {
        expectBuckets(grantsOf(fn()), acces.buckets);
      });
    });
  }

  it('every function of the app is checked, here or above (a new one must say what it may touch)', () => {
    const all = s.app.node.findAll().filter((c): c is TiFunction => c instanceof TiFunction);
    const checked = [...routes.map(fonctionDe), ...Object.values(horsApi).map(({ fn }) => fn())];
    expect(all.map((f) => f.node.path).sort()).toEqual(checked.map((f) => f.node.path).sort());
  });
});

/** Every policy statement of a template: identity policies, resource policies, key policies, trust policies. */
function statementsOf(template: Record<string, Json>) {
  const out: { id: string; type: string; identity: boolean; statement: Json }[] = [];
  const walk = (id: string, type: string, value: Json, identity: boolean) => {
    if (typeof value === 'string' && value.includes('"Statement"')) {
      walk(id, type, JSON.parse(value), identity);
    } else if (Array.isArray(value)) {
      for (const v of value) walk(id, type, v, identity);
    } else if (value !== null && typeof value === 'object') {
      if (Array.isArray(value.Statement) && value.Version) {
        for (const statement of value.Statement) out.push({ id, type, identity, statement });
        return;
      }
      for (const v of Object.values(value)) walk(id, type, v, identity);
    }
  };
  for (const [id, r] of Object.entries(template)) {
    const identity = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role'].includes(r.Type);
    walk(id, r.Type, r.Properties ?? {}, identity);
  }
  return out;
}

describe('IAM: every statement of every stack', () => {
  /** `*` alone, or a whole service (`dynamodb:*`, `s3:*`, `kms:*`…). */
  const WILDCARD = /^(\*|[a-z0-9-]+:\*)$/;

  it('covers the six stacks of the app, whose policies it reads', () => {
    expect(stacks().map((stack) => stack.stackName)).toEqual(
      s.app.node.children.filter((c): c is Stack => c instanceof Stack).map((stack) => stack.stackName),
    );
    expect(stacks()).toHaveLength(6);
    for (const stack of stacks()) {
      if (stack === s.data) continue;
      expect(
        statementsOf(resources.get(stack) as Json).filter((x) => x.identity),
        stack.stackName,
      ).not.toEqual([]);
    }
  });

  it('no identity policy grants a wildcard action (not even `service:Verb*`), on any service', () => {
    for (const stack of stacks()) {
      for (const { id, statement } of statementsOf(resources.get(stack) as Json).filter((x) => x.identity)) {
        for (const action of asArray<string>(statement.Action ?? statement.NotAction ?? [])) {
          expect(action, `${stack.stackName} ${id}`).not.toMatch(/\*/);
        }
        expect(statement.NotAction, `${stack.stackName} ${id}`).toBeUndefined();
        expect(statement.NotResource, `${stack.stackName} ${id}`).toBeUndefined();
      }
    }
  });

  it('no statement allows `*` or `service:*`, except the default key policy of the alerts key', () => {
    const allowed: string[] = [];
    for (const stack of stacks()) {
      for (const { id, type, statement } of statementsOf(resources.get(stack) as Json)) {
        if (statement.Effect !== 'Allow') continue;
        const actions = asArray<string>(statement.Action ?? []).filter((a) => WILDCARD.test(a));
        if (actions.length > 0) allowed.push(`${stack.stackName} ${type} ${id} ${actions.join(',')}`);
      }
    }
    // KMS's default key policy: `kms:*` to the account itself (the root principal), which delegates the
    // key's use to IAM policies (no principal gets anything from it without an identity policy, and no
    // identity policy here names KMS); without it the key could no longer be administered.
    const cle = s.observabilite.cle;
    expect(allowed).toEqual([`${s.observabilite.stackName} AWS::KMS::Key ${logicalId(cle)} kms:*`]);
    const statement = statementsOf(resources.get(s.observabilite) as Json).find(
      (x) => x.id === logicalId(cle) && asArray(x.statement.Action).includes('kms:*'),
    )?.statement;
    // The account of the stack itself, as `arn:<partition>:iam::<its account>:root`.
    expect(JSON.stringify(statement.Principal)).toMatch(
      /^\{"AWS":\{"Fn::Join":\["",\["arn:[a-z-]+:iam::",\{"Ref":"AWS::AccountId"\},":root"\]\]\}\}$/,
    );
    expect(statement.Condition).toBeUndefined();
  });

  it('`Resource: "*"` only for actions that have no resource (X-Ray, Logs delivery) and in key policies', () => {
    for (const stack of stacks()) {
      for (const { id, type, statement } of statementsOf(resources.get(stack) as Json)) {
        if (statement.Effect !== 'Allow' || !asArray(statement.Resource ?? []).includes('*')) continue;
        // In a key policy, "*" is the key itself.
        if (type === 'AWS::KMS::Key') continue;
        for (const action of asArray<string>(statement.Action)) {
          expect(SANS_RESSOURCE.has(action), `${stack.stackName} ${id}: ${action} on "*"`).toBe(true);
        }
      }
    }
  });

  it('only the functions’ roles (checked above against their definitions) touch data', () => {
    const functionRoles = new Set(
      s.app.node
        .findAll()
        .filter((c): c is TiFunction => c instanceof TiFunction)
        .map((fn) => `${Stack.of(fn).stackName}/${logicalId(fn.role as IConstruct)}`),
    );
    const DATA = /^(dynamodb|s3|secretsmanager|kms):/;
    for (const stack of stacks()) {
      const template = resources.get(stack) as Json;
      for (const [id, r] of Object.entries<Json>(template)) {
        if (r.Type !== 'AWS::IAM::Policy') continue;
        const touchesData = r.Properties.PolicyDocument.Statement.some((st: Json) =>
          asArray<string>(st.Action).some((a) => DATA.test(a)),
        );
        if (!touchesData) continue;
        for (const role of r.Properties.Roles) {
          expect(functionRoles.has(`${stack.stackName}/${role.Ref}`), `${stack.stackName} ${id}`).toBe(true);
        }
      }
    }
  });
});
