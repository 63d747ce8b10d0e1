import { search } from '@aws-lambda-powertools/jmespath';
import { Logger } from '@aws-lambda-powertools/logger';

/** One logger per function, created once at module scope. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'territoires-industrie',
  correlationIdSearchFn: search as (expression: string, data: unknown) => unknown,
});
