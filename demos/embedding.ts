/**
 * Demo: a kernel embedded in a live Node process.
 *
 * An HTTP server on an ephemeral port hands each request to kernel threads through a host
 * source (an interrupt line): the handler `deliver()`s, two worker threads take requests with
 * `yield* requests.next()` and answer them. While the source is open, run() waits for the host
 * instead of reporting a stall. The demo serves a few requests from itself, then shuts the
 * kernel down (every worker unwinds through its finally); a request arriving after that is
 * answered 503 (SourceClosedError, EPIPE). Part 2: the host closes a source while a driver
 * still waits for an acknowledgement nobody will give — the stall is reported at once.
 * Run alone: `npx tsx demos/embedding.ts [--json FILE] [--dot FILE]` (`-` for stdout).
 */
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Completion, Kernel, Mutex, SourceClosedError, StallError, sleep } from '../lib/index.ts';
import {
  Printer,
  caught,
  runAlone,
  type Demo,
  type DemoOptions,
  type DemoResult,
} from './common.ts';

/** One HTTP request, as the handler hands it to the kernel. */
interface Job {
  readonly path: string;
  readonly res: ServerResponse;
}

/** Requests the demo sends itself. */
const PATHS = ['/hello', '/count', '/count'] as const;

/** GET `path` on localhost:`port` without keep-alive (nothing left open after the demo). */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, path, host: '127.0.0.1', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The server: a kernel with two workers behind a source fed by an HTTP handler.
 *
 * @example
 * const s = await serve(); await get(s.port, '/hello'); s.kernel.shutdown('done'); await s.running;
 */
async function serve() {
  const kernel = new Kernel({ name: 'http', clock: 'real' });
  const requests = kernel.hostSource<Job>('http requests');
  const counter = new Mutex('counter');
  let count = 0;
  const unwound: string[] = [];
  for (const name of ['worker A', 'worker B']) {
    kernel.spawn(
      function* worker() {
        try {
          for (;;) {
            const next = yield* requests.next();
            if (next.done) return;
            const { path, res } = next.value;
            let body = 'hello from a kernel thread\n';
            if (path === '/count') {
              yield* counter.lock();
              try {
                yield* sleep(1); // some work under the lock
                body = `count ${++count}\n`;
              } finally {
                counter.unlock();
              }
            }
            res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
          }
        } finally {
          unwound.push(name);
        }
      },
      { name },
    );
  }
  const server = createServer((req, res) => {
    try {
      requests.deliver({ path: req.url ?? '/', res });
    } catch (error) {
      if (!(error instanceof SourceClosedError)) throw error;
      res.writeHead(503, { 'content-type': 'text/plain' }).end(`${error.code}: shutting down\n`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const running = kernel.run();
  return { kernel, server, port, running, unwound };
}

/** Part 2: a source closed while a driver waits for an acknowledgement the host never gives. */
async function forgottenAck(): Promise<unknown> {
  const kernel = new Kernel({ name: 'doorbell' });
  const doorbell = kernel.hostSource<number>('doorbell');
  const ack = new Completion<void>('doorbell.ack');
  kernel.spawn(function* driver() {
    const ring = yield* doorbell.next();
    if (ring.done) return;
    yield* ack.wait(); // BUG: the host closes the line and never calls ack.complete()
  });
  doorbell.deliver(1);
  setTimeout(() => doorbell.close(), 1);
  return caught(kernel.run());
}

async function run(options: DemoOptions = {}): Promise<DemoResult> {
  const out = new Printer(options);
  out.line('== an HTTP server whose handler hands requests to kernel threads through a source');
  const s = await serve();
  out.line(`    listening on an ephemeral port; run() waits for the host while the source is open`);
  const answers: { status: number; body: string }[] = [];
  for (const p of PATHS) answers.push(await get(s.port, p)); // one at a time: a stable printout
  PATHS.forEach((p, i) =>
    out.line(`    GET ${p} -> ${answers[i]!.status} ${answers[i]!.body.trimEnd()}`),
  );
  s.kernel.shutdown('demo done');
  const result = await s.running;
  out.line(
    `    kernel.shutdown('demo done'): run() settled with shutdown '${result.shutdown}'; unwound: ${[...s.unwound].sort().join(', ')}`,
  );
  const late = await get(s.port, '/hello');
  out.line(`    GET /hello after shutdown -> ${late.status} ${late.body.trimEnd()}`);
  await new Promise<void>((resolve) => s.server.close(() => resolve()));
  const served =
    answers.every((a) => a.status === 200) &&
    answers.map((a) => a.body).join('') === 'hello from a kernel thread\ncount 1\ncount 2\n' &&
    result.shutdown === 'demo done' &&
    s.unwound.length === 2 &&
    late.status === 503;
  out.line('');
  out.line('== the host closes a source while a driver waits for an ack it never gives');
  const error = await forgottenAck();
  if (error instanceof StallError) out.report(error.report);
  else out.line(`unexpected: ${String(error)}`);
  return out.result('embedding', served && error instanceof StallError);
}

export const demo: Demo = {
  name: 'embedding',
  title: 'a kernel serving HTTP requests through a host source, shut down cleanly',
  run,
};

runAlone(import.meta.url, demo);
