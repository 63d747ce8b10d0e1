/**
 * Shared by the infrastructure tests: the app exactly as `cdk synth` builds it (same buildApp, same
 * cdk.json context, cdk-nag included), with bundling skipped so that no handler is built.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { buildApp, type TiApp } from '../../infra/build-app';

export interface Synthesized extends TiApp {
  assembly: CloudAssembly;
  dataTemplate: Template;
  apiTemplate: Template;
  workflowTemplate: Template;
  agregatsTemplate: Template;
  ingestionTemplate: Template;
  observabiliteTemplate: Template;
  /** The template of each of the six stacks, by stack. */
  templates: Map<Stack, Template>;
}

export function synthesize(): Synthesized {
  const built = buildApp({ 'aws:cdk:bundling-stacks': [] });
  // Synthesis runs the validation plugins (cdk-nag): an unacknowledged error throws here.
  const assembly = built.app.synth();
  const stacks = [
    built.data,
    built.api,
    built.workflow,
    built.agregats,
    built.ingestion,
    built.observabilite,
  ];
  const templates = new Map<Stack, Template>(stacks.map((stack) => [stack, Template.fromStack(stack)]));
  const of = (stack: Stack) => templates.get(stack) as Template;
  return {
    ...built,
    assembly,
    dataTemplate: of(built.data),
    apiTemplate: of(built.api),
    workflowTemplate: of(built.workflow),
    agregatsTemplate: of(built.agregats),
    ingestionTemplate: of(built.ingestion),
    observabiliteTemplate: of(built.observabilite),
    templates,
  };
}

export type Json = any;

/** The logical id of a construct's CloudFormation resource, in its own stack. */
export const logicalId = (c: IConstruct): string =>
  Stack.of(c).getLogicalId((c.node.defaultChild ?? c) as CfnResource);

export const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** `[logical id, resource]` of a template's resources of one type. */
export const resourcesOfType = (resources: Record<string, Json>, type: string): [string, Json][] =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

/** The data-stack logical id a cross-stack reference points to (weak or strong references), at any depth. */
export function producerLogicalId(dataTemplate: Template, value: Json): string | undefined {
  const outputs = dataTemplate.toJSON().Outputs as Record<string, Json>;
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
    const found = producerLogicalId(dataTemplate, child);
    if (found) return found;
  }
  return undefined;
}

/**
 * The actions a role is expected to get on a table it reads, writes; the ones that change items. Written
 * here, independently of infra/constructs/ti-function.ts.
 */
export const TABLE_READ = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
];
export const TABLE_WRITE = [
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];
export const TABLE_MUTATIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

export interface ValidationReport {
  pluginReports: {
    summary?: { pluginName?: string; status?: string };
    violations?: { ruleName: string; severity?: string; violatingResources?: unknown[] }[];
  }[];
}

/** The synthesis validation report of the cloud assembly (where cdk-nag 3 reports its findings). */
export function validationReport(assembly: CloudAssembly): ValidationReport {
  const file = join(assembly.directory, 'validation-report.json');
  if (!existsSync(file)) return { pluginReports: [] };
  return JSON.parse(readFileSync(file, 'utf8')) as ValidationReport;
}

export interface AcknowledgedRule {
  path: string;
  id: string;
  reason: string;
}

/** Every `Validations.of(x).acknowledge(...)` recorded in the construct tree. */
export function acknowledgedRules(built: TiApp): AcknowledgedRule[] {
  const out: AcknowledgedRule[] = [];
  for (const construct of built.app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
  }
  return out;
}
