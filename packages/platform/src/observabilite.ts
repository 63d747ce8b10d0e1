import { search } from '@aws-lambda-powertools/jmespath';
import { Logger } from '@aws-lambda-powertools/logger';
import { FormateurJournal } from './journal/formateur';

/**
 * One logger per function, created once at module scope: structured JSON in Powertools' shape, with
 * people's e-mails, phone numbers and names masked in whatever is logged (`journal/masquage.ts`), and
 * the correlation id that follows a request or an import across functions (`journal/correlation.ts`).
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'territoires-industrie',
  correlationIdSearchFn: search as (expression: string, data: unknown) => unknown,
  logFormatter: new FormateurJournal(),
});
