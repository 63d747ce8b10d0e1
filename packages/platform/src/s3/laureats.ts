import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DepotImports, ObjetImporte, RapportsImport, Signalement } from '@ti/domain/laureats/ports';
import type { DependancesRecuperation } from '@ti/domain/laureats/recuperation';
import { rapportDe } from '@ti/domain/laureats/service';
import { champCsv } from '../exports/csv-francais';
import { TYPE_XLSX } from '../fichiers/signatures';
import { correlationDesMetadonnees, metadonneesCorrelation } from '../journal/correlation';
import { pasTrouve, s3Client } from './client';

/** Every object created under this prefix of the laureates' bucket is ingested (see `declencheurs.ts`). */
export const PREFIXE_EXPORTS = 'exports/';
/** Files uploaded through `POST /laureats/imports`: `exports/depots/<importId>/<fichier>`. */
export const PREFIXE_DEPOTS = `${PREFIXE_EXPORTS}depots/`;
/** Reports: `rapports/<importId>/rapport.json` and `rejets.csv`. */
export const PREFIXE_RAPPORTS = 'rapports/';

const DUREE_URL_SECONDES = 15 * 60;

/** A file name as a key segment: letters, digits, `.`, `-`, `_` (events and URLs carry it unescaped). */
export const nomDeCle = (fichier: string) =>
  fichier
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(-120);

export const cleDepot = (importId: string, fichier: string) =>
  `${PREFIXE_DEPOTS}${importId}/${nomDeCle(fichier)}`;

const DEPOT = new RegExp(`^${PREFIXE_DEPOTS}([0-9a-f-]{36})/`);

/**
 * The import id of an object: the one `POST /laureats/imports` handed out for its upload key, or
 * one derived from bucket and key (an export fetched or dropped by an operator).
 */
export function importIdDe(objet: Pick<ObjetImporte, 'bucket' | 'cle'>): string {
  const depot = DEPOT.exec(objet.cle);
  if (depot) return depot[1] as string;
  return `imp-${createHash('sha256').update(`${objet.bucket}/${objet.cle}`).digest('hex').slice(0, 24)}`;
}

/** S3 notifications (the local cloud's s3rver) URL-encode keys like S3 does; EventBridge does not. */
export interface ObjetAnnonce extends ObjetImporte {
  /** The key as the event wrote it, when it may be URL-encoded. */
  cleEncodee?: string;
}

