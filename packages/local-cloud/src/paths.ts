import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root (this file lives in packages/local-cloud/src/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the handler modules live: `functions/<route.handler>.ts`. */
export const functionsDir = join(repoRoot, 'functions');

/** The local cloud's persistent data: DynamoDB Local's files, s3rver's files, the operator JWT secret. */
export const defaultDataDir = join(repoRoot, '.local');
