// The webhook benchmark's reference: a bare fastify HTTPS server on 127.0.0.1 that answers every
// POST /validate with one fixed "allowed" AdmissionReview (fastify still parses the JSON body, as any
// webhook must). Same certificate and TLS floor as `imply-lint serve`; no rules, no logging.
//
//   node bench/bare-server.mjs --cert FILE --key FILE [--port 0]
// Prints `listening <port>` on stdout when ready; exits on SIGTERM/SIGINT.
import fs from 'node:fs';
import Fastify from 'fastify';
import { flags } from './lib.mjs';

const opt = flags({ cert: '', key: '', port: 0 }, 'usage: node bench/bare-server.mjs --cert FILE --key FILE [--port N]');
if (!opt.cert || !opt.key) throw new Error('--cert and --key are required');

const FIXED = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: '00000000-0000-0000-0000-000000000000', allowed: true },
});

const app = Fastify({
  logger: false,
  bodyLimit: 6 * 1024 * 1024,
  keepAliveTimeout: 120_000,
  https: { cert: fs.readFileSync(opt.cert), key: fs.readFileSync(opt.key), minVersion: 'TLSv1.2' },
});
app.post('/validate', (_req, reply) => {
  reply.header('content-type', 'application/json').send(FIXED);
});
await app.listen({ host: '127.0.0.1', port: opt.port });
const port = app.server.address().port;
process.stdout.write(`listening ${port}\n`);
for (const sig of ['SIGTERM', 'SIGINT']) process.once(sig, () => app.close().then(() => process.exit(0)));
