import { routes as definedRoutes, type Route } from '@ti/platform/routes';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { acknowledgedRules, type Synthesized, synthesize, validationReport } from './synth';

/** The routes, widened to `Route` (the definitions are `as const`). */
const routes: readonly Route[] = definedRoutes;

/**
 * cdk-nag 3 is a synthesis validation plugin: its findings go to the cloud assembly's
 * validation-report.json, and errors make synthesis throw (in tests, the app runs "in memory").
 */
let s: Synthesized;

beforeAll(() => {
  s = synthesize();
});

describe('cdk-nag (AWS Solutions)', () => {
  it('the synthesis validation report has no finding, error or warning', () => {
    const report = validationReport(s.assembly);
    const findings = report.pluginReports.flatMap((p) =>
      (p.violations ?? []).map((v) => `${p.summary?.pluginName ?? '?'} ${v.severity ?? ''} ${v.ruleName}`),
    );
    expect(findings).toEqual([]);
  });

  it('the pack itself, run over the synthesized tree, finds nothing unacknowledged', () => {
    const result = new AwsSolutionsChecks().validateScope(s.app);
    expect(result.violations.map((v) => `${v.severity} ${v.ruleName}`)).toEqual([]);
    expect(result.success).toBe(true);
  });

  it('acknowledgments are few, each for one finding, each with a reason', () => {
    const acks = acknowledgedRules(s);
    for (const ack of acks) {
      expect(ack.reason.length, ack.id).toBeGreaterThan(20);
      // One line: the reason is read in the validation report and in the template's metadata.
      expect(ack.reason, `${ack.path} ${ack.id}`).not.toMatch(/[\r\n\u2028\u2029]/);
      // No bulk acknowledgment of a granular rule.
      if (ack.id.startsWith('AwsSolutions-IAM5') || ack.id.startsWith('AwsSolutions-IAM4')) {
        expect(ack.id).toMatch(/\[.+\]$/);
      }
    }
    const kinds = acks.map((a) =>
      a.id
        .replace(/\[Resource::<[^>]+\.Arn>:\*\]$/, '[Resource::<function versions>]')
        .replace(/\[Resource::(?!\*|<function versions>).*\]$/, '[Resource::<bucket objects>]'),
    );
    const count = (id: string) => kinds.filter((k) => k === id).length;
    const publicOrForm = routes.filter((r) => r.auth !== 'operator').length;
    const withBuckets = routes.filter((r) => Object.keys(r.buckets ?? {}).length > 0).length;

    expect(new Set(kinds)).toEqual(
      new Set([
        'AwsSolutions-IAM5[Resource::*]',
        ...(withBuckets > 0 ? ['AwsSolutions-IAM5[Resource::<bucket objects>]'] : []),
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'AwsSolutions-APIG4',
        'AwsSolutions-COG4',
        'AwsSolutions-S1',
        'AwsSolutions-SMG4',
        // Dead-letter queues, and the scheduler's role invoking the fetch's versions.
        'AwsSolutions-SQS3',
        'AwsSolutions-IAM5[Resource::<function versions>]',
      ]),
    );
    // X-Ray, one per function role (routes, calendar, aggregates' recompute, ingestion, probe), and the
    // calendar's state machine role.
    const calendrier = Object.keys(s.workflow.fonctions).length + 1;
    const agregats = 1;
    const ingestion = 2;
    const sonde = 1;
    expect(count('AwsSolutions-IAM5[Resource::*]')).toBe(
      routes.length + calendrier + agregats + ingestion + sonde,
    );
    expect(count('AwsSolutions-APIG4')).toBe(publicOrForm);
    expect(count('AwsSolutions-COG4')).toBe(publicOrForm);
    expect(count('AwsSolutions-S1')).toBe(1);
    expect(count('AwsSolutions-SMG4')).toBe(2); // form sources' keys, Bpifrance's credentials
    // Dead-letter queues: the ingestion's, the aggregates' recompute's, the calendars' daily resume's.
    expect(count('AwsSolutions-SQS3')).toBe(3);
    // The calendar's state machine and the ingestion's scheduler invoke functions and their versions.
    expect(count('AwsSolutions-IAM5[Resource::<function versions>]')).toBeGreaterThanOrEqual(1);
  });

  it('public and form methods are the only ones acknowledged without an authorizer', () => {
    const acked = acknowledgedRules(s)
      .filter((a) => a.id === 'AwsSolutions-APIG4')
      .map((a) => a.path);
    expect(acked.length).toBe(routes.filter((r) => r.auth !== 'operator').length);
    for (const path of acked) expect(path).toMatch(/^TerritoiresIndustrie-Api\/Api\/Default\//);
  });

  it('would fail synthesis on a finding (control: a bucket without TLS enforcement)', () => {
    const app = new App();
    const stack = new Stack(app, 'Control');
    new s3.Bucket(stack, 'Open', { enforceSSL: false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  });
});
