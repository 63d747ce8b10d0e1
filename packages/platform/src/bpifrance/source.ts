import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as FluxWeb } from 'node:stream/web';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { ExportRecupere } from '@ti/domain/laureats/recuperation';
import * as z from 'zod';
import { estXlsx } from '../fichiers/signatures';

/**
 * Where Bpifrance's latest laureates export comes from: its HTTPS endpoint in AWS (credentials in
 * Secrets Manager), a folder locally. Either way the file is read once, as a stream, hashed on the way.
 */
export interface SourceExports {
  recuperer(): Promise<ExportRecupere | undefined>;
}

/** `{"url": "https://…", "jeton": "…"}` (Bearer) or `{"url", "utilisateur", "motDePasse"}` (Basic). */
const IdentifiantsSource = z.union([
  z.object({ url: z.url({ protocol: /^https$/ }), jeton: z.string().min(1) }),
  z.object({
    url: z.url({ protocol: /^https$/ }),
    utilisateur: z.string().min(1),
    motDePasse: z.string().min(1),
  }),
]);

/** Copies a stream to a temporary file, hashing it; returns what the fetch needs to know of it. */
async function versFichierTemporaire(flux: Readable, nom: string): Promise<ExportRecupere> {
  const dossier = await mkdtemp(join(tmpdir(), 'bpifrance-'));
  const chemin = join(dossier, 'export');
  const empreinte = createHash('sha256');
  let taille = 0;
  let debut = Buffer.alloc(0);
  await pipeline(
    flux,
    new Transform({
      transform(morceau: Buffer, _encodage, suite) {
        empreinte.update(morceau);
        taille += morceau.length;
        if (debut.length < 4) debut = Buffer.concat([debut, morceau.subarray(0, 4)]);
        suite(null, morceau);
      },
    }),
    createWriteStream(chemin),
  );
  return { nom, chemin, taille, sha256: empreinte.digest('hex'), extension: estXlsx(debut) ? 'xlsx' : 'csv' };
}

/** Bpifrance's endpoint: GET with the secret's credentials (cached 5 minutes, so a change needs no deploy). */
export function sourceHttps(secretArn: string): SourceExports {
  return {
    async recuperer() {
      const identifiants = IdentifiantsSource.parse(
        JSON.parse(String(await getSecret(secretArn, { maxAge: 300 }))),
      );
      const authorization =
        'jeton' in identifiants
          ? `Bearer ${identifiants.jeton}`
          : `Basic ${Buffer.from(`${identifiants.utilisateur}:${identifiants.motDePasse}`).toString('base64')}`;
      const reponse = await fetch(identifiants.url, {
        headers: { Authorization: authorization },
        redirect: 'follow',
      });
      if (reponse.status === 204 || reponse.status === 404) return undefined;
      if (!reponse.ok || !reponse.body)
        throw new Error(`Bpifrance export endpoint answered ${reponse.status}`);
      const disposition = /filename="?([^";]+)"?/.exec(reponse.headers.get('content-disposition') ?? '');
      const nom = disposition?.[1] ?? basename(new URL(identifiants.url).pathname);
      return versFichierTemporaire(Readable.fromWeb(reponse.body as unknown as FluxWeb<Uint8Array>), nom);
    },
  };
}

/** Locally: the most recent `.csv` or `.xlsx` of a folder stands for the endpoint's latest export. */
export function sourceDossier(dossier: string): SourceExports {
  return {
    async recuperer() {
      const fichiers = (await readdir(dossier).catch(() => [] as string[])).filter((f) =>
        /\.(csv|xlsx)$/i.test(f),
      );
      const dates = await Promise.all(
        fichiers.map(async (f) => ({ f, t: (await stat(join(dossier, f))).mtimeMs })),
      );
      const dernier = dates.sort((a, b) => b.t - a.t || b.f.localeCompare(a.f))[0];
      if (!dernier) return undefined;
      return versFichierTemporaire(createReadStream(join(dossier, dernier.f)), dernier.f);
    },
  };
}
