import * as z from 'zod';
import { Avis } from '../calendrier/schema';
import {
  codeRegion,
  dateJour,
  email,
  personne,
  priorite,
  siren,
  siret,
  slug,
  telephone,
  texte,
} from '../commun/schemas';

/** `POST /candidatures`, `PUT /candidatures/{id}`: one schema validates, types and documents (OpenAPI). */
export const CandidatureSaisie = z
  .object({
    campagne: slug.meta({ description: 'Identifiant de la campagne de labellisation' }),
    nomTerritoire: texte(200),
    perimetre: z.object({
      epcis: z
        .array(siren)
        .min(1, 'Le périmètre compte au moins un EPCI')
        .max(60, 'Le périmètre compte au plus 60 EPCI')
        .refine((l) => new Set(l).size === l.length, 'Un EPCI figure deux fois dans le périmètre')
        .meta({ description: 'SIREN des EPCI à fiscalité propre du périmètre' }),
      justificationEpciUnique: texte(4000)
        .optional()
        .meta({ description: "Requise pour un périmètre d'un seul EPCI (taille critique, FAQ §2.2)" }),
      justificationMetropole: texte(4000)
        .optional()
        .meta({ description: 'Requise quand le périmètre contient une métropole (FAQ §2.4)' }),
    }),
    regionPilote: codeRegion
      .optional()
      .meta({ description: 'Requise quand le périmètre couvre plusieurs régions ; l’une d’elles' }),
    gouvernance: z.object({
      elu: personne.extend({ mandat: texte(200), collectivite: texte(200) }),
      industriel: personne.extend({ entreprise: texte(200), siret }),
      autresMembres: z
        .array(personne.extend({ qualite: texte(200) }))
        .max(30)
        .optional(),
      justificationPolynome: texte(4000).optional().meta({
        description: 'Requise quand la gouvernance compte d’autres membres que le binôme (FAQ §4.4)',
      }),
    }),
    chefDeProjet: personne.extend({ structure: texte(200) }).optional(),
    planAction: z
      .array(
        z.object({
          titre: texte(200),
          description: texte(4000),
          priorite,
          porteur: texte(200).optional(),
          echeance: dateJour.optional(),
        }),
      )
      .min(1, 'Le plan d’action compte au moins une action')
      .max(30, 'Le plan d’action compte au plus 30 actions'),
    lettresIntention: z
      .array(
        z.object({
          signataire: texte(200),
          qualite: z.enum(['elu', 'industriel', 'autre']),
          pieceId: z.uuid({ error: 'Identifiant de pièce invalide' }).optional(),
        }),
      )
      .min(1)
      .max(100),
    contact: z.object({ email, telephone: telephone.optional() }),
  })
  .strict()
  .meta({ id: 'CandidatureSaisie' });
export type CandidatureSaisie = z.infer<typeof CandidatureSaisie>;

export const STATUTS = ['deposee', 'en_instruction', 'labellisee', 'non_retenue'] as const;
export const StatutCandidature = z.enum(STATUTS);
export type StatutCandidature = z.infer<typeof StatutCandidature>;

export const Modification = z.object({
  version: z.number().int(),
  date: z.string(),
  source: z.string(),
  action: z.enum(['depot', 'modification', 'instruction', 'avis', 'resultat']).meta({
    description:
      'depot, modification (par le formulaire) ; instruction (clôture du dépôt), avis (régional), resultat (annonce)',
  }),
  champs: z.array(z.string()).meta({ description: 'Champs modifiés par rapport à la version précédente' }),
});
export type Modification = z.infer<typeof Modification>;

/** A candidature as stored and returned: the submission plus what the system derives. */
export const Candidature = CandidatureSaisie.extend({
  id: z.string(),
  statut: StatutCandidature,
  regions: z.array(z.string()),
  departements: z.array(z.string()),
  population: z.number().int(),
  epcis: z.array(z.object({ siren: z.string(), nom: z.string(), type: z.string() })),
  nbCommunes: z.number().int(),
  deposeeLe: z.string(),
  modifieeLe: z.string(),
  source: z.string().meta({ description: 'Source (formulaire) qui a déposé la candidature' }),
  version: z.number().int(),
  avis: z.array(Avis),
}).meta({ id: 'Candidature' });
export type Candidature = z.infer<typeof Candidature>;

export const CandidatureDetaillee = Candidature.extend({ historique: z.array(Modification) }).meta({
  id: 'CandidatureDetaillee',
});

export const FiltreCandidatures = z.object({
  campagne: slug.optional(),
  region: codeRegion.optional(),
  statut: StatutCandidature.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
});
export type FiltreCandidatures = z.infer<typeof FiltreCandidatures>;

export const PageCandidatures = z
  .object({ items: z.array(Candidature), nextCursor: z.string().nullable() })
  .meta({ id: 'PageCandidatures' });

/** `POST /candidatures/{id}/pieces`: the letter of intent about to be uploaded. */
export const PieceDemande = z
  .object({
    nomFichier: texte(200).optional(),
    type: z.literal('application/pdf', { error: 'Seuls les fichiers PDF (application/pdf) sont acceptés' }),
    taille: z
      .number()
      .int()
      .positive()
      .max(10 * 1024 * 1024, 'La lettre d’intention ne peut pas dépasser 10 Mo'),
  })
  .strict()
  .meta({ id: 'PieceDemande' });
export type PieceDemande = z.infer<typeof PieceDemande>;

export const PieceTeleversement = z
  .object({ pieceId: z.string(), uploadUrl: z.string(), expiresAt: z.string() })
  .meta({ id: 'PieceTeleversement' });
