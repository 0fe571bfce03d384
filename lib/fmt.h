/* printf-style formatting into a sink, shared by nestvisor, guests and host
 * tests. Supports %d %i %u %x %X %o %c %s %p %% with the flags '-' and '0',
 * a field width (also '*'), and the length modifiers hh h l ll z: l is
 * long's size (64 bits in 64-bit code, 32 in the guests' 16- and 32-bit
 * builds), ll 64 bits. 64-bit numbers need no libgcc in any build. */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include "types.h"

typedef void (*fmt_sink_t)(void *ctx, char c);

/* Formats to sink(ctx, c) character by character; returns the count. */
int fmt_v(fmt_sink_t sink, void *ctx, const char *fmt, va_list ap);

/* snprintf semantics: always NUL-terminates when size > 0; returns the
 * length the full output would have had. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
