/**
 * What the logs must never show in clear: people's e-mail addresses, phone numbers and names (the
 * candidatures' governance and contacts, letters of intent's signatories, the calendar's e-mails).
 * Everything else stays readable, above all what operators search the logs for: territories, communes,
 * EPCIs, companies (raison sociale), SIRET/SIREN, ids.
 *
 * Two rules, applied to every value of a log entry, however deep:
 * - by pattern, in any text (a message, an error's message or stack, any string): e-mail addresses and
 *   phone numbers (French formats, `+33`/`0033`, and other `+<country>` numbers);
 * - by key, whatever the text looks like: the values of contact keys (`email`, `telephone`, `prenom`…),
 *   the text of role keys that name a person (`signataire`, `referent`, `contact`…), and the `nom` of an
 *   object that describes a person (it has a `prenom`, an e-mail or a phone, or it sits under a role key
 *   such as `elu`, `industriel`, `autresMembres`, `chefDeProjet`, without a SIRET/SIREN that would make
 *   it an organisation). A fiche-action's `porteur` (`{nom, type, siret}`) is an organisation and stays
 *   readable; a free-text `porteur` (a candidature's plan d'action) may name a person and is masked.
 *
 * Free text is only masked by pattern: a person's name typed in a description cannot be told from a
 * commune's, so code must not put names in messages (log ids instead).
 */

export const MASQUE = '[masqué]';
export const MASQUE_EMAIL = '[e-mail masqué]';
export const MASQUE_TELEPHONE = '[téléphone masqué]';

const EMAIL = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
/** A separator inside a phone number: space (also non-breaking), dot or dash. */
const SEP = String.raw`[\s.\-]?`;
/**
 * French numbers: `06 12 34 56 78`, `0612345678`, `06.12.34.56.78`, `+33 6 12 34 56 78`,
 * `+33 (0)6…`, `0033 6…`; other countries' `+<code> …` numbers (8 digits or more in all). Not inside a
 * longer run of letters or digits (a SIRET, an id, a hash never matches); `/` is no separator (dates).
 */
const TELEPHONE = new RegExp(
  [
    String.raw`(?<![\p{L}\p{N}+])(?:\+|00)33${SEP}(?:\(0\)${SEP})?[1-9](?:${SEP}\d{2}){4}(?![\p{L}\p{N}])`,
    String.raw`(?<![\p{L}\p{N}])0[1-9](?:${SEP}\d{2}){4}(?![\p{L}\p{N}])`,
    String.raw`(?<![\p{L}\p{N}+])\+[1-9]\d{0,2}(?:${SEP}\(?\d{1,4}\)?){2,6}(?![\p{L}\p{N}])`,
  ].join('|'),
  'gu',
);
const CHIFFRES = /\d/g;

/** E-mail addresses and phone numbers of a text, masked. */
export function masquerTexte(texte: string): string {
  if (!texte.includes('@') && !/\d{2}/.test(texte)) return texte;
  return texte.replace(EMAIL, MASQUE_EMAIL).replace(TELEPHONE, (trouve) => {
    // The generic `+<code>` form needs 8+ digits: `+1 2 3` in a sentence is not a phone number.
    const chiffres = trouve.match(CHIFFRES)?.length ?? 0;
    return chiffres >= 8 ? MASQUE_TELEPHONE : trouve;
  });
}

/** Words that make a key's value a person's contact data or name, whatever it holds. */
const MOTS_CONTACT = new Set([
  'email',
  'emails',
  'mail',
  'mails',
  'courriel',
  'courriels',
  'telephone',
  'telephones',
  'tel',
  'phone',
  'mobile',
  'portable',
  'fax',
  'prenom',
  'prenoms',
  'firstname',
  'lastname',
  'surname',
  'fullname',
  'nomcomplet',
]);
/** Words that, with `nom`/`name`, name a person: `nomComplet`, `firstName`, `nomDeFamille`. */
const MOTS_NOM_PERSONNE = new Set([
  'complet',
  'famille',
  'usage',
  'naissance',
  'first',
  'last',
  'full',
  'given',
]);
/** Whose presence in an object makes it a person's (its `nom` is then masked). */
const MOTS_SIGNE_PERSONNE = new Set([
  'email',
  'courriel',
  'telephone',
  'tel',
  'phone',
  'mobile',
  'portable',
  'prenom',
  'firstname',
]);
/** Keys that hold a person (a name as text, or an object describing them). */
const MOTS_ROLE = new Set([
  'referent',
  'referents',
  'signataire',
  'signataires',
  'destinataire',
  'destinataires',
  'interlocuteur',
  'interlocuteurs',
  'correspondant',
  'correspondants',
  'responsable',
  'responsables',
  'representant',
  'representants',
  'contact',
  'contacts',
  'elu',
  'elus',
  'industriel',
  'membre',
  'membres',
  'personne',
  'personnes',
  'demandeur',
  'dirigeant',
  'dirigeants',
]);
/** Text under these keys may name a person; an object under them is an organisation (fiches-action). */
const MOTS_ROLE_TEXTE = new Set(['porteur', 'porteurs']);
const MOTS_ORGANISATION = new Set(['siret', 'siren']);
/** A number is masked under these only (a phone number typed as a number); `nbEmails: 3` is a count. */
const MOTS_TELEPHONE = new Set(['telephone', 'telephones', 'tel', 'phone', 'mobile', 'portable', 'fax']);

