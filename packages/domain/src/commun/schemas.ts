import * as z from 'zod';
import fr from 'zod/v4/locales/fr.js';

z.config(fr());

/** Trimmed, non-empty free text with a maximum length. */
export const texte = (max: number) => z.string().trim().min(1, 'Ce champ ne peut pas être vide').max(max);

/** A calendar date `YYYY-MM-DD` that exists. */
export const dateJour = z.iso.date({ error: 'Date attendue au format AAAA-MM-JJ' });

/** An ISO 8601 instant with an explicit offset, e.g. `2023-06-23T00:00:00+02:00`. */
export const instant = z.iso.datetime({
  offset: true,
  local: false,
  error: 'Instant ISO 8601 attendu, avec son décalage horaire (ex. 2023-06-23T00:00:00+02:00)',
});

export const email = z.email({ error: 'Adresse e-mail invalide' }).max(254);

export const telephone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 .()-]{6,20}$/, 'Numéro de téléphone invalide');

export const siret = z
  .string()
  .transform((s) => s.replace(/\s/g, ''))
  .pipe(z.string().regex(/^\d{14}$/, 'Le SIRET compte 14 chiffres'));

export const siren = z.string().regex(/^\d{9}$/, 'Le SIREN compte 9 chiffres');

export const codeRegion = z.string().regex(/^\d{2}$/, 'Code région INSEE attendu (2 chiffres)');

export const personne = z.object({
  prenom: texte(100),
  nom: texte(100),
  fonction: texte(200),
  email,
});

export const priorite = z.enum(['transition_ecologique', 'innovation', 'competences', 'foncier']);
export type Priorite = z.infer<typeof priorite>;

/** Identifiers chosen by people (campaigns): lower-case letters, digits and dashes. */
export const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'Identifiant attendu : lettres minuscules, chiffres et tirets');
