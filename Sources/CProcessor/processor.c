// What this processor runs, and which copy of the loops (see include/CProcessor.h).

#include "CProcessor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wb_default_loops_chosen = 0, wb_avx512_known = -1, wb_loop_scopes = 0;

#if defined(__x86_64__)
#include <cpuid.h>

/// XCR0, the register state the operating system saves (0 when it does not say: no OSXSAVE).
static unsigned long long savedState(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE)) return 0;
    unsigned low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return (unsigned long long)high << 32 | low;
}

int wb_has_avx2_fma(void) {
    unsigned eax, ebx, ecx, edx;
    // The OS saves the SSE and AVX registers (XCR0 bits 1, 2); the CPU has AVX and FMA (leaf 1) and AVX2 (leaf 7).
    if ((savedState() & 0x6) != 0x6 || !__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    if (!(ecx & bit_AVX) || !(ecx & bit_FMA)) return 0;
    return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & bit_AVX2) ? 1 : 0;
}

int wb_ask_avx512(void) {
    unsigned eax, ebx, ecx, edx;
    // The OS saves the SSE, AVX and AVX-512 registers (XCR0 bits 1, 2, 5, 6, 7), and the CPU has AVX-512F.
    int has = (savedState() & 0xE6) == 0xE6 && __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & bit_AVX512F);
    __atomic_store_n(&wb_avx512_known, has, __ATOMIC_RELAXED);   // every thread finds the same answer
    return has;
}

#else

int wb_has_avx2_fma(void) { return 0; }

int wb_ask_avx512(void) {
    __atomic_store_n(&wb_avx512_known, 0, __ATOMIC_RELAXED);
    return 0;
}

#endif

int wb_choose_loops(void) {
    int best = wb_has_avx2_fma() ? 1 : 2, chosen = best;
    const char *requested = getenv("WORKBOOK_KERNELS");
    if (requested && strcmp(requested, "portable") == 0) {
        chosen = 2;
    } else if (requested && strcmp(requested, "avx2") == 0) {
        if (best != 1) fputs("warning: WORKBOOK_KERNELS=avx2, but this processor has no AVX2 and FMA: the portable loops run\n", stderr);
    } else if (requested && requested[0] != 0) {
        char shown[41];   // the value's first 40 bytes, control characters and the like as '?'
        size_t n = 0;
        for (; requested[n] != 0 && n < 40; n++) shown[n] = requested[n] >= 0x20 && requested[n] < 0x7F ? requested[n] : '?';
        shown[n] = 0;
        fprintf(stderr, "warning: WORKBOOK_KERNELS is portable or avx2, not '%s': the %s loops run\n", shown,
                best == 1 ? "avx2" : "portable");
    }
    // Two threads that ask at the same time may both warn; both return the first answer stored.
    int expected = 0;
    if (!__atomic_compare_exchange_n(&wb_default_loops_chosen, &expected, chosen, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
        return expected;
    }
    return chosen;
}
