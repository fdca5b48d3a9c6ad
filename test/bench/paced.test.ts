// The fixed-rate generator of `npm run bench:load` must charge a server's stall to every request
// that fell due during it, or its p99 says nothing about a stall (see bench/paced.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pacedLoad } from '../../bench/paced.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

/** A server that holds every answer back during one window, as a writer lock held by a checkpoint would. */
async function stallingServer(options: { stallFromMs: number; stallMs: number; failRequest?: number }): Promise<{ url: string; arrivedInStall: () => number }> {
  let first: number | undefined;
  let inStall = 0;
  let seen = 0;
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const now = performance.now();
      first ??= now;
      seen++;
      const stallStart = first + options.stallFromMs;
      const stallEnd = stallStart + options.stallMs;
      const status = seen === options.failRequest ? 500 : 200;
      const answer = () => response.writeHead(status).end('ok');
      if (now >= stallStart && now < stallEnd) {
        inStall++;
        setTimeout(answer, stallEnd - now);
      } else answer();
    });
  });
  await new Promise<void>((listening) => server!.listen(0, '127.0.0.1', listening));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, arrivedInStall: () => inStall };
}

const request = () => ({ path: '/click', headers: { 'content-type': 'application/json' }, body: '{"a":"accept"}' });

describe('latency at a fixed rate', () => {
  it('keeps sending on schedule through a stall and counts each request from when it was due', async () => {
    const { url, arrivedInStall } = await stallingServer({ stallFromMs: 500, stallMs: 400 });
    const result = await pacedLoad({ url, rate: 200, seconds: 2, next: request });

    expect(result.requests).toBe(400);
    expect(result.failed).toBe(0);
    // 80 requests fall due in the 400 ms stall; one that waited for answers (as autocannon's
    // connections do) would have sent one a connection into it and the rest after it
    expect(arrivedInStall()).toBeGreaterThanOrEqual(40);
    // waiting 0–400 ms each, a fifth of the run: the slowest 1 % all waited most of the stall
    expect(result.p99).toBeGreaterThanOrEqual(250);
    expect(result.max).toBeGreaterThanOrEqual(390);
    expect(result.p50).toBeLessThan(result.p99);
  });

  it('counts an answer that is not 2xx as failed, outside the latencies', async () => {
    const { url } = await stallingServer({ stallFromMs: 60_000, stallMs: 0, failRequest: 7 });
    const result = await pacedLoad({ url, rate: 100, seconds: 0.5, next: request });

    expect(result.requests).toBe(50);
    expect(result.failed).toBe(1);
  });
});
