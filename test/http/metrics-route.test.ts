import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsRoute, MAX_UNSENT_CHARS } from '../../src/http/metrics-route.js';
import { Foreground } from '../../src/runtime/foreground.js';
import { Registry } from '../../src/runtime/prom.js';

// GET /metrics streams the page in chunks. It lets up to MAX_UNSENT_CHARS wait unsent before it waits
// for the client (a drain wait per chunk made a fast scrape ~20 % slower), and no more: a scraper that
// stops reading holds a bounded part of the page, and the rest is rendered only as it reads.

const CHUNK = 'x'.repeat(64 * 1024 - 1) + '\n';
/** 25 MB: more than the loopback socket buffers and the route's allowance together. */
const CHUNKS = 400;

let server: Server | undefined;
let client: Socket | undefined;

afterEach(async () => {
  client?.destroy();
  if (server) await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  client = undefined;
});

interface Rendered {
  chunks: number;
  done: boolean;
}

/** Counts the route's waits for its client (it waits outside the foreground: Foreground.outside). */
class CountingForeground extends Foreground {
  waits = 0;
  override outside<T>(wait: Promise<T>): Promise<T> {
    this.waits += 1;
    return super.outside(wait);
  }
}

async function serve(rendered: Rendered, foreground = new CountingForeground()): Promise<number> {
  const app = express();
  app.use(
    createMetricsRoute({
      path: '/metrics',
      metricsRegistry: new Registry(),
      renderers: [
        async (write) => {
          for (let k = 0; k < CHUNKS; k += 1) {
            await write(CHUNK);
            rendered.chunks += 1;
          }
          rendered.done = true;
        },
      ],
      onError: () => undefined,
      foreground,
    }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server?.once('listening', resolve));
  return (server.address() as AddressInfo).port;
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('GET /metrics and a scraper that reads slowly', () => {
  it('stops rendering a page its client does not read, and finishes it once the client reads', async () => {
    const rendered = { chunks: 0, done: false };
    const foreground = new CountingForeground();
    const port = await serve(rendered, foreground);
    let received = 0;
    client = connect(port, '127.0.0.1');
    client.on('data', (data: Buffer) => (received += data.length));
    client.pause();
    client.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await settle(800);
    // Held: the socket buffers and at most the allowance plus one chunk, not the page.
    expect(rendered.done).toBe(false);
    expect(rendered.chunks).toBeGreaterThan(MAX_UNSENT_CHARS / CHUNK.length);
    expect(rendered.chunks).toBeLessThan(CHUNKS / 2);
    const held = rendered.chunks;
    // It is waiting for the client (the kernel's socket buffers took what they could first).
    expect(foreground.waits).toBeGreaterThan(0);
    await settle(400);
    expect(rendered.chunks).toBe(held);
    client.resume();
    const ended = new Promise((resolve) => client?.once('end', resolve));
    await ended;
    expect(rendered.done).toBe(true);
    expect(received).toBeGreaterThan(CHUNKS * CHUNK.length);
  });

  it('renders a page its client reads at once without waiting on every chunk', async () => {
    const rendered = { chunks: 0, done: false };
    const foreground = new CountingForeground();
    const port = await serve(rendered, foreground);
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text.startsWith(CHUNK.repeat(CHUNKS))).toBe(true);
    expect(rendered.done).toBe(true);
    // Each 64 KiB chunk is past the socket's 16 KiB high-water mark: waiting whenever write() says
    // so would wait after every chunk. With the allowance the render waits only while more than
    // MAX_UNSENT_CHARS is unsent, which a client reading at once seldom lets happen.
    expect(foreground.waits).toBeLessThan(CHUNKS / 4);
  });
});
