/*
 * coro.c: native reference for a green-thread switch. Two coroutines, each on its own stack,
 * ping-pong with _setjmp/_longjmp (no signal mask saved, so no system call per switch).
 *
 * Interface: coro ROUNDS REPS WARMUP_MS
 *   prints {"switchesPerRep":2*ROUNDS,"samples":[ns per switch, one per repetition]}
 * coro check ROUNDS
 *   runs one ping-pong recording who ran, prints "ok N" when the 2*ROUNDS entries alternate
 *   (0, 1, 0, 1, ...), or "bad ..." and exits 1.
 * Invariants: each coroutine is started once with makecontext/swapcontext (only to get onto its
 * own stack), saves its context with _setjmp there, and from then on every switch is one
 * _setjmp + _longjmp pair. A repetition re-creates both coroutines, outside the timed region.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#define STACK_SIZE (64 * 1024)
#define MAX_REPS 1000

typedef struct coro {
  jmp_buf env;
  ucontext_t boot;
  struct coro *peer;
  long i; /* loop counter in memory: registers are not kept across _longjmp */
  int id;
  char *stack;
} coro;

static jmp_buf main_env;
static ucontext_t main_boot;
static coro cos[2];
static long rounds;
static int *trace;      /* NULL when not checking */
static long trace_len;

static void body(coro *self) {
  for (self->i = 0; self->i < rounds; self->i++) {
    if (trace != NULL) trace[trace_len++] = self->id;
    if (!_setjmp(self->env)) _longjmp(self->peer->env, 1);
  }
  _longjmp(main_env, 1);
}

static coro *starting;

static void entry(void) {
  coro *self = starting;
  if (!_setjmp(self->env)) swapcontext(&self->boot, &main_boot); /* back to main, stack kept */
  body(self);
  abort(); /* body never returns */
}

static void start(coro *c) {
  getcontext(&c->boot);
  c->boot.uc_stack.ss_sp = c->stack;
  c->boot.uc_stack.ss_size = STACK_SIZE;
  c->boot.uc_link = NULL;
  makecontext(&c->boot, entry, 0);
  starting = c;
  swapcontext(&main_boot, &c->boot);
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One ping-pong of 2*rounds switches; returns its duration in ns. */
static double ping_pong(void) {
  for (int i = 0; i < 2; i++) {
    cos[i].id = i;
    cos[i].peer = &cos[1 - i];
    start(&cos[i]);
  }
  double t0 = now_ns();
  if (!_setjmp(main_env)) _longjmp(cos[0].env, 1);
  return now_ns() - t0;
}

int main(int argc, char **argv) {
  for (int i = 0; i < 2; i++) {
    cos[i].stack = malloc(STACK_SIZE);
    if (cos[i].stack == NULL) return 2;
  }
  if (argc == 3 && strcmp(argv[1], "check") == 0) {
    rounds = atol(argv[2]);
    if (rounds < 1 || rounds > 1000000) return 2;
    trace = calloc((size_t)(2 * rounds + 2), sizeof(int));
    if (trace == NULL) return 2;
    ping_pong();
    if (trace_len != 2 * rounds) {
      printf("bad: %ld entries, expected %ld\n", trace_len, 2 * rounds);
      return 1;
    }
    for (long i = 0; i < trace_len; i++) {
      if (trace[i] != (int)(i % 2)) {
        printf("bad: entry %ld is %d\n", i, trace[i]);
        return 1;
      }
    }
    printf("ok %ld\n", trace_len);
    return 0;
  }
  if (argc != 4) {
    fprintf(stderr, "usage: coro ROUNDS REPS WARMUP_MS | coro check ROUNDS\n");
    return 2;
  }
  rounds = atol(argv[1]);
  long reps = atol(argv[2]);
  double warmup_ns = atof(argv[3]) * 1e6;
  if (rounds < 1 || reps < 1 || reps > MAX_REPS) return 2;
  double until = now_ns() + warmup_ns;
  for (long guard = 0; guard < 100000000L && now_ns() < until; guard++) ping_pong();
  printf("{\"switchesPerRep\":%ld,\"samples\":[", 2 * rounds);
  for (long r = 0; r < reps; r++) printf("%s%.3f", r == 0 ? "" : ",", ping_pong() / (double)(2 * rounds));
  printf("]}\n");
  return 0;
}
