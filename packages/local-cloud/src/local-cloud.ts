import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routes as apiRoutes, type Route } from '@ti/platform/routes';
import { startRecalculAgregats } from './agregats';
import { type LocalCalendarSetup, startCalendarSetup } from './calendrier';
import { type DemoOutcome, seedDemoCampaign } from './demo';
import {
  type DynamoDbLocal,
  dynamoDbClient,
  ensureTables,
  startDynamoDbLocal,
  type TableSetup,
} from './dynamodb';
import { applyEnvironment, handlerEnvironment } from './environment';
import { createGateway, type Gateway, type HandlerResolver } from './gateway';
import { fileHandlerResolver } from './handlers';
import { generateJwtSecret, loadOrCreateJwtSecret, mintOperatorToken } from './operator-auth';
import { defaultDataDir } from './paths';
import { DEFAULT_PORTS, freePort } from './ports';
import {
  type BucketSetup,
  ensureBuckets,
  type S3EventRecord,
  type S3Local,
  s3Client,
  startS3Local,
} from './s3';
import { startTriggers, type Triggers } from './triggers';

export { DEFAULT_PORTS };

export interface LocalCloudOptions {
  /** API port; 0 picks a free one. Default 3000. */
  port?: number;
  /** Throwaway run: DynamoDB in memory, s3rver in a temp dir deleted at stop, JWT secret in memory. */
  memory?: boolean;
  /** Persistent data folder (default `<repo>/.local`); ignored with `memory`. */
  dataDir?: string;
  /** No access log, no warnings, handlers' log level WARN. Errors still go to stderr. */
  quiet?: boolean;
  /** DynamoDB Local's port; 0 picks a free one. Default 8000. */
  dynamodbPort?: number;
  /** s3rver's port; 0 picks a free one. Default 4569. */
  s3Port?: number;
  /** Where handler modules are looked for (default `<repo>/functions`). */
  functionsDir?: string;
  /** Replaces the file-based handler lookup (tests). */
  resolveHandler?: HandlerResolver;
  /** Routes served (default: `routes` from @ti/platform/routes, as CDK builds the API). */
  routes?: readonly Route[];
  /** Create the `demo` campaign when absent. Default true. */
  seedDemo?: boolean;
  /**
   * Run the selection calendar's state machine (see ./calendrier.ts). Default true; without it, the
   * routes that start or resume the calendar fail at their cold start (no state machine to reach).
   */
  calendar?: boolean;
}

export interface LocalCloud {
  baseUrl: string;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  /** The HS256 secret operator tokens must be signed with. */
  jwtSecret: string;
  /** The persistent data folder, or null for a memory run. */
  dataDir: string | null;
  ports: { api: number; dynamodb: number; s3: number };
  tables: TableSetup[];
  buckets: BucketSetup[];
  demo: DemoOutcome;
  /** The selection calendar: its local runner and where its e-mails and events go; null when disabled. */
  calendar: LocalCalendarSetup | null;
  /** Milliseconds from the call to ready. */
  startupMs: number;
  gateway: Gateway;
  /** DynamoDB Local's process: `kill()` then `restart()` take the database down and back (fault tests). */
  dynamodb: Pick<DynamoDbLocal, 'pid' | 'kill' | 'restart'>;
  /** S3 notification records emitted by s3rver (every object, no prefix filter). */
  onS3Event(listener: (event: { Records: S3EventRecord[] }) => void): () => void;
  /** The S3-triggered functions (`declencheurs.ts`): `idle()` resolves when no run is pending. */
  triggers: Triggers;
  stop(): Promise<void>;
}

/**
 * A throwaway local cloud (benchmarks, scripts): free ports, in memory, quiet, no demo campaign;
 * `overrides` change any of these or set other options.
 */
export function nuageJetable(overrides: LocalCloudOptions = {}): Promise<LocalCloud> {
  return startLocalCloud({
    port: 0,
    dynamodbPort: 0,
    s3Port: 0,
    memory: true,
    quiet: true,
    seedDemo: false,
    ...overrides,
  });
}

