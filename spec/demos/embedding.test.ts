/**
 * demos/embedding.ts run as a user runs it, in a child process: the HTTP server serves the
 * demo's requests through a host source, the kernel shuts down cleanly, the process exits 0.
 */
import test from 'ava';
import { runProgram } from '../helpers/program.ts';

test('the embedding demo serves its requests, shuts down, answers 503 after, and exits 0 (child process)', async (t) => {
  const r = await runProgram('demos/embedding.ts', []);
  t.is(r.code, 0, `exit code; stderr:\n${r.stderr}`);
  t.regex(r.stdout, /GET \/hello -> 200 hello from a kernel thread\n/);
  t.regex(r.stdout, /GET \/count -> 200 count 1\n\s+GET \/count -> 200 count 2\n/);
  t.regex(r.stdout, /run\(\) settled with shutdown 'demo done'; unwound: worker A, worker B\n/);
  t.regex(r.stdout, /GET \/hello after shutdown -> 503 EPIPE: shutting down\n/);
  t.regex(r.stdout, /STALL: 1 thread\(s\) blocked, .*no host source open/);
  t.regex(r.stdout, /waits for completion "doorbell\.ack"/);
  t.regex(r.stdout, /\[embedding\] behaved as described\n/);
});
