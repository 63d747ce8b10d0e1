import { LogFormatter, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { masquer, masquerTexte } from './masquage';

type Attributs = Parameters<LogFormatter['formatAttributes']>[0];

/**
 * Powertools' log shape (the keys of its default `PowertoolsLogFormatter`: level, message, timestamp,
 * service, cold_start, function_*, sampling_rate, xray_trace_id, then correlation_id and every key
 * appended or passed), with personal data masked (`masquage.ts`).
 *
 * Why a formatter rather than a `jsonReplacerFn`: the replacer is called key by key without the object
 * that holds the key, so it cannot tell a person's `nom` from a territory's; the formatter sees each
 * entry whole. Errors are masked twice over: where they sit in the entry (formatted, then masked), and
 * in `formatError`, which Powertools' serialisation calls for any error left (nothing is left unmasked
 * whatever path an error takes).
 */
export class FormateurJournal extends LogFormatter {
  public override formatAttributes(attributes: Attributs, supplementaires: LogAttributes): LogItem {
    const base = {
      level: attributes.logLevel,
      message: masquerTexte(String(attributes.message ?? '')),
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: attributes.lambdaContext?.coldStart,
      function_arn: attributes.lambdaContext?.invokedFunctionArn,
      function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
      function_name: attributes.lambdaContext?.functionName,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
      tenant_id: attributes.lambdaContext?.tenantId,
    };
    const masques = masquer(supplementaires, '', (e) => super.formatError(e)) as LogAttributes;
    return new LogItem({ attributes: base }).addAttributes(masques);
  }

  public override formatError(error: Error): LogAttributes {
    return masquer(super.formatError(error), 'error') as LogAttributes;
  }
}
