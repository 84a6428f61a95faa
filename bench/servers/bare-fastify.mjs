// Baseline: a bare Fastify hello-world answering `{}`, the floor our pipeline is compared against.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/api/v3/ping', async () => ({}));
await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address();
console.log(`bare-fastify listening on http://127.0.0.1:${port}`);
const stop = () => app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
