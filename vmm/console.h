/* nestvisor's console: whole lines on COM1, one CPU at a time, each line
 * prefixed with the CPU that printed it ("[cpu1] smp: online"). */
#ifndef VMM_CONSOLE_H
#define VMM_CONSOLE_H

#include "../lib/fmt.h"

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void console_init(void);
void console_set_level(enum log_level level);
/* Prints one line (a trailing newline is added) if level is enabled. */
void pr(enum log_level level, const char *fmt, ...) __printf(2, 3);
#define pr_err(...) pr(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) pr(LOG_WARN, __VA_ARGS__)
#define pr_info(...) pr(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) pr(LOG_DEBUG, __VA_ARGS__)

/* For crash reports: takes the console even if another CPU died holding it,
 * so the report always comes out. Pair with console_crash_end(). */
void console_crash_begin(void);
void console_crash_end(void);
/* Prints a line without taking the lock: only between the two calls above. */
void console_crash_line(const char *fmt, ...) __printf(1, 2);

#endif
