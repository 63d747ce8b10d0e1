/**
 * Runs the ingestion handler module in a process of its own, as a Lambda invocation would, for the
 * kill-and-rerun test: `node --import tsx test/support/ingerer-enfant.ts '<S3 event JSON>'`, with the
 * local cloud's handler environment. Exit code 0 once the handler returned.
 */
import type { Context } from 'aws-lambda';

const event = JSON.parse(process.argv[2] ?? '{}');
const { handler } = await import('../../functions/laureats/ingerer');
const debut = Date.now();
await handler(event, {
  awsRequestId: `enfant-${process.pid}`,
  functionName: 'laureats-ingerer',
  getRemainingTimeInMillis: () => 15 * 60_000 - (Date.now() - debut),
} as Context);
process.exit(0);
