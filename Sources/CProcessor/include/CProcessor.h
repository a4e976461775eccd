// What this processor and its operating system run, asked once (CPUID, and XGETBV for the registers
// the operating system saves on a thread switch), and which copy of the kernels' loops runs.
//
// The kernels' loops are compiled twice (Sources/Loops): for AVX2 and FMA, and portable. The Kernels
// module runs the AVX2 copy only where `wb_has_avx2_fma()` says so, so a processor without AVX2 (an
// old Atom, QEMU's default CPU) runs the portable copy instead of stopping on an illegal instruction;
// CWideProduct's AVX-512 tiles run only where `wb_has_avx512()` says so. Off x86-64 both answers are 0.
//
// The answers are asked on first use and kept in plain variables, which the inline functions here
// read with one load: the kernels ask on every call.

#ifndef CPROCESSOR_H
#define CPROCESSOR_H

/// 1 when this processor has AVX2 and FMA and the operating system saves the AVX registers, else 0.
int wb_has_avx2_fma(void);

/// Which copy of the loops runs where a thread does not say otherwise: 1 for AVX2 where the processor
/// has AVX2 and FMA, unless the environment variable WORKBOOK_KERNELS is "portable"; 2 (portable)
/// otherwise. A value of WORKBOOK_KERNELS other than "portable", "avx2" or empty gets a warning on
/// standard error, once, and is ignored.
int wb_choose_loops(void);

/// Whether this processor and operating system run AVX-512F: 1 or 0.
int wb_ask_avx512(void);

/// The answers so far: 0 (or -1 for AVX-512) until asked.
extern int wb_default_loops_chosen, wb_avx512_known;

/// The threads now inside a scope that chooses its own copy of the loops (`KernelPath.using`).
extern int wb_loop_scopes;

/// ``wb_choose_loops()``, asked once.
static inline int wb_default_loops(void) {
    int chosen = __atomic_load_n(&wb_default_loops_chosen, __ATOMIC_RELAXED);
    return chosen ? chosen : wb_choose_loops();
}

/// ``wb_ask_avx512()``, asked once.
static inline int wb_has_avx512(void) {
    int known = __atomic_load_n(&wb_avx512_known, __ATOMIC_RELAXED);
    return known >= 0 ? known : wb_ask_avx512();
}

/// Whether any thread is inside such a scope now. A thread always sees its own entering and leaving,
/// so a thread outside every scope may see 0 or not: either way it runs its default copy.
static inline int wb_any_loop_scopes(void) { return __atomic_load_n(&wb_loop_scopes, __ATOMIC_RELAXED) != 0; }
static inline void wb_enter_loop_scope(void) { __atomic_fetch_add(&wb_loop_scopes, 1, __ATOMIC_RELAXED); }
static inline void wb_leave_loop_scope(void) { __atomic_fetch_sub(&wb_loop_scopes, 1, __ATOMIC_RELAXED); }

#endif
