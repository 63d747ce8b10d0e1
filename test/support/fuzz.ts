/**
 * Fuzzing helpers: fast-check arbitraries derived from a zod schema (through its JSON Schema,
 * `z.toJSONSchema`), and mutations of JSON values that keep them small to print: huge strings and deep
 * nesting are markers, materialised only when the body is serialised (`serialiser`).
 */
import * as fc from 'fast-check';
import * as z from 'zod';

type JsonSchema = {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
};

/** A string of `longueur` code units made of `motif`, written into the body only when it is serialised. */
export interface Enorme {
  $enorme: number;
  motif: string;
}
/** Arrays nested `profondeur` deep (`[[[…]]]`), written into the body only when it is serialised. */
export interface Profond {
  $profond: number;
}

const estEnorme = (v: unknown): v is Enorme =>
  typeof v === 'object' && v !== null && typeof (v as Enorme).$enorme === 'number';
const estProfond = (v: unknown): v is Profond =>
  typeof v === 'object' && v !== null && typeof (v as Profond).$profond === 'number';

/** An upper bound of the bytes `valeur` takes once serialised (markers included). */
function tailleMax(valeur: unknown): number {
  if (estEnorme(valeur)) return valeur.$enorme * 6 + 2;
  if (estProfond(valeur)) return valeur.$profond * 2;
  if (typeof valeur === 'string') return valeur.length * 6 + 2;
  if (Array.isArray(valeur)) return valeur.reduce((t: number, v) => t + tailleMax(v) + 1, 2);
  if (valeur && typeof valeur === 'object')
    return Object.entries(valeur).reduce((t, [k, v]) => t + k.length * 6 + 3 + tailleMax(v), 2);
  return 24;
}

/** Past this, a body is replaced by one of this size: it is refused as too large whatever it held. */
const TAILLE_MAX_SERIALISEE = 11 * 1024 * 1024;

/**
 * Serialises a generated value, replacing the markers by what they stand for (a deep nesting cannot be a
 * JS value: JSON.stringify would overflow). A value that could exceed 11 MiB (markers repeated) becomes an
 * 11 MiB JSON string instead: over every limit, refused as too large either way.
 */
export function serialiser(valeur: unknown): string {
  if (tailleMax(valeur) > TAILLE_MAX_SERIALISEE) return `"${'x'.repeat(TAILLE_MAX_SERIALISEE - 2)}"`;
  const profonds: number[] = [];
  const texte = JSON.stringify(valeur, (_, v) => {
    if (estEnorme(v)) {
      const unite = v.motif.length > 0 ? v.motif : 'x';
      return unite.repeat(Math.ceil(v.$enorme / unite.length)).slice(0, v.$enorme);
    }
    if (estProfond(v)) {
      profonds.push(v.$profond);
      return `\u0001profond#${profonds.length - 1}\u0001`;
    }
    return v;
  });
  if (texte === undefined) return '';
  return texte.replace(/"\\u0001profond#(\d+)\\u0001"/g, (_, i: string) => {
    const n = profonds[Number(i)] ?? 1;
    return `${'['.repeat(n)}${']'.repeat(n)}`;
  });
}

/** The JSON Schema of a zod schema as a client sees it (input side). */
export function jsonSchemaDe(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', reused: 'inline' }) as JsonSchema;
}

const petitesChaines = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

/**
 * Values a JSON Schema accepts, most of the time (formats are approximated, zod refinements that JSON
 * Schema cannot say are ignored): a "valid-ish" body, that the mutations then break.
 */
