import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import { env } from '../config';
import type { SecretsDeSource } from './form-signature';

/** `{"<source id>": "<secret>" | ["<new secret>", "<old secret>"]}` */
const SecretsSources = z.record(
  z.string(),
  z.union([z.string().min(16), z.array(z.string().min(16)).min(1)]),
);
type SecretsSources = z.infer<typeof SecretsSources>;

/** How old Secrets Manager's cached value may be: a rotation is seen within this delay, without a deploy. */
export const AGE_MAX_SECRETS_SECONDES = 300;

const FORME = '{"<source>": "<secret of 16+ characters>" | ["<new secret>", "<old secret>"]}';

const liste = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The secrets as stored, checked: a value that does not have the expected shape is an error that says
 * what is expected and where it comes from, never quoting the value (it would end up in the logs), and
 * nothing is accepted with it.
 */
function lire(brut: unknown, origine: string): SecretsSources {
  const erreur = (pourquoi: string) =>
    new Error(`Malformed form sources secret (${origine}): ${pourquoi}; expected ${FORME}`);
  if (typeof brut !== 'string')
    throw erreur(`not a text secret (${brut === undefined ? 'no value' : typeof brut})`);
  let json: unknown;
  try {
    json = JSON.parse(brut);
  } catch {
    throw erreur('not JSON');
  }
  const verdict = SecretsSources.safeParse(json);
  if (!verdict.success) {
    const ou = verdict.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw erreur(ou.join('; '));
  }
  return verdict.data;
}

/**
 * The form sources' secrets: from Secrets Manager in AWS (read through Powertools' cache, at most
 * `AGE_MAX_SECRETS_SECONDES` old, so a rotation needs no deploy), or inline in the local cloud only.
 * Read at cold start: a missing setting fails early.
 */
export function secretsDesSources(): SecretsDeSource {
  const arn = process.env[env.formSourcesSecret];
  const locales = process.env[env.localFormSources];
  if (arn) {
    // The text last read and what it parsed to: parsed again only when Secrets Manager's value changes.
    let dernier: { brut: string; secrets: SecretsSources } | undefined;
    return async (source) => {
      const brut = await getSecret(arn, { maxAge: AGE_MAX_SECRETS_SECONDES });
      const connu = dernier;
      const secrets = connu && connu.brut === brut ? connu.secrets : lire(brut, arn);
      // Only a text parses: `brut` is one here.
      dernier = { brut: brut as string, secrets };
      return Object.hasOwn(secrets, source) ? liste(secrets[source]) : [];
    };
  }
  if (locales) {
    const secrets = lire(locales, env.localFormSources);
    return async (source) => (Object.hasOwn(secrets, source) ? liste(secrets[source]) : []);
  }
  throw new Error(`Missing configuration: ${env.formSourcesSecret}`);
}
