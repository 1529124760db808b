import net from 'node:net';

/**
 * A TCP proxy in front of a real dependency (Postgres, Temporal, …) that a test can freeze or cut,
 * so one test file tries an outage without touching the stack the other files share.
 *   freeze(): connections stay open and nothing is forwarded either way (a hung server);
 *   cut():    every connection is reset and new ones are refused (a stopped server);
 *   restore(): traffic flows again; connections frozen meanwhile get what was held back.
 */
export interface TcpProxy {
  port: number;
  /** host:port to give the code under test in place of the real address. */
  address: string;
  freeze(): void;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let state: 'open' | 'frozen' | 'cut' = 'open';
  const pairs = new Set<[net.Socket, net.Socket]>();
  let server = net.createServer(onConnection);

  function onConnection(client: net.Socket) {
    if (state === 'cut') return client.resetAndDestroy();
    const upstream = net.connect(targetPort, targetHost);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
    if (state === 'frozen') pause(pair);
  }
  const pause = ([a, b]: [net.Socket, net.Socket]) => {
    a.pause();
    b.pause();
  };
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });

  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    freeze() {
      state = 'frozen';
      pairs.forEach(pause);
    },
    async cut() {
      state = 'cut';
      for (const [a, b] of pairs) {
        a.resetAndDestroy();
        b.destroy();
      }
      pairs.clear();
      // Refuse new connections outright, as a stopped server's port does.
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async restore() {
      if (state === 'cut') {
        server = net.createServer(onConnection);
        await listen(port);
      }
      state = 'open';
      for (const [a, b] of pairs) {
        a.resume();
        b.resume();
      }
    },
    async close() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
