import http from 'node:http';

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  json<T = unknown>(): T;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Source address of the client socket: 127.0.0.2, 127.0.0.3 … act as different client IPs. */
  readonly localAddress?: string;
}

const agents = new Map<string, http.Agent>();
function agentFor(localAddress: string): http.Agent {
  let agent = agents.get(localAddress);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, localAddress } as http.AgentOptions);
    agents.set(localAddress, agent);
  }
  return agent;
}

/** One real HTTP request over loopback. */
export function request(url: string, opts: RequestOptions = {}): Promise<HttpResponse> {
  const localAddress = opts.localAddress ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: opts.method ?? 'GET',
        headers:
          opts.body === undefined
            ? opts.headers
            : { 'content-length': String(Buffer.byteLength(opts.body)), ...opts.headers },
        agent: agentFor(localAddress),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export function closeAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}
