// How much it costs to hand a large buffer from one core to the other, against reading it again
// on the same core: the question behind the helper thread's parts (Sources/Kernels/HelperThread.swift).
//
//   cc -O3 -o cross_core bench/cross_core.c -lpthread && ./cross_core
//
// Two threads take turns adding 1 to every float of a 480 KB buffer (3750 × 32, one of the
// bidirectional model's tensors), so each pass finds the buffer in the other core's cache. On a
// machine whose two cores share their last-level cache the pass costs about 1.5 times a pass on one
// core; where they do not (a virtual machine's cores on two core complexes of an EPYC), 5 to 6 times.
// A virtual machine can be moved between the two, so run it just before and after a measurement.
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { count = 3750 * 32, rounds = 2000 };
static float *buffer;
static atomic_int turn;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void pass(void) { for (int i = 0; i < count; i++) buffer[i] += 1.0f; }

static void *other(void *unused) {
    (void)unused;
    for (int r = 0; r < rounds; r++) {
        while (atomic_load(&turn) != 1) {}
        pass();
        atomic_store(&turn, 0);
    }
    return NULL;
}

int main(void) {
    buffer = aligned_alloc(64, count * sizeof(float));
    for (int i = 0; i < count; i++) buffer[i] = 0;
    double start = now();
    for (int r = 0; r < 2 * rounds; r++) pass();
    double one = (now() - start) / (2 * rounds);
    pthread_t thread;
    pthread_create(&thread, NULL, other, NULL);
    start = now();
    for (int r = 0; r < rounds; r++) {
        while (atomic_load(&turn) != 0) {}
        pass();
        atomic_store(&turn, 1);
    }
    while (atomic_load(&turn) != 0) {}
    double two = (now() - start) / (2 * rounds);
    pthread_join(thread, NULL);
    printf("a pass over 480 KB: %.1f us on one core, %.1f us taking turns with the other core (%.1fx)\n",
           one * 1e6, two * 1e6, two / one);
    return buffer[0] < 0;
}
