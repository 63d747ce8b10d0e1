import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Route } from '@ti/platform/routes';
import type { HandlerResolver, LambdaHandler } from './gateway';
import { importHandler } from './lambda';
import { functionsDir as defaultFunctionsDir, repoRoot } from './paths';

/**
 * Resolves `functions/<route.handler>.ts` and imports it on first use (a cold start), like the Lambda
 * runtime. A module that does not exist (yet) resolves to `missing` (the gateway answers 501) and is
 * looked for again on the next request, so a handler written while the local cloud runs is picked up.
 */
export function fileHandlerResolver(functionsDir: string = defaultFunctionsDir): HandlerResolver {
  const loaded = new Map<string, Promise<LambdaHandler>>();
  return async (route: Route) => {
    const file = join(functionsDir, `${route.handler}.ts`);
    let loading = loaded.get(file);
    if (!loading) {
      if (!existsSync(file)) {
        return {
          status: 'missing',
          detail: `Le module ${relative(repoRoot, file) || file} n'existe pas encore (${route.method} ${route.path}).`,
        };
      }
      loading = importHandler<LambdaHandler>(file);
      loaded.set(file, loading);
      loading.catch(() => loaded.delete(file));
    }
    return { status: 'found', handler: await loading };
  };
}
