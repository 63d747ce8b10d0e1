import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, HeadBucketCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { type BucketKey, buckets, localBucketName } from '@ti/platform/buckets';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './environment';
import { LOOPBACK } from './ports';

/** An S3 notification record as s3rver emits it (`Records[0]` of an S3 event). */
export type S3EventRecord = Record<string, unknown>;

export interface S3Local {
  endpoint: string;
  port: number;
  pid: number | undefined;
  /** Called with each S3 event s3rver emits (object created/removed/copied), not filtered by prefix. */
  onEvent(listener: (event: { Records: S3EventRecord[] }) => void): () => void;
  stop(): Promise<void>;
}

const serverScript = fileURLToPath(new URL('./s3-server.mjs', import.meta.url));
const START_DEADLINE_MS = 20_000;

/** Starts s3rver in a child Node process run with --openssl-legacy-provider (see s3-server.mjs). */
export async function startS3Local(options: { port: number; directory: string }): Promise<S3Local> {
  mkdirSync(options.directory, { recursive: true });
  const child = fork(
    serverScript,
    [JSON.stringify({ port: options.port, address: LOOPBACK, directory: options.directory })],
    {
      execArgv: ['--openssl-legacy-provider'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    },
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString('utf8'));
    if (stderr.length > 50) stderr.shift();
  });
  const listeners = new Set<(event: { Records: S3EventRecord[] }) => void>();
  const exitPromise = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const onExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', onExit);

  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`s3rver did not start within ${START_DEADLINE_MS / 1000} s`)),
      START_DEADLINE_MS,
    );
    child.on(
      'message',
      (message: { type: string; port?: number; message?: string; event?: { Records: S3EventRecord[] } }) => {
        if (message.type === 'ready' && message.port) {
          clearTimeout(timer);
          resolvePort(message.port);
        } else if (message.type === 'error') {
          clearTimeout(timer);
          reject(
            new Error(
              message.message?.includes('EADDRINUSE')
                ? `s3rver: port ${options.port} is already in use. Choose another port with S3_PORT or --s3-port.`
                : `s3rver could not start: ${message.message}`,
            ),
          );
        } else if (message.type === 'event' && message.event) {
          for (const listener of listeners) {
            try {
              listener(message.event);
            } catch (error) {
              console.error('[local-cloud] S3 event listener failed', error);
            }
          }
        }
      },
    );
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited (code ${code}) before it was ready:\n${stderr.join('')}`));
    });
  }).catch(async (error: unknown) => {
    onExit();
    await exitPromise;
    process.off('exit', onExit);
    throw error;
  });

  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    port,
    pid: child.pid,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          if (child.connected) child.send({ type: 'stop' });
          else child.kill('SIGTERM');
          const timer = setTimeout(onExit, 3_000);
          await exitPromise;
          clearTimeout(timer);
        }
        process.off('exit', onExit);
      })();
      return stopped;
    },
  };
}

/** An S3 client configured like the handlers' (path style, checksums only when required). */
export function s3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Browsers PUT letters of intent straight to the presigned URL. */
const corsRules = [
  {
    AllowedOrigins: ['*'],
    AllowedMethods: ['PUT', 'GET', 'HEAD'],
    AllowedHeaders: ['*'],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: 3000,
  },
];

export type BucketSetup = { key: BucketKey; name: string; outcome: 'created' | 'present' };

/**
 * Creates the buckets of `buckets.ts` that are absent and (re)applies their CORS configuration. s3rver has
 * no versioning: `versioned` only matters in AWS.
 */
export async function ensureBuckets(client: S3Client): Promise<BucketSetup[]> {
  const results: BucketSetup[] = [];
  for (const key of Object.keys(buckets) as BucketKey[]) {
    const name = localBucketName(key);
    let present = true;
    try {
      await client.send(new HeadBucketCommand({ Bucket: name }));
    } catch {
      present = false;
    }
    if (!present) await client.send(new CreateBucketCommand({ Bucket: name }));
    await client.send(
      new PutBucketCorsCommand({ Bucket: name, CORSConfiguration: { CORSRules: corsRules } }),
    );
    results.push({ key, name, outcome: present ? 'present' : 'created' });
  }
  return results;
}
