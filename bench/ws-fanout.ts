/**
 * WebSocket fan-out: 1000 connections subscribed to one trade stream (clients in another process),
 * delivered messages/s of the sandbox's hub (frame once, same bytes to every socket, writes corked
 * per tick) vs a bare `ws` server calling send(string) per client, in the same run, the clients
 * split over CLIENT_PROCS processes in both arms; and server memory per idle connection
 * with 10,000 connections (heapUsed + external delta after GC, this process) vs bare `ws`.
 *
 *   tsx bench/ws-fanout.ts          (or npm run bench -- ws-fanout once listed in run.ts)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocketServer, WebSocket } from 'ws';
import { ManualClock } from '../packages/server/dist/clock.js';
import { defaultConfig } from '../packages/server/dist/config.js';
import { startSandbox, type Sandbox } from '../packages/server/dist/sandbox.js';
import type { WsServer } from '../packages/server/dist/ws/index.js';
import { median } from './lib.js';

const FANOUT_CONNS = 1000;
const MESSAGES = 300;
const PER_TICK = Number(process.env.WS_FANOUT_PER_TICK ?? 10);
const IDLE_CONNS = 10_000;
const ROUNDS = Number(process.env.WS_FANOUT_ROUNDS ?? 5);
/**
 * Client processes per arm (the connections are split evenly; both arms always use the same split).
 * Measured on a 2-core box the server is what bounds both arms (the publish loop's CPU time ≈ the
 * wall time; the clients finish < 10 ms after the last write), so a second client process there only
 * steals CPU from the server: 2 processes when there are ≥ 4 cores, else 1. WS_FANOUT_CLIENT_PROCS
 * overrides; WS_FANOUT_DEBUG=1 prints publish vs receive times, WS_FANOUT_ONLY=1 skips the memory part.
 */
const CLIENT_PROCS = Number(process.env.WS_FANOUT_CLIENT_PROCS ?? (availableParallelism() >= 4 ? 2 : 1));

/** The client process: opens N connections, counts messages; answers "count" on stdin. */
const CLIENT = `
import WebSocket from 'ws';
const [url, n] = [process.argv[1], Number(process.argv[2])];
let received = 0, open = 0;
const socks = [];
const opening = [];
for (let i = 0; i < n; i++) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('message', () => { received++; });
  ws.on('error', (e) => { console.error(String(e)); process.exit(1); });
  opening.push(new Promise((r) => ws.once('open', r)));
  socks.push(ws);
  if (i % 200 === 199) await Promise.all(opening.splice(0));
}
await Promise.all(opening);
console.log('ready');
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  for (const line of d.split('\\n')) {
    if (line === 'count') console.log('count ' + received);
    if (line === 'exit') { for (const s of socks) s.terminate(); process.exit(0); }
  }
});
`;

interface Clients {
  count(): Promise<number>;
  stop(): Promise<void>;
}

/** `n` connections spread over `procs` client processes; count() sums them. */
async function startClients(url: string, n: number, procs = CLIENT_PROCS): Promise<Clients> {
  const parts = await Promise.all(
    Array.from({ length: procs }, (_, i) => startClientProcess(url, Math.floor(n / procs) + (i < n % procs ? 1 : 0))),
  );
  return {
    count: async () => (await Promise.all(parts.map((p) => p.count()))).reduce((a, b) => a + b, 0),
    stop: async () => {
      await Promise.all(parts.map((p) => p.stop()));
    },
  };
}

function startClientProcess(url: string, n: number): Promise<Clients> {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', CLIENT, url, String(n)], {
    cwd: new URL('..', import.meta.url).pathname,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let buf = '';
  const waiters: ((line: string) => void)[] = [];
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      waiters.shift()?.(line);
    }
  });
  const nextLine = () => new Promise<string>((resolve) => waiters.push(resolve));
  return nextLine().then((first) => {
    if (first !== 'ready') throw new Error(`client process: ${first}`);
    return {
      count: async () => {
        const p = nextLine();
        child.stdin!.write('count\n');
        return Number((await p).split(' ')[1]);
      },
      stop: async () => {
        child.stdin!.write('exit\n');
        await new Promise((r) => child.once('exit', r));
      },
    };
  });
}

const gc: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

function heap(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/** Publishes MESSAGES trade-like payloads in batches and waits until every client got them all. */
async function pump(
  publish: (i: number) => void,
  clients: Clients,
  conns: number,
  before: number,
  perTick: number,
): Promise<number> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < MESSAGES; i += perTick) {
    for (let k = i; k < Math.min(MESSAGES, i + perTick); k++) publish(k);
    await tick();
  }
  const tPublished = performance.now();
  const cpuPublish = process.cpuUsage(cpu0);
  const want = before + MESSAGES * conns;
  for (;;) {
    const got = await clients.count();
    if (got >= want) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const t1 = performance.now();
  if (process.env.WS_FANOUT_DEBUG) {
    const ms = (u: { user: number; system: number }) => `${((u.user + u.system) / 1000).toFixed(0)} ms cpu`;
    console.error(
      `  published in ${(tPublished - t0).toFixed(0)} ms (${ms(cpuPublish)}), all received after ${(t1 - t0).toFixed(0)} ms`,
    );
  }
  return (MESSAGES * conns) / ((t1 - t0) / 1000);
}

