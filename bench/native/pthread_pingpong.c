/*
 * pthread_pingpong.c: native reference for a blocking hand-off between two OS threads: a
 * pthread mutex and condition variable, and a turn variable (the condvar ping-pong workload).
 *
 * Interface: pthread_pingpong ROUNDS REPS WARMUP_MS
 *   prints {"switchesPerRep":2*ROUNDS,"samples":[ns per hand-off, one per repetition]}
 * pthread_pingpong check ROUNDS
 *   prints "ok N" when the 2*ROUNDS turns alternate (0, 1, 0, 1, ...), else "bad ..." (exit 1).
 * Invariants: a thread takes its turn only when `turn` names it, under the mutex (Mesa: wait in
 * a loop); it then passes the turn and signals. A repetition times both threads from creation to
 * join (creation is a few µs against thousands of hand-offs).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_REPS 1000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int turn;
static long rounds;
static int *trace; /* NULL when not checking */
static long trace_len;

static void *player(void *arg) {
  int me = (int)(long)arg;
  pthread_mutex_lock(&lock);
  for (long i = 0; i < rounds; i++) {
    while (turn != me) pthread_cond_wait(&changed, &lock);
    if (trace != NULL) trace[trace_len++] = me;
    turn = 1 - me;
    pthread_cond_signal(&changed);
  }
  pthread_mutex_unlock(&lock);
  return NULL;
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One ping-pong of 2*rounds hand-offs; returns its duration in ns, or -1 on failure. */
static double ping_pong(void) {
  pthread_t t[2];
  turn = 0;
  double t0 = now_ns();
  for (long i = 0; i < 2; i++) {
    if (pthread_create(&t[i], NULL, player, (void *)i) != 0) return -1;
  }
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  return now_ns() - t0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "check") == 0) {
    rounds = atol(argv[2]);
    if (rounds < 1 || rounds > 1000000) return 2;
    trace = calloc((size_t)(2 * rounds + 2), sizeof(int));
    if (trace == NULL || ping_pong() < 0) return 2;
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
    fprintf(stderr, "usage: pthread_pingpong ROUNDS REPS WARMUP_MS | pthread_pingpong check ROUNDS\n");
    return 2;
  }
  rounds = atol(argv[1]);
  long reps = atol(argv[2]);
  double warmup_ns = atof(argv[3]) * 1e6;
  if (rounds < 1 || reps < 1 || reps > MAX_REPS) return 2;
  double until = now_ns() + warmup_ns;
  for (long guard = 0; guard < 1000000L && now_ns() < until; guard++) {
    if (ping_pong() < 0) return 2;
  }
  printf("{\"switchesPerRep\":%ld,\"samples\":[", 2 * rounds);
  for (long r = 0; r < reps; r++) {
    double ns = ping_pong();
    if (ns < 0) return 2;
    printf("%s%.3f", r == 0 ? "" : ",", ns / (double)(2 * rounds));
  }
  printf("]}\n");
  return 0;
}
