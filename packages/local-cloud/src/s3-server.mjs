// s3rver in a child process, started by s3.ts with `node --openssl-legacy-provider`: s3rver encrypts
// its listing continuation tokens with DES, which Node 17+ only offers with the legacy provider. Running
// it apart keeps the handlers' process on Node's default crypto, whoever started us (npm start, vitest).
// argv[2]: JSON {port, address, directory}. Talks to the parent over IPC: {type:'ready', port},
// {type:'event', event} for each S3-notification-shaped record; exits on {type:'stop'} or when the
// parent goes away.
//
// s3rver checks neither SigV4 signatures nor the headers they sign; S3 does, and a presigned PUT is
// the API's promise (content type and length are signed). So presigned (query SigV4) requests are
// verified here before s3rver sees them: a wrong size, type or tampered URL gets S3's 403.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import S3rver from 's3rver';

const { port, address, directory } = JSON.parse(process.argv[2] ?? '{}');
const server = new S3rver({ port, address, directory, silent: true, vhostBuckets: false });
/** s3rver's only account. */
const SECRETS = { S3RVER: 'S3RVER' };

server.on('event', (event) => {
  if (process.connected) process.send?.({ type: 'event', event });
});

const uriEscape = (value) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const decode = (value) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};
const hmac = (key, data) => createHmac('sha256', key).update(data, 'utf8').digest();
const compare = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Returns an S3 error `{code, message}` when a query-signed (presigned) request does not verify. */
function verifyPresigned(req) {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  const path = url.slice(0, q);
  const pairs = url
    .slice(q + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      return at === -1 ? [decode(pair), ''] : [decode(pair.slice(0, at)), decode(pair.slice(at + 1))];
    });
  const params = Object.fromEntries(pairs);
  if (params['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256') return undefined;
  const credential = (params['X-Amz-Credential'] ?? '').split('/');
  const [accessKeyId, day, region, service] = credential;
  const secret = SECRETS[accessKeyId];
  // Unknown key or missing parameters: s3rver answers those itself.
  if (!secret || credential.length !== 5 || !params['X-Amz-Signature'] || !params['X-Amz-SignedHeaders']) {
    return undefined;
  }
  const signedHeaders = params['X-Amz-SignedHeaders'].split(';');
  const canonicalHeaders = signedHeaders
    .map((name) => {
      const raw = req.headers[name];
      const value = (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).trim().replace(/\s+/g, ' ');
      return `${name}:${value}\n`;
    })
    .join('');
  const canonicalQuery = pairs
    .filter(([key]) => key !== 'X-Amz-Signature')
    .map(([key, value]) => [uriEscape(key), uriEscape(value)])
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const canonicalRequest = [
    req.method,
    path,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders.join(';'),
    params['X-Amz-Content-Sha256'] ?? 'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = credential.slice(1).join('/');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    params['X-Amz-Date'],
    scope,
    createHash('sha256').update(canonicalRequest, 'utf8').digest('hex'),
  ].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  if (compare(expected, params['X-Amz-Signature'])) return undefined;
  return {
    code: 'SignatureDoesNotMatch',
    message:
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  };
}

/**
 * S3 takes the `x-amz-meta-*` parameters of a presigned URL's (signed) query string as the object's
 * metadata (the SDK hoists `Metadata` there: `POST /laureats/imports` puts the correlation id in it);
 * s3rver reads metadata from headers only, so they are handed to it as headers.
 */
function metadataFromQuery(req) {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  if (q === -1) return;
  const params = new URLSearchParams(url.slice(q + 1));
  if (!params.has('X-Amz-Signature')) return;
  for (const [name, value] of params) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-meta-') && req.headers[lower] === undefined) req.headers[lower] = value;
  }
}

const handle = server.callback();
const http = createServer((req, res) => {
  const error = req.method === 'OPTIONS' ? undefined : verifyPresigned(req);
  if (!error) {
    metadataFromQuery(req);
    return handle(req, res);
  }
  req.resume();
  res.writeHead(403, { 'Content-Type': 'application/xml', Connection: 'close' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${error.message}</Message></Error>`,
  );
});

let closing = false;
function shutdown() {
  if (closing) return;
  closing = true;
  http.close(() => process.exit(0));
  http.closeAllConnections();
  setTimeout(() => process.exit(0), 2_000).unref();
}

// Ctrl-C reaches the whole process group: let the parent decide when we stop.
process.on('SIGINT', () => {});
process.on('SIGTERM', shutdown);
process.on('disconnect', shutdown);
process.on('message', (message) => {
  if (message && message.type === 'stop') shutdown();
});

try {
  await server.configureBuckets();
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, address, resolve);
  });
  process.send?.({ type: 'ready', port: http.address().port });
} catch (error) {
  process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