interface Cle {
  /** Its text is masked whatever it looks like. */
  contact: boolean;
  /** Its number too. */
  telephone: boolean;
  /** Text under it names a person. */
  roleTexte: boolean;
  /** An object under it describes a person (unless it has a SIRET/SIREN). */
  roleObjet: boolean;
  /** A name key (`nom`, `name`): masked in a person's object. */
  nom: boolean;
  signePersonne: boolean;
  organisation: boolean;
}

/** `emailContact` → `email contact`, `E_MAIL` → `e mail`, `Téléphone` → `telephone`. */
const motsDe = (cle: string): string[] =>
  cle
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

const cles = new Map<string, Cle>();

function classer(cle: string): Cle {
  let classee = cles.get(cle);
  if (classee) return classee;
  const mots = motsDe(cle);
  const colle = mots.join('');
  // A word, or the words glued (`e-mail`, `first_name`); `chefDeProjet` is three words.
  const a = (ensemble: Set<string>) => mots.some((m) => ensemble.has(m)) || ensemble.has(colle);
  const nom = mots.includes('nom') || mots.includes('noms') || mots.includes('name');
  const role = a(MOTS_ROLE) || /chef(de)?projet/.test(colle);
  classee = {
    contact: a(MOTS_CONTACT) || (nom && (a(MOTS_NOM_PERSONNE) || role)),
    telephone: a(MOTS_TELEPHONE),
    roleTexte: role || a(MOTS_ROLE_TEXTE),
    roleObjet: role,
    nom,
    signePersonne: a(MOTS_SIGNE_PERSONNE),
    organisation: a(MOTS_ORGANISATION),
  };
  // Keys are few (those of the code's objects); a map keyed by ids is not: keep the cache bounded.
  if (cles.size > 2_000) cles.clear();
  cles.set(cle, classee);
  return classee;
}

const estTexteOuNombre = (v: unknown): v is string | number | bigint =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint';

/** A text or number held under key `c` (in a person's object when `personne`): masked, or undefined. */
function masqueParCle(v: string | number | bigint, c: Cle, personne: boolean): string | undefined {
  if (typeof v !== 'string') return c.telephone ? MASQUE : undefined;
  if (v === '') return undefined;
  return c.contact || c.roleTexte || (personne && c.nom) ? MASQUE : undefined;
}

/** How an error is turned into plain data (the logger's formatter: name, location, message, stack, cause…). */
export type FormaterErreur = (erreur: Error) => Record<string, unknown>;

const formaterErreurParDefaut: FormaterErreur = (e) => {
  const { name, message, stack, cause, ...autres } = e as Error & Record<string, unknown>;
  return { name, message, stack, ...(cause === undefined ? {} : { cause }), ...autres };
};

/**
 * A copy of `valeur` with personal data masked (see the module's comment). `cle` is the key it is held
 * under (an array's elements are judged by the array's key). Errors are turned into plain data first
 * (`formaterErreur`), then masked like the rest; objects with `toJSON` (other than dates) as JSON sees
 * them; a circular reference is dropped, as Powertools does.
 */
export function masquer(valeur: unknown, cle = '', formaterErreur = formaterErreurParDefaut): unknown {
  const ancetres = new Set<object>();

  const visiter = (v: unknown, k: string, personne: boolean): unknown => {
    const c = classer(k);
    if (estTexteOuNombre(v))
      return masqueParCle(v, c, personne) ?? (typeof v === 'string' ? masquerTexte(v) : v);
    if (v === null || typeof v !== 'object') return v;
    if (v instanceof Date) return v;
    if (ancetres.has(v)) return undefined;
    ancetres.add(v);
    try {
      if (v instanceof Error) return visiter(formaterErreur(v), k, false);
      const json = (v as { toJSON?: unknown }).toJSON;
      if (typeof json === 'function') return visiter(json.call(v, k), k, personne);
      if (Array.isArray(v)) {
        // Elements have no key of their own: the array's tells what they are (`signataires`, `emails`).
        return v.map((e) => visiter(e, k, personne));
      }
      if (v instanceof Map || v instanceof Set) return v;
      const entrees = Object.entries(v);
      const classes = entrees.map(([kk]) => classer(kk));
      const estPersonne =
        classes.some((cc) => cc.signePersonne) ||
        ((c.roleObjet || c.contact) && !classes.some((cc) => cc.organisation));
      // An e-mail (the calendar's `{ id, a, objet, texte }`): `a` is its recipient.
      const estMail = 'a' in v && 'objet' in v;
      const copie: Record<string, unknown> = {};
      for (const [kk, vv] of entrees) {
        copie[kk] = estMail && kk === 'a' && estTexteOuNombre(vv) ? MASQUE : visiter(vv, kk, estPersonne);
      }
      return copie;
    } finally {
      ancetres.delete(v);
    }
  };

  return visiter(valeur, cle, false);
}