const sansGuillemets = (etag: unknown) => (typeof etag === 'string' ? etag.replace(/"/g, '') : undefined);

/**
 * The objects created that an event announces: an S3 notification (`Records[].s3`), as S3 sends it to
 * Lambda and s3rver emits it locally, or S3's "Object Created" event through EventBridge (the cloud's
 * trigger). Anything else announces nothing.
 */
export function objetsDeLEvenement(event: unknown): ObjetAnnonce[] {
  const e = event as {
    Records?: { eventName?: string; s3?: { bucket?: { name?: string }; object?: Record<string, unknown> } }[];
    source?: string;
    'detail-type'?: string;
    detail?: { bucket?: { name?: string }; object?: Record<string, unknown> };
  };
  const objets: ObjetAnnonce[] = [];
  for (const r of e?.Records ?? []) {
    const o = r.s3?.object;
    if (!r.eventName?.startsWith('ObjectCreated') || !r.s3?.bucket?.name || typeof o?.key !== 'string')
      continue;
    let cle = o.key;
    try {
      cle = decodeURIComponent(o.key.replace(/\+/g, ' '));
    } catch {
      // not encoded after all
    }
    objets.push({
      bucket: r.s3.bucket.name,
      cle,
      cleEncodee: o.key,
      taille: Number(o.size ?? 0),
      ...(typeof o.versionId === 'string' ? { versionId: o.versionId } : {}),
      ...(sansGuillemets(o.eTag) ? { etag: sansGuillemets(o.eTag) } : {}),
    });
  }
  const d = e?.detail;
  if (
    e?.source === 'aws.s3' &&
    e['detail-type'] === 'Object Created' &&
    d?.bucket?.name &&
    typeof d.object?.key === 'string'
  ) {
    objets.push({
      bucket: d.bucket.name,
      cle: d.object.key,
      taille: Number(d.object.size ?? 0),
      ...(typeof d.object['version-id'] === 'string' ? { versionId: d.object['version-id'] } : {}),
      ...(sansGuillemets(d.object.etag) ? { etag: sansGuillemets(d.object.etag) } : {}),
    });
  }
  return objets;
}

/** An announced object as found in its bucket: the key it is stored under, the version announced. */
export interface ObjetLocalise {
  bucket: string;
  cle: string;
  versionId?: string;
  /**
   * The correlation id it was stored with (its metadata `correlation-id`: `POST /laureats/imports` and
   * the scheduled fetch set it); undefined for a file dropped by hand, and when it cannot be read: it only
   * labels logs, it never stops an import.
   */
  correlationId?: string;
}

/**
 * Finds the object an event announced, the very version it announced (with versioning on), with one
 * HeadObject: under the decoded key, else (when the event gave an encoded key) under the key as written.
 * Found under neither, the decoded key is kept: reading it fails the import (a missing object).
 */
export async function localiserObjet(objet: ObjetAnnonce): Promise<ObjetLocalise> {
  const version = objet.versionId ? { versionId: objet.versionId } : {};
  for (const cle of new Set([objet.cle, objet.cleEncodee ?? objet.cle])) {
    try {
      const { Metadata } = await s3Client().send(
        new HeadObjectCommand({
          Bucket: objet.bucket,
          Key: cle,
          ...(objet.versionId ? { VersionId: objet.versionId } : {}),
        }),
      );
      const correlationId = correlationDesMetadonnees(Metadata);
      return { bucket: objet.bucket, cle, ...version, ...(correlationId ? { correlationId } : {}) };
    } catch {
      // not found under this key (or not readable): try the key as written, then give up
    }
  }
  return { bucket: objet.bucket, cle: objet.cle, ...version };
}

/** The bytes of the object `localiserObjet` found, as a stream. */
export async function lireObjet(objet: ObjetLocalise): Promise<AsyncIterable<Uint8Array>> {
  const reponse = await s3Client().send(
    new GetObjectCommand({
      Bucket: objet.bucket,
      Key: objet.cle,
      ...(objet.versionId ? { VersionId: objet.versionId } : {}),
    }),
  );
  return reponse.Body as unknown as Readable;
}

/**
 * Presigned PUTs under `exports/depots/`: no content type or length is signed (`curl -T fichier URL` works).
 * The request's correlation id (`correlation`, read when the URL is made) is the object's metadata: the
 * SDK puts `x-amz-meta-correlation-id` in the URL's signed query string, which S3 stores as if it were
 * a header, so the uploader sends nothing more.
 */
export function depotImportsS3(
  bucket: string,
  options: { maintenant?: () => Date; correlation?: () => string | undefined } = {},
): DepotImports {
  const maintenant = options.maintenant ?? (() => new Date());
  const correlation = options.correlation ?? (() => undefined);
  return {
    async urlDeDepot(importId, fichier) {
      const uploadUrl = await getSignedUrl(
        s3Client(),
        new PutObjectCommand({
          Bucket: bucket,
          Key: cleDepot(importId, fichier),
          Metadata: metadonneesCorrelation(correlation()),
        }),
        { expiresIn: DUREE_URL_SECONDES },
      );
      return {
        uploadUrl,
        expiresAt: new Date(maintenant().getTime() + DUREE_URL_SECONDES * 1000).toISOString(),
      };
    },
  };
}

/**
 * The rejected rows as CSV the way `csvFrancais` writes exports (UTF-8 with BOM, `;`, CRLF), its fields
 * quoted but not neutralised: each starts with the domain's own words (a column's title, a motif).
 */
async function* csvRejets(rejets: AsyncIterable<Signalement>): AsyncGenerator<string> {
  let tampon = '\uFEFFLigne;Colonne;Motif\r\n';
  for await (const r of rejets) {
    tampon += `${r.ligne};${champCsv(r.colonne ?? '')};${champCsv(r.motif)}\r\n`;
    if (tampon.length > 64 * 1024) {
      yield tampon;
      tampon = '';
    }
  }
  yield tampon;
}

/** A JSON array written piece by piece (a few hundred signalements per piece). */
async function* tableauJson(
  source: AsyncIterable<Signalement>,
  avecColonne: boolean,
): AsyncGenerator<string> {
  let tampon = '';
  let premier = true;
  for await (const s of source) {
    const element = avecColonne
      ? { ligne: s.ligne, ...(s.colonne ? { colonne: s.colonne } : {}), motif: s.motif }
      : { ligne: s.ligne, motif: s.motif };
    tampon += `${premier ? '' : ','}${JSON.stringify(element)}`;
    premier = false;
    if (tampon.length > 64 * 1024) {
      yield tampon;
      tampon = '';
    }
  }
  if (tampon) yield tampon;
}

async function envoyer(
  bucket: string,
  cle: string,
  corps: Readable,
  type: string,
  nom: string,
  metadonnees: Record<string, string>,
) {
  await new Upload({
    client: s3Client(),
    params: {
      Bucket: bucket,
      Key: cle,
      Body: corps,
      ContentType: type,
      ContentDisposition: `attachment; filename="${nom}"`,
      Metadata: metadonnees,
    },
    queueSize: 2,
  }).done();
}

/** Import reports in S3, streamed from the stored signalements (whatever their number). */
export function rapportsS3(bucket: string, maintenant: () => Date = () => new Date()) {
  return {
    async publier(imp, signalements) {
      const base = `${PREFIXE_RAPPORTS}${imp.importId}/`;
      const { rejets: _r, avertissements: _a, ...entete } = rapportDe(imp, [], []);
      async function* json() {
        yield `${JSON.stringify(entete).slice(0, -1)},"rejets":[`;
        yield* tableauJson(signalements('rejet'), true);
        yield '],"avertissements":[';
        yield* tableauJson(signalements('avertissement'), false);
        yield ']}';
      }
      const cles = { json: `${base}rapport.json`, rejetsCsv: `${base}rejets.csv` };
      // The import's correlation id: an operator who finds the files finds the logs of their import.
      const metadonnees = metadonneesCorrelation(imp.correlationId);
      await Promise.all([
        envoyer(bucket, cles.json, Readable.from(json()), 'application/json', 'rapport.json', metadonnees),
        envoyer(
          bucket,
          cles.rejetsCsv,
          Readable.from(csvRejets(signalements('rejet'))),
          'text/csv; charset=utf-8',
          `rejets-${imp.importId}.csv`,
          metadonnees,
        ),
      ]);
      return cles;
    },

    async liens(rapport) {
      const url = (cle: string) =>
        getSignedUrl(s3Client(), new GetObjectCommand({ Bucket: bucket, Key: cle }), {
          expiresIn: DUREE_URL_SECONDES,
        });
      const [json, rejetsCsv] = await Promise.all([url(rapport.json), url(rapport.rejetsCsv)]);
      return {
        json,
        rejetsCsv,
        expiresAt: new Date(maintenant().getTime() + DUREE_URL_SECONDES * 1000).toISOString(),
      };
    },
  } satisfies RapportsImport;
}

/**
 * Exports fetched from Bpifrance, stored in the laureates' bucket (the upload triggers their ingestion),
 * with the fetch's correlation id (`correlation`, read when storing) in their metadata.
 */
export function stockageExportsS3(
  bucket: string,
  correlation: () => string | undefined = () => undefined,
): DependancesRecuperation['stockage'] {
  return {
    async existe(cle) {
      try {
        await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: cle }));
        return true;
      } catch (error) {
        if (pasTrouve(error)) return false;
        throw error;
      }
    },
    async deposer(cle, fichier) {
      await s3Client().send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: cle,
          Body: createReadStream(fichier.chemin),
          ContentLength: fichier.taille,
          ContentType: fichier.extension === 'xlsx' ? TYPE_XLSX : 'text/csv',
          Metadata: {
            source: 'bpifrance',
            'nom-source': nomDeCle(fichier.nom),
            sha256: fichier.sha256,
            ...metadonneesCorrelation(correlation()),
          },
        }),
      );
    },
  };
}
