import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** `npm start`'s ports: API (PORT), DynamoDB Local (DYNAMODB_PORT), s3rver (S3_PORT). */
export const DEFAULT_PORTS = { api: 3000, dynamodb: 8000, s3: 4569 } as const;

/** Asks the kernel for a free TCP port on the loopback interface (for a child that must be told its port). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Whether nothing listens on the port yet (checked by binding it for a moment). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolveFree(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolveFree(true)));
  });
}