export function arbitraireDepuisJsonSchema(racine: JsonSchema): fc.Arbitrary<unknown> {
  const defs = racine.$defs ?? {};
  const memo = new Map<JsonSchema, fc.Arbitrary<unknown>>();

  const de = (s: JsonSchema, profondeur: number): fc.Arbitrary<unknown> => {
    const connu = memo.get(s);
    if (connu) return connu;
    const a = construire(s, profondeur);
    memo.set(s, a);
    return a;
  };

  const construire = (s: JsonSchema, profondeur: number): fc.Arbitrary<unknown> => {
    if (s.$ref) {
      const nom = s.$ref.replace('#/$defs/', '');
      const cible = defs[nom];
      return cible && profondeur < 12 ? de(cible, profondeur + 1) : fc.constant(null);
    }
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const variantes = s.anyOf ?? s.oneOf;
    if (variantes?.length) return fc.oneof(...variantes.map((v) => de(v, profondeur + 1)));
    if (s.allOf?.length) return de(s.allOf[0] as JsonSchema, profondeur + 1);
    const type = Array.isArray(s.type) ? s.type[0] : s.type;
    switch (type) {
      case 'object': {
        const props = Object.entries(s.properties ?? {});
        const requis = new Set(s.required ?? []);
        const modele: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [nom, sous] of props) modele[nom] = de(sous, profondeur + 1);
        return fc.record(modele, {
          requiredKeys: props.map(([nom]) => nom).filter((nom) => requis.has(nom)),
        });
      }
      case 'array': {
        const min = s.minItems ?? 0;
        const max = Math.min(s.maxItems ?? min + 5, min + 5);
        return fc.array(s.items ? de(s.items, profondeur + 1) : fc.jsonValue(), {
          minLength: min,
          maxLength: max,
        });
      }
      case 'string': {
        if (s.pattern) {
          try {
            return fc.stringMatching(new RegExp(s.pattern));
          } catch {
            // a pattern fast-check cannot read: any string
          }
        }
        if (s.format === 'email') return fc.emailAddress();
        if (s.format === 'uuid') return fc.uuid();
        const min = s.minLength ?? 0;
        const max = Math.max(min, Math.min(s.maxLength ?? 60, 60));
        return fc.oneof(
          { weight: 5, arbitrary: fc.string({ minLength: Math.max(min, 1), maxLength: max }) },
          {
            weight: 2,
            arbitrary: fc.string({ unit: 'grapheme', minLength: Math.max(min, 1), maxLength: max }),
          },
          { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: max }) },
        );
      }
      case 'integer': {
        const min = Math.max(s.minimum ?? (s.exclusiveMinimum ?? -1e6) + 1, -1e9);
        const max = Math.min(s.maximum ?? (s.exclusiveMaximum ?? 1e6) - 1, 1e9);
        return fc.integer({ min: Math.ceil(min), max: Math.floor(Math.max(min, max)) });
      }
      case 'number': {
        const min = s.minimum ?? -1e6;
        const max = s.maximum ?? 1e6;
        return fc.oneof(
          fc.integer({ min: Math.ceil(Math.max(min, -1e9)), max: Math.floor(Math.min(max, 1e9)) }),
          fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
          fc.integer({ min: 0, max: 1e8 }).map((c) => c / 100),
        );
      }
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  };
  return de(racine, 0);
}

/** A path in a JSON value: keys and indices. */
type Chemin = (string | number)[];

function chemins(valeur: unknown, prefixe: Chemin = [], acc: Chemin[] = []): Chemin[] {
  acc.push(prefixe);
  if (Array.isArray(valeur)) {
    for (const [i, v] of valeur.entries()) chemins(v, [...prefixe, i], acc);
  } else if (valeur && typeof valeur === 'object' && !estEnorme(valeur) && !estProfond(valeur))
    for (const [k, v] of Object.entries(valeur)) chemins(v, [...prefixe, k], acc);
  return acc;
}

function lireA(valeur: unknown, chemin: Chemin): unknown {
  let v = valeur;
  for (const cle of chemin) v = (v as Record<string | number, unknown>)?.[cle];
  return v;
}

/** A copy of `valeur` where `fn` replaced what is at `chemin` (`undefined`: removed). */
function remplacerA(valeur: unknown, chemin: Chemin, fn: (actuel: unknown) => unknown): unknown {
  if (chemin.length === 0) return fn(valeur);
  const [tete, ...reste] = chemin as [string | number, ...Chemin];
  if (Array.isArray(valeur)) {
    const copie = [...valeur];
    const nouveau = remplacerA(copie[tete as number], reste, fn);
    if (nouveau === undefined && reste.length === 0) copie.splice(tete as number, 1);
    else copie[tete as number] = nouveau;
    return copie;
  }
  if (valeur && typeof valeur === 'object') {
    const copie: Record<string, unknown> = { ...(valeur as Record<string, unknown>) };
    const nouveau = remplacerA(copie[tete as string], reste, fn);
    if (nouveau === undefined && reste.length === 0) delete copie[tete as string];
    else copie[tete as string] = nouveau;
    return copie;
  }
  return valeur;
}

export type Mutation =
  | { op: 'supprimer'; cible: number }
  | { op: 'autre-type'; cible: number; valeur: unknown }
  | { op: 'hors-bornes'; cible: number; choix: number }
  | { op: 'champ-inconnu'; cible: number; cle: string; valeur: unknown }
  | { op: 'unicode'; cible: number; texte: string }
  | { op: 'profond'; cible: number; profondeur: number }
  | { op: 'enorme'; cible: number; longueur: number; motif: string }
  | { op: 'decimales'; cible: number; valeur: number }
  | { op: 'repeter'; cible: number; fois: number };

