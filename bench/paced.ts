// Latency at a fixed rate, measured open-loop: request i is due at start + i / rate, sent when it is
// due whatever became of the ones before it, and its latency runs from when it was due to the end of
// its answer. A stall of the server therefore counts against every request that fell due during it,
// as a user clicking at that moment would feel it.
//
// autocannon's rate mode does neither: each connection sends its share of a second back to back at
// the second's start, then idles, and its coordinated-omission correction takes 1 / rate (seconds,
// rounded up to 1) as the expected interval in milliseconds, so one 80 ms answer is recorded as
// 80 answers of 80, 79, … 1 ms. Its p99 "at 200 req/s" measured bursts, weighted by their square.
import { Agent, request } from 'node:http';

export interface PacedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface PacedResult {
  requests: number;
  /** answers that were not 2xx, and requests that failed outright */
  failed: number;
  p50: number;
  p99: number;
  max: number;
  /** how far behind its schedule the generator itself fell at worst: its own lateness is in the figures */
  worstSendDelay: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export async function pacedLoad(options: { url: string; rate: number; seconds: number; next: () => PacedRequest }): Promise<PacedResult> {
  const { url, rate, seconds, next } = options;
  // enough sockets that a request never waits for a free one on our side
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let failed = 0;
  let worstSendDelay = 0;
  const pending: Promise<void>[] = [];

  const send = (dueAt: number, { path, headers, body }: PacedRequest) =>
    new Promise<void>((settle) => {
      const target = new URL(path, url);
      const outgoing = request(target, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
        response.on('data', () => undefined);
        response.on('end', () => {
          const ok = response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300;
          if (ok) latencies.push(performance.now() - dueAt);
          else failed++;
          settle();
        });
      });
      outgoing.on('error', () => {
        failed++;
        settle();
      });
      outgoing.end(body);
    });

  const start = performance.now() + 20;
  let sent = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      // every request that has fallen due goes now; a late tick sends the overdue ones together
      while (sent < total && start + (sent * 1000) / rate <= now) {
        const dueAt = start + (sent * 1000) / rate;
        worstSendDelay = Math.max(worstSendDelay, now - dueAt);
        pending.push(send(dueAt, next()));
        sent++;
      }
      if (sent === total) return done();
      setTimeout(tick, Math.max(0, start + (sent * 1000) / rate - performance.now()));
    };
    setTimeout(tick, 20);
  });
  await Promise.all(pending);
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return { requests: total, failed, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? 0), worstSendDelay: round(worstSendDelay) };
}
