/**
 * The esbuild settings of every Lambda bundle, in one place and free of CDK imports, so that
 * `TiFunction` (through NodejsFunction) and `bench/bundles.ts` (through esbuild's API) build the
 * very same bundles.
 *
 * The AWS SDK v3 is bundled, not left to the copy shipped with the runtime: the deployed code
 * runs the exact versions pinned in package-lock.json (the runtime's copy changes under our feet),
 * esbuild keeps only the commands we import, and loading one minified file is faster at cold start
 * than resolving the runtime's node_modules.
 */
import { fileURLToPath } from 'node:url';

/** Repository root (this file is `infra/constructs/bundling.ts`). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** esbuild target matching the `nodejs24.x` Lambda runtime. */
export const nodeTarget = 'node24';

/**
 * ESM bundles of CommonJS dependencies (Powertools' X-Ray SDK, some middy parts) may call
 * `require()` for Node built-ins; esbuild's ESM output has no `require`, so define one.
 */
export const esmBanner =
  "import { createRequire as __tiCreateRequire } from 'node:module'; const require = __tiCreateRequire(import.meta.url);";

/** Prefer the ESM entry points of dependencies (better tree shaking), then CommonJS. */
export const mainFields = ['module', 'main'];

/** Nothing is external: the AWS SDK v3 is bundled (see above). */
export const externalModules: string[] = [];

/** Source maps are emitted beside the bundle without the sources (smaller package). */
export const sourcesContent = false;

/** The same settings expressed as esbuild `BuildOptions`, for the size benchmark. */
export const esbuildBuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: nodeTarget,
  minify: true,
  sourcemap: true,
  sourcesContent,
  mainFields,
  external: externalModules,
  banner: { js: esmBanner },
  logLevel: 'warning',
} as const;

/** Path of a route handler's entry file, relative to the repository root. */
export const handlerEntry = (handler: string): string => `functions/${handler}.ts`;

/** `candidatures/lire` → `CandidaturesLire` (construct ids). */
export const functionId = (handler: string): string =>
  handler
    .split(/[/_-]/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