const NOMBRES_LIMITES = [
  -1,
  0,
  -0,
  1e308,
  -1e308,
  1e-300,
  5e-324,
  2 ** 53 + 2,
  1e16,
  1e21,
  123.456789,
  0.1 + 0.2,
  Number.MAX_VALUE,
  1e-7,
];
const CHAINES_LIMITES = ['', ' ', '   \t\n', '\u0000', '0', '-1', 'null', 'true', '[]', '{}'];

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('supprimer' as const), cible: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('autre-type' as const),
      cible: fc.nat(),
      valeur: fc.oneof(
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        petitesChaines,
        fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('hors-bornes' as const), cible: fc.nat(), choix: fc.nat() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('champ-inconnu' as const),
      cible: fc.nat(),
      cle: fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'version', 'statut', 'pk', '$where'),
      ),
      valeur: fc.jsonValue({ maxDepth: 2 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('unicode' as const),
      cible: fc.nat(),
      texte: fc.oneof(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
        fc.string({ unit: 'grapheme-composite', minLength: 1, maxLength: 40 }),
        fc.constantFrom(
          '\ud800',
          'a\udfffb',
          '\u202eRTL',
          'e\u0301\u0301\u0301',
          '\u200b\u200b',
          '😀'.repeat(50),
          '\u0000null\u0000',
          'Ω≈ç√∫',
          '<script>alert(1)</script>',
          "'; DROP TABLE candidatures; --",
        ),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('profond' as const),
      cible: fc.nat(),
      profondeur: fc.constantFrom(50, 1_000, 20_000),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('enorme' as const),
      cible: fc.nat(),
      longueur: fc.constantFrom(101, 201, 255, 4_001, 8_001, 70_000, 400_000),
      motif: fc.constantFrom('x', '€', '😀', 'é', ' '),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('decimales' as const),
      cible: fc.nat(),
      valeur: fc.oneof(
        fc.double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 0, max: 1e9 }).map((n) => n / 1000),
        fc.constantFrom(...NOMBRES_LIMITES),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('repeter' as const),
      cible: fc.nat(),
      fois: fc.constantFrom(2, 31, 61, 101, 2_001),
    }),
  },
);

/** Applies a mutation to a JSON value (`cible` picks one of its paths, the root included). */
export function muter(valeur: unknown, m: Mutation): unknown {
  const tous = chemins(valeur);
  const chemin = tous[m.cible % tous.length] as Chemin;
  const actuel = lireA(valeur, chemin);
  switch (m.op) {
    case 'supprimer':
      return chemin.length === 0 ? undefined : remplacerA(valeur, chemin, () => undefined);
    case 'autre-type':
      return remplacerA(valeur, chemin, () => m.valeur);
    case 'hors-bornes':
      return remplacerA(valeur, chemin, (v) => {
        if (typeof v === 'number') return NOMBRES_LIMITES[m.choix % NOMBRES_LIMITES.length];
        if (Array.isArray(v)) return m.choix % 2 === 0 ? [] : [...v, ...v];
        return CHAINES_LIMITES[m.choix % CHAINES_LIMITES.length];
      });
    case 'champ-inconnu': {
      const conteneur =
        actuel && typeof actuel === 'object' && !Array.isArray(actuel) ? chemin : chemin.slice(0, -1);
      return remplacerA(valeur, conteneur, (v) =>
        v && typeof v === 'object' && !Array.isArray(v)
          ? Object.defineProperty({ ...(v as object) }, m.cle, {
              value: m.valeur,
              enumerable: true,
              configurable: true,
              writable: true,
            })
          : v,
      );
    }
    case 'unicode':
      return remplacerA(valeur, chemin, () => m.texte);
    case 'profond':
      return remplacerA(valeur, chemin, () => ({ $profond: m.profondeur }) satisfies Profond);
    case 'enorme':
      return remplacerA(valeur, chemin, () => ({ $enorme: m.longueur, motif: m.motif }) satisfies Enorme);
    case 'decimales':
      return remplacerA(valeur, chemin, () => m.valeur);
    case 'repeter':
      return remplacerA(valeur, chemin, (v) =>
        Array.isArray(v) && v.length > 0
          ? Array.from({ length: m.fois }, (_, i) => v[i % v.length])
          : Array.from({ length: m.fois }, () => v),
      );
  }
}
