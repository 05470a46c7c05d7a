import { request as httpRequest, Agent as HttpAgent } from 'node:http';

export type PingTarget = { socketPath: string } | { host: string; port: number };

/** GET /_ping n times over one kept-alive connection; milliseconds per request, without the warm-up tenth. */
export async function pings(target: PingTarget, n: number): Promise<number[]> {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const began = performance.now();
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest({ ...target, path: '/_ping', agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`ping ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
    times.push(performance.now() - began);
  }
  agent.destroy();
  return times.slice(Math.floor(n / 10));
}

/** Alternating rounds of pings through both paths: a shared machine's load then weighs on both alike. */
export async function alternatingPings(viaSocket: PingTarget, viaDirect: PingTarget, rounds: number, perRound = 60): Promise<{ socket: number[]; direct: number[] }> {
  const socket: number[] = [];
  const direct: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    socket.push(...(await pings(viaSocket, perRound)));
    direct.push(...(await pings(viaDirect, perRound)));
  }
  return { socket, direct };
}
