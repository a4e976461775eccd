// What this processor runs (see include/CProcessor.h).

#include "CProcessor.h"

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

/// `answer()` asked once; every thread finds the same answer (-1: not asked yet).
static int once(int *known, int (*answer)(void)) {
    int has = __atomic_load_n(known, __ATOMIC_RELAXED);
    if (has >= 0) return has;
    has = answer();
    __atomic_store_n(known, has, __ATOMIC_RELAXED);
    return has;
}

static int askAVX2FMA(void) {
    unsigned eax, ebx, ecx, edx;
    // The OS saves the SSE and AVX registers (XCR0 bits 1, 2); the CPU has AVX and FMA (leaf 1) and AVX2 (leaf 7).
    if ((savedState() & 0x6) != 0x6 || !__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    if (!(ecx & bit_AVX) || !(ecx & bit_FMA)) return 0;
    return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & bit_AVX2) ? 1 : 0;
}

static int askAVX512(void) {
    unsigned eax, ebx, ecx, edx;
    // The OS saves the SSE, AVX and AVX-512 registers (XCR0 bits 1, 2, 5, 6, 7), and the CPU has AVX-512F.
    if ((savedState() & 0xE6) != 0xE6) return 0;
    return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & bit_AVX512F) ? 1 : 0;
}

int wb_has_avx2_fma(void) { static int known = -1; return once(&known, askAVX2FMA); }
int wb_has_avx512(void) { static int known = -1; return once(&known, askAVX512); }

#else

int wb_has_avx2_fma(void) { return 0; }
int wb_has_avx512(void) { return 0; }

#endif