/**
 * Starts the embedded local cloud on loopback: DynamoDB Local, s3rver, and an API Gateway emulation
 * that runs the handler modules in this process.
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const started = performance.now();
  const quiet = options.quiet ?? false;
  const warn = (message: string) => {
    if (!quiet) console.warn(`[local-cloud] ${message}`);
  };
  const memory = options.memory ?? false;
  const dataDir = memory ? null : (options.dataDir ?? defaultDataDir);
  let tempS3Dir: string | undefined;
  let s3Dir: string;
  let jwtSecret: string;
  if (dataDir) {
    mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });
    s3Dir = join(dataDir, 's3');
    jwtSecret = loadOrCreateJwtSecret(dataDir);
  } else {
    tempS3Dir = mkdtempSync(join(tmpdir(), 'ti-local-s3-'));
    s3Dir = tempS3Dir;
    jwtSecret = generateJwtSecret();
  }

  const cleanups: (() => Promise<void> | void)[] = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error('[local-cloud] stop failed', error);
      }
    }
  };
  if (tempS3Dir) {
    const dir = tempS3Dir;
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  }

  try {
    const dynamodbPort =
      options.dynamodbPort === 0 ? await freePort() : (options.dynamodbPort ?? DEFAULT_PORTS.dynamodb);
    const [dynamoResult, s3Result] = await Promise.allSettled([
      startDynamoDbLocal({ port: dynamodbPort, dbPath: dataDir ? join(dataDir, 'dynamodb') : null }),
      startS3Local({ port: options.s3Port ?? DEFAULT_PORTS.s3, directory: s3Dir }),
    ]);
    if (dynamoResult.status === 'fulfilled') cleanups.push(() => dynamoResult.value.stop());
    if (s3Result.status === 'fulfilled') cleanups.push(() => s3Result.value.stop());
    if (dynamoResult.status === 'rejected') throw dynamoResult.reason;
    if (s3Result.status === 'rejected') throw s3Result.reason;
    const dynamo: DynamoDbLocal = dynamoResult.value;
    const s3: S3Local = s3Result.value;

    const ddb = dynamoDbClient(dynamo.endpoint);
    const s3c = s3Client(s3.endpoint);
    let tables: TableSetup[];
    let buckets: BucketSetup[];
    try {
      [tables, buckets] = await Promise.all([ensureTables(ddb, warn), ensureBuckets(s3c)]);
    } finally {
      ddb.destroy();
      s3c.destroy();
    }

    // Before any handler module is imported (they read their configuration at cold start).
    const restoreEnv = applyEnvironment(
      handlerEnvironment({ dynamodbEndpoint: dynamo.endpoint, s3Endpoint: s3.endpoint, quiet }),
    );
    cleanups.push(restoreEnv);

    // Before the demo campaign is seeded: PUT /campagnes/{id} starts its calendar.
    let calendar: LocalCalendarSetup | null = null;
    if (options.calendar ?? true) {
      const setup = await startCalendarSetup({
        dataDir,
        quiet,
        ...(options.functionsDir ? { functionsDir: options.functionsDir } : {}),
      });
      calendar = setup;
      cleanups.push(() => setup.stop());
      // A restart lost the running executions: resume them, as the daily schedule does in AWS.
      const { reprises } = await setup.resume();
      if (reprises.length > 0) warn(`calendars resumed: ${reprises.join(', ')}`);
    }

    const gateway = createGateway({
      routes: options.routes ?? apiRoutes,
      resolveHandler: options.resolveHandler ?? fileHandlerResolver(options.functionsDir),
      jwtSecret,
      ...(quiet ? {} : { log: (line: string) => console.log(`[api] ${line}`) }),
    });
    const apiPort = options.port ?? DEFAULT_PORTS.api;
    const { port, url } = await gateway.listen(apiPort).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EADDRINUSE'
        ? new Error(`API: port ${apiPort} is already in use. Choose another port with PORT or --port.`)
        : error;
    });
    cleanups.push(() => gateway.close());

    // Objects created under a trigger's prefix run its handler, as EventBridge rules do in AWS.
    const triggers = startTriggers({
      onS3Event: (listener) => s3.onEvent(listener),
      ...(options.functionsDir ? { functionsDir: options.functionsDir } : {}),
      ...(quiet ? {} : { log: (line: string) => console.log(`[triggers] ${line}`) }),
    });
    cleanups.push(() => triggers.stop());
    // The aggregates' recompute: on each import's report, and on a schedule (its own queue).
    const recalculAgregats = startRecalculAgregats({
      onS3Event: (listener) => s3.onEvent(listener),
      ...(options.functionsDir ? { functionsDir: options.functionsDir } : {}),
      ...(quiet ? {} : { log: (line: string) => console.log(`[agregats] ${line}`) }),
    });
    cleanups.push(() => recalculAgregats.stop());

    let demo: DemoOutcome = { outcome: 'skipped', reason: 'disabled' };
    if (options.seedDemo ?? true) {
      try {
        demo = await seedDemoCampaign(
          gateway,
          await mintOperatorToken({ role: 'national', sub: 'local-cloud' }, jwtSecret),
        );
      } catch (error) {
        demo = { outcome: 'failed', reason: (error as Error).message };
      }
    }

    let stopping: Promise<void> | undefined;
    return {
      baseUrl: url,
      dynamodbEndpoint: dynamo.endpoint,
      s3Endpoint: s3.endpoint,
      jwtSecret,
      dataDir,
      ports: { api: port, dynamodb: dynamo.port, s3: s3.port },
      tables,
      buckets,
      demo,
      startupMs: Math.round(performance.now() - started),
      gateway,
      dynamodb: dynamo,
      calendar,
      onS3Event: (listener) => s3.onEvent(listener),
      triggers,
      stop() {
        stopping ??= runCleanups();
        return stopping;
      },
    };
  } catch (error) {
    await runCleanups();
    throw error;
  }
}
