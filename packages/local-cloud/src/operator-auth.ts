import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';

/**
 * Local stand-in for the Cognito user pool: operator tokens are HS256 JWTs signed with a secret
 * generated at first start and kept in `.local/operator-jwt-secret` (or in memory for `--memory` runs).
 */
export const JWT_SECRET_FILE = 'operator-jwt-secret';
export const LOCAL_ISSUER = 'territoires-industrie-local';

export type OperatorRole = 'national' | 'regional';

export interface OperatorTokenRequest {
  role: OperatorRole;
  /** INSEE region code; required for a regional operator. */
  region?: string;
  sub?: string;
  /** A jose time span (`8h`, `30m`, `2d`) or seconds. Default 8 h. */
  expiresIn?: string | number;
}

export function generateJwtSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Reads the local JWT secret from the data folder, creating it (mode 600) at first use. */
export function loadOrCreateJwtSecret(dataDir: string): string {
  const file = join(dataDir, JWT_SECRET_FILE);
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = generateJwtSecret();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

const key = (secret: string) => new TextEncoder().encode(secret);

/** Mints an operator token signed with the local secret (what `npm run token` prints). */
export async function mintOperatorToken(request: OperatorTokenRequest, secret: string): Promise<string> {
  if (request.role !== 'national' && request.role !== 'regional') {
    throw new Error(`role must be "national" or "regional", not "${String(request.role)}"`);
  }
  if (request.role === 'regional' && !request.region) {
    throw new Error('a regional operator needs a region (INSEE code, e.g. 32)');
  }
  const claims: JWTPayload & { role: OperatorRole; region?: string } = { role: request.role };
  if (request.region) claims.region = request.region;
  const sub =
    request.sub ?? (request.role === 'national' ? 'operateur-national' : `operateur-${request.region}`);
  const expiresIn = request.expiresIn ?? '8h';
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(LOCAL_ISSUER)
    .setIssuedAt()
    .setExpirationTime(typeof expiresIn === 'number' ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn)
    .sign(key(secret));
}

export type VerifyResult = { ok: true; claims: Record<string, string> } | { ok: false; detail: string };

/**
 * Verifies an `Authorization` header value as the Cognito authorizer would, and returns the claims as
 * API Gateway hands them to the Lambda in `requestContext.authorizer.claims`: every value a string.
 */
export async function verifyAuthorizationHeader(
  header: string | undefined,
  secret: string,
): Promise<VerifyResult> {
  if (!header) return { ok: false, detail: "L'en-tête Authorization: Bearer <jeton> est absent." };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1])
    return { ok: false, detail: "L'en-tête Authorization doit être de la forme « Bearer <jeton> »." };
  try {
    const { payload } = await jwtVerify(match[1], key(secret), {
      algorithms: ['HS256'],
      issuer: LOCAL_ISSUER,
    });
    return { ok: true, claims: stringifyClaims(payload) };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, detail: 'Le jeton a expiré.' };
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return { ok: false, detail: 'La signature du jeton est invalide.' };
    }
    return { ok: false, detail: 'Le jeton est invalide.' };
  }
}

function stringifyClaims(payload: JWTPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    claims[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return claims;
}
