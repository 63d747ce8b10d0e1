/**
 * Derives the style of the open-data page from `@gouvfr/dsfr` (the State's design system): from its
 * 585 KiB of CSS, the rules that plain elements and the classes of `CLASSES_DSFR` need, with the
 * Marianne font (regular and bold) inlined, so that `agregats/index.html` is one self-contained file
 * (no script, no other request). Run after upgrading the package or using another class:
 * `npm run dsfr:build`. A unit test fails when the file and the package drift apart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLASSES_DSFR } from '../packages/platform/src/agregats/dsfr-classes';

const require = createRequire(import.meta.url);
const dsfrDir = dirname(require.resolve('@gouvfr/dsfr/package.json'));
export const fichierDsfr = join(
  dirname(fileURLToPath(import.meta.url)),
  '../packages/platform/src/agregats/data/dsfr.json',
);

/** The Marianne faces inlined (the others fall back on the nearest of these). */
const POLICES: Record<string, string> = { '400': 'Marianne-Regular.woff2', '700': 'Marianne-Bold.woff2' };

type Noeud =
  | { type: 'regle'; selecteur: string; corps: string }
  | { type: 'at'; prelude: string; enfants?: Noeud[]; corps?: string };

/** Index of the character that closes the block opened just before `i` (strings and comments skipped). */
function finDeBloc(css: string, i: number): number {
  let profondeur = 1;
  for (let j = i; j < css.length; j++) {
    const c = css[j];
    if (c === '"' || c === "'") j = css.indexOf(c, j + 1);
    else if (c === '/' && css[j + 1] === '*') j = css.indexOf('*/', j + 2) + 1;
    else if (c === '{') profondeur += 1;
    else if (c === '}' && --profondeur === 0) return j;
  }
  throw new Error('CSS : bloc non fermé');
}

/** The rules of a (minified) style sheet, at-rules that group rules parsed recursively. */
function analyser(css: string): Noeud[] {
  const noeuds: Noeud[] = [];
  let i = 0;
  while (i < css.length) {
    if (/\s/.test(css[i] as string)) {
      i += 1;
      continue;
    }
    if (css.startsWith('/*', i)) {
      i = css.indexOf('*/', i + 2) + 2;
      continue;
    }
    let j = i;
    while (j < css.length && css[j] !== '{' && css[j] !== ';') {
      const c = css[j];
      if (c === '"' || c === "'") j = css.indexOf(c, j + 1);
      j += 1;
    }
    const prelude = css.slice(i, j).trim();
    if (css[j] === ';') {
      noeuds.push({ type: 'at', prelude });
      i = j + 1;
      continue;
    }
    const fin = finDeBloc(css, j + 1);
    const corps = css.slice(j + 1, fin);
    if (/^@(media|supports|layer|container)\b/.test(prelude))
      noeuds.push({ type: 'at', prelude, enfants: analyser(corps) });
    else if (prelude.startsWith('@')) noeuds.push({ type: 'at', prelude, corps });
    else noeuds.push({ type: 'regle', selecteur: prelude, corps });
    i = fin + 1;
  }
  return noeuds;
}

/** `a,b:not(.x,.y) c` → `['a', 'b:not(.x,.y) c']` (commas inside parentheses kept). */
function selecteurs(liste: string): string[] {
  const resultat: string[] = [];
  let profondeur = 0;
  let debut = 0;
  for (let i = 0; i < liste.length; i++) {
    const c = liste[i];
    if (c === '(') profondeur += 1;
    else if (c === ')') profondeur -= 1;
    else if (c === ',' && profondeur === 0) {
      resultat.push(liste.slice(debut, i));
      debut = i + 1;
    }
  }
  resultat.push(liste.slice(debut));
  return resultat;
}

/**
 * Whether a selector can match in the page: every class it requires is one of `classes` (those inside
 * `:not()` aside), an attribute selector on classes (`[class*=" fr-icon-"]`) names the start of one of
 * them, and it does not depend on the dark theme (which needs DSFR's script, the page has none).
 */
