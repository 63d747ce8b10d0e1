/**
 * CSV records from text arriving in chunks (RFC 4180 and what spreadsheets write): fields separated
 * by one character, records by CRLF or LF; a quoted field may hold the separator, doubled quotes and
 * line breaks; a quote inside an unquoted field is kept as it is; rows may have any number of fields;
 * an empty line is a record of one empty field (a spreadsheet shows it as an empty row).
 *
 * Why not csv-parse here: on the exports' 20-column rows it reads 70,000–95,000 rows/s on these
 * machines, less than the ingestion's parse-and-validate target alone (docs/benchmarks.md). Lines
 * without a quote, nearly all of them, are cut with `indexOf`/`split`.
 */
export class DecoupeurCsv {
  private tampon = '';

  constructor(private readonly separateur: string) {}

  /** Adds text; returns the records it completes. */
  ajouter(texte: string): string[][] {
    this.tampon = this.tampon.length > 0 ? this.tampon + texte : texte;
    return this.decouper(false);
  }

  /** The end of the text: the last record (without a line end). Throws `GuillemetNonFerme` if a quote is left open. */
  terminer(): string[][] {
    return this.decouper(true);
  }

  private decouper(fin: boolean): string[][] {
    const t = this.tampon;
    const sep = this.separateur;
    const enregistrements: string[][] = [];
    let p = 0;
    const n = t.length;
    // The next quote, looked for again only once passed (not at every line: a chunk without quotes
    // would be scanned to its end for each of its lines).
    let guillemet = t.indexOf('"');
    while (p < n) {
      if (guillemet !== -1 && guillemet < p) guillemet = t.indexOf('"', p);
      const nl = t.indexOf('\n', p);
      if (guillemet === -1 || (nl !== -1 && guillemet > nl)) {
        if (nl === -1) {
          if (!fin) break;
          enregistrements.push(t.slice(p).split(sep));
          p = n;
          break;
        }
        const finLigne = nl > p && t.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        enregistrements.push(t.slice(p, finLigne).split(sep));
        p = nl + 1;
        continue;
      }
      const lu = this.avecGuillemets(t, p, fin);
      if (!lu) break;
      enregistrements.push(lu.champs);
      p = lu.suite;
    }
    this.tampon = p >= n ? '' : t.slice(p);
    return enregistrements;
  }

  /** A record holding quotes, from `p`; undefined when it does not end within the text yet. */
  private avecGuillemets(
    t: string,
    debut: number,
    fin: boolean,
  ): { champs: string[]; suite: number } | undefined {
    const sep = this.separateur;
    const champs: string[] = [];
    const n = t.length;
    let p = debut;
    for (;;) {
      let valeur = '';
      if (t.charCodeAt(p) === 34) {
        // Quoted: up to the quote not doubled; what follows it up to the separator is kept as is.
        p += 1;
        for (;;) {
          const q = t.indexOf('"', p);
          if (q === -1) {
            if (fin) throw new GuillemetNonFerme();
            return undefined;
          }
          valeur += t.slice(p, q);
          if (q + 1 >= n && !fin) return undefined;
          if (t.charCodeAt(q + 1) === 34) {
            valeur += '"';
            p = q + 2;
            continue;
          }
          p = q + 1;
          break;
        }
      }
      // Unquoted (or after a closing quote): up to the separator or the line end.
      let s = t.indexOf(sep, p);
      let nl = t.indexOf('\n', p);
      if (nl === -1 && !fin) return undefined;
      if (nl === -1) nl = n;
      if (s === -1 || s > nl) s = -1;
      const bout = s === -1 ? nl : s;
      const finChamp = s === -1 && bout > p && t.charCodeAt(bout - 1) === 13 ? bout - 1 : bout;
      valeur += t.slice(p, finChamp);
      champs.push(valeur);
      if (s === -1) return { champs, suite: Math.min(nl + 1, n) };
      p = s + 1;
    }
  }
}

export class GuillemetNonFerme extends Error {
  constructor() {
    super('un guillemet ouvert n’est jamais fermé');
    this.name = 'GuillemetNonFerme';
  }
}
