/** Maps `fn` over `elements` with at most `concurrence` calls in flight; results keep the input order. */
export async function enParallele<T, R>(
  elements: readonly T[],
  concurrence: number,
  fn: (element: T, index: number) => Promise<R>,
): Promise<R[]> {
  const resultats = new Array<R>(elements.length);
  let suivant = 0;
  const travailleur = async () => {
    while (suivant < elements.length) {
      const i = suivant++;
      resultats[i] = await fn(elements[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrence, elements.length) }, travailleur));
  return resultats;
}

/** `[1,2,3,4,5]`, 2 → `[[1,2],[3,4],[5]]` */
export function enLots<T>(elements: readonly T[], taille: number): T[][] {
  const lots: T[][] = [];
  for (let i = 0; i < elements.length; i += taille) lots.push(elements.slice(i, i + taille));
  return lots;
}

/** Every item of a paged listing, page after page (`page` reads the one at `cursor`). */
export async function toutesLesPages<T>(
  page: (cursor: string | undefined) => Promise<{ items: readonly T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const toutes: T[] = [];
  let cursor: string | undefined;
  do {
    const lue = await page(cursor);
    toutes.push(...lue.items);
    cursor = lue.nextCursor ?? undefined;
  } while (cursor);
  return toutes;
}
