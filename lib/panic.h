/* panic(): nestvisor prints a crash report and powers off with a failure
 * code; the host unit tests supply their own panic() that records the
 * message, so misuse detection can itself be tested. */
#ifndef LIB_PANIC_H
#define LIB_PANIC_H

#include "types.h"

noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define ASSERT(cond)                                                          \
	do {                                                                  \
		if (!(cond))                                                  \
			panic("assertion failed: %s (%s:%d)", #cond,          \
			      __FILE__, __LINE__);                            \
	} while (0)

#endif
