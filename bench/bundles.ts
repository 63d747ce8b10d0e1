/**
 * Size of each route's Lambda bundle, built with the very esbuild options TiFunction gives
 * NodejsFunction (infra/constructs/bundling.ts): ESM, minified, AWS SDK v3 bundled.
 *
 *   npx tsx bench/bundles.ts
 *
 * Prints, per handler, the minified size and the gzipped size (a proxy for the deployed zip) of the
 * JavaScript file; the source map, written beside it, is not counted. Handlers whose file does not
 * exist yet are skipped, with a message.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { routes } from '@ti/platform/routes';
import { build } from 'esbuild';
import { esbuildBuildOptions, handlerEntry, repoRoot } from '../infra/constructs/bundling';

interface Row {
  handler: string;
  bytes: number;
  gzipped: number;
  ms: number;
}

const kib = (bytes: number): string => (bytes / 1024).toFixed(1);

async function bundle(handler: string): Promise<Row> {
  const started = performance.now();
  const result = await build({
    ...esbuildBuildOptions,
    mainFields: [...esbuildBuildOptions.mainFields],
    external: [...esbuildBuildOptions.external],
    entryPoints: [join(repoRoot, handlerEntry(handler))],
    outfile: join(repoRoot, '.local', 'bench-bundles', handler, 'index.mjs'),
    absWorkingDir: repoRoot,
    write: false,
  });
  const js = result.outputFiles.find((file) => file.path.endsWith('.mjs'));
  if (!js) throw new Error(`esbuild produced no .mjs for ${handler}`);
  return {
    handler,
    bytes: js.contents.byteLength,
    gzipped: gzipSync(js.contents, { level: 9 }).byteLength,
    ms: performance.now() - started,
  };
}

async function main(): Promise<void> {
  const handlers = [...new Set(routes.map((route) => route.handler))];
  const rows: Row[] = [];
  const skipped: string[] = [];
  for (const handler of handlers) {
    if (!existsSync(join(repoRoot, handlerEntry(handler)))) {
      skipped.push(handler);
      console.log(`skipped: ${handlerEntry(handler)} does not exist yet`);
      continue;
    }
    rows.push(await bundle(handler));
  }

  const width = Math.max('handler'.length, ...rows.map((row) => row.handler.length), 'total'.length);
  const line = (handler: string, min: string, gz: string, ms: string) =>
    `${handler.padEnd(width)}  ${min.padStart(14)}  ${gz.padStart(12)}  ${ms.padStart(8)}`;
  console.log();
  console.log(line('handler', 'minified (KiB)', 'gzip (KiB)', 'ms'));
  console.log('-'.repeat(width + 42));
  for (const row of rows) console.log(line(row.handler, kib(row.bytes), kib(row.gzipped), row.ms.toFixed(0)));
  console.log('-'.repeat(width + 42));
  const total = rows.reduce(
    (sum, row) => ({ bytes: sum.bytes + row.bytes, gzipped: sum.gzipped + row.gzipped }),
    {
      bytes: 0,
      gzipped: 0,
    },
  );
  console.log(line(`total (${rows.length})`, kib(total.bytes), kib(total.gzipped), ''));
  if (skipped.length > 0)
    console.log(`\n${skipped.length} handler(s) skipped (file missing): ${skipped.join(', ')}`);
  console.log(
    `\nesbuild options: ${JSON.stringify({ ...esbuildBuildOptions, banner: '(createRequire banner)' })}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
