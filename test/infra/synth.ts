/**
 * Shared by the infrastructure tests: the app exactly as `cdk synth` builds it (same buildApp, same
 * cdk.json context, cdk-nag included), with bundling skipped so that no handler is built.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildApp, type TiApp } from '../../infra/build-app';

export interface Synthesized extends TiApp {
  assembly: CloudAssembly;
  dataTemplate: Template;
  apiTemplate: Template;
  workflowTemplate: Template;
}

export function synthesize(): Synthesized {
  const built = buildApp({ 'aws:cdk:bundling-stacks': [] });
  // Synthesis runs the validation plugins (cdk-nag): an unacknowledged error throws here.
  const assembly = built.app.synth();
  return {
    ...built,
    assembly,
    dataTemplate: Template.fromStack(built.data),
    apiTemplate: Template.fromStack(built.api),
    workflowTemplate: Template.fromStack(built.workflow),
  };
}

export type Json = any;

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
