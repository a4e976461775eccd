// What this processor and its operating system run, asked once (CPUID, and XGETBV for the registers
// the operating system saves on a thread switch). Off x86-64 both answers are 0.
//
// The kernels' loops are compiled twice (Sources/Loops): for AVX2 and FMA, and portable. The Kernels
// module runs the AVX2 copy only where `wb_has_avx2_fma()` says so, so a processor without AVX2 (an
// old Atom, QEMU's default CPU) runs the portable copy instead of stopping on an illegal instruction;
// CWideProduct's AVX-512 tiles run only where `wb_has_avx512()` says so.

#ifndef CPROCESSOR_H
#define CPROCESSOR_H

/// 1 when this processor has AVX2 and FMA and the operating system saves the AVX registers, else 0.
int wb_has_avx2_fma(void);

/// 1 when this processor and operating system run AVX-512F, else 0.
int wb_has_avx512(void);

#endif