function utile(selecteur: string, classes: ReadonlySet<string>): boolean {
  if (/data-fr-theme=dark|data-fr-scheme/.test(selecteur)) return false;
  for (const m of selecteur.matchAll(/\[class[*^]=["']?\s?([^"'\]\s]+)["']?\]/g)) {
    const debut = m[1] as string;
    if (![...classes].some((c) => c.startsWith(debut))) return false;
  }
  return classesRequises(selecteur).every((c) => classes.has(c));
}

/** The classes an element must have for a selector to match (those inside `:not()` and attributes aside). */
function classesRequises(selecteur: string): string[] {
  let s = selecteur.replace(/\[[^\]]*\]/g, '');
  for (let avant = ''; avant !== s; ) {
    avant = s;
    s = s.replace(/:not\([^()]*\)/g, '');
  }
  return [...s.matchAll(/\.(-?[_a-zA-Z][\w-]*)/g)].map((m) => m[1] as string);
}

function police(corps: string): string | undefined {
  if (!/font-family:Marianne/.test(corps) || !/font-style:normal/.test(corps)) return undefined;
  const poids = /font-weight:(\d+)/.exec(corps)?.[1] ?? '';
  const fichier = POLICES[poids];
  if (!fichier) return undefined;
  const woff2 = readFileSync(join(dsfrDir, 'dist', 'fonts', fichier)).toString('base64');
  return `font-display:swap;font-family:Marianne;font-style:normal;font-weight:${poids};src:url(data:font/woff2;base64,${woff2}) format("woff2")`;
}

function filtrer(noeuds: Noeud[], classes: ReadonlySet<string>): string {
  let sortie = '';
  for (const n of noeuds) {
    if (n.type === 'regle') {
      const gardes = selecteurs(n.selecteur).filter((s) => utile(s, classes));
      if (gardes.length > 0) sortie += `${gardes.join(',')}{${n.corps}}`;
    } else if (n.enfants) {
      const interieur = filtrer(n.enfants, classes);
      if (interieur) sortie += `${n.prelude}{${interieur}}`;
    } else if (n.prelude === '@font-face') {
      const face = police(n.corps ?? '');
      if (face) sortie += `@font-face{${face}}`;
    } else if (n.corps === undefined) {
      // `@charset`: a style element takes the page's.
      if (!n.prelude.startsWith('@charset')) sortie += `${n.prelude};`;
    } else if (!n.prelude.startsWith('@keyframes')) {
      sortie += `${n.prelude}{${n.corps}}`;
    }
  }
  return sortie;
}

/** Icons referenced by path (`url(icons/system/x.svg)`) inlined as data URIs: the page fetches nothing. */
function iconesEnLigne(css: string): string {
  return css.replace(/url\((["']?)((?:\.\.\/)?icons\/[^)"']+\.svg)\1\)/g, (_, _q: string, chemin: string) => {
    const svg = readFileSync(join(dsfrDir, 'dist', chemin.replace(/^\.\.\//, ''))).toString('base64');
    return `url(data:image/svg+xml;base64,${svg})`;
  });
}

/** The page's style: DSFR's licence line, then the rules kept. */
export function deriverDsfr(classes: readonly string[] = CLASSES_DSFR): { version: string; css: string } {
  const { version } = require('@gouvfr/dsfr/package.json') as { version: string };
  const source = readFileSync(join(dsfrDir, 'dist', 'dsfr.main.min.css'), 'utf8');
  const licence = /\/\*![\s\S]*?\*\//.exec(source)?.[0] ?? '';
  const css = iconesEnLigne(filtrer(analyser(source), new Set(classes)));
  // Keyframes are dropped above unless a kept rule names one.
  const animations = analyser(source).filter(
    (n): n is Extract<Noeud, { type: 'at' }> =>
      n.type === 'at' &&
      n.prelude.startsWith('@keyframes') &&
      css.includes(n.prelude.slice('@keyframes '.length)),
  );
  return { version, css: `${licence}${css}${animations.map((n) => `${n.prelude}{${n.corps}}`).join('')}` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dsfr = deriverDsfr();
  writeFileSync(fichierDsfr, `${JSON.stringify(dsfr)}\n`);
  console.log(`DSFR ${dsfr.version}: ${Math.round(dsfr.css.length / 1024)} KiB of CSS → ${fichierDsfr}`);
}