const payload = (i: number, E: number) =>
  `{"e":"trade","E":${E},"s":"BTCUSDT","t":${i},"p":"50000.00000000","q":"0.01000000","T":${E},"m":false,"M":true}`;

async function ours(conns: number): Promise<{ sb: Sandbox; hub: WsServer; url: string }> {
  const config = {
    ...defaultConfig(),
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent' as const,
    ws: { ...defaultConfig().ws, maxConnectionAttempts: conns * 10, maxBufferedBytes: 64 * 1024 * 1024 },
    simulator: { ...defaultConfig().simulator, enabled: false },
  };
  const sb = await startSandbox(config, { clock: new ManualClock() });
  const hub = (sb.app as unknown as { wsHub?: WsServer }).wsHub;
  if (!hub) throw new Error('the sandbox does not expose its WsServer (app.wsHub)');
  return { sb, hub, url: `${sb.url.replace('http', 'ws')}/ws/btcusdt@trade` };
}

async function bare(): Promise<{ server: Server; wss: WebSocketServer; url: string }> {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { server, wss, url: `ws://127.0.0.1:${port}/` };
}

async function closeBare(b: { server: Server; wss: WebSocketServer }): Promise<void> {
  for (const c of b.wss.clients) c.terminate();
  await new Promise((r) => b.wss.close(r));
  await new Promise((r) => b.server.close(r));
}

/**
 * Throughput with `perTick` messages published per event-loop turn. One per tick is the worst case
 * (a syscall per socket per message on both sides); engine commands that sweep several levels publish
 * bursts, which our hub corks into one writev per socket while bare ws writes each send().
 */
async function fanout(perTick: number) {
  const oursRates: number[] = [];
  const bareRates: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const o = await ours(FANOUT_CONNS);
    const oc = await startClients(o.url, FANOUT_CONNS);
    const stream = o.hub.get('btcusdt@trade')!;
    const oRate = await pump((i) => stream.publish(() => payload(i, 1_767_225_600_000)), oc, FANOUT_CONNS, 0, perTick);
    await oc.stop();
    await o.sb.close();

    const b = await bare();
    const bc = await startClients(b.url, FANOUT_CONNS);
    const bRate = await pump(
      (i) => {
        const s = payload(i, 1_767_225_600_000);
        for (const c of b.wss.clients) if (c.readyState === WebSocket.OPEN) c.send(s);
      },
      bc,
      FANOUT_CONNS,
      0,
      perTick,
    );
    await bc.stop();
    await closeBare(b);
    oursRates.push(oRate);
    bareRates.push(bRate);
    ratios.push(oRate / bRate);
  }
  if (process.env.WS_FANOUT_DEBUG)
    console.error(`  ratios (${perTick}/tick): ${ratios.map((r) => r.toFixed(2)).join(' ')}`);
  return {
    name: `ws-fanout (1000 conns, one trade stream, ${perTick} msg${perTick > 1 ? 's' : ''} per tick)`,
    unit: 'msgs/s',
    ours: median(oursRates),
    baseline: median(bareRates),
    baselineName: `bare ws send(string) per client; ${CLIENT_PROCS} client procs`,
    ratio: median(ratios),
    target: 1.2,
  };
}

export async function run() {
  const perMessage = await fanout(1);
  const burst = await fanout(PER_TICK);
  const fanoutRows = [perMessage, burst];
  if (process.env.WS_FANOUT_ONLY) return fanoutRows;

  // ---- memory per idle connection ----
  // Baseline first, then ours; before each measurement the previous sockets must really be gone
  // (closing 10k sockets finishes asynchronously), or freed memory shows up as a negative cost.
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 500));
    heap();
  };
  await settle();
  const b = await bare();
  const g1 = heap();
  const bc = await startClients(b.url, IDLE_CONNS);
  await new Promise((r) => setTimeout(r, 200));
  const g2 = heap();
  const barePerConn = (g2 - g1) / IDLE_CONNS;
  await bc.stop();
  await closeBare(b);
  await settle();
  const o = await ours(IDLE_CONNS);
  const h1 = heap();
  const oc = await startClients(o.url.replace('/ws/btcusdt@trade', '/ws'), IDLE_CONNS);
  await new Promise((r) => setTimeout(r, 200));
  const h2 = heap();
  const oursPerConn = (h2 - h1) / IDLE_CONNS;
  await oc.stop();
  await o.sb.close();

  return [
    ...fanoutRows,
    {
      name: 'ws idle memory per connection (10k conns; lower is better)',
      unit: 'bytes',
      ours: oursPerConn,
      baseline: barePerConn,
      baselineName: 'bare ws',
      ratio: oursPerConn / barePerConn,
      target: 8 * 1024,
      targetIsMaximum: true,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await run();
  for (const r of results) console.log(JSON.stringify(r));
  process.exit(0);
}
