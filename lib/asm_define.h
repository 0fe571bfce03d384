/* For the asm-offsets generators: each DEFINE() leaves "#asm-define NAME
 * value" in the compiler's assembly output, which the Makefiles turn into
 * NASM %defines, so assembly never hand-copies a C offset or constant. */
#ifndef LIB_ASM_DEFINE_H
#define LIB_ASM_DEFINE_H

#define DEFINE(sym, val) __asm__ volatile("\n#asm-define " #sym " %c0" ::"i"(val))
#define OFFSET(sym, type, member) DEFINE(sym, __builtin_offsetof(type, member))

#endif
