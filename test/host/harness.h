/* Host unit-test harness: the project's report() API on stdout, and a
 * panic() that can be caught, so misuse detection is itself testable. */
#ifndef TEST_HOST_HARNESS_H
#define TEST_HOST_HARNESS_H

#include <setjmp.h>
#include <string.h>
#include "../../lib/report.h"
#include "../../lib/panic.h"

extern jmp_buf *harness_panic_jmp;
extern char harness_panic_msg[256];

/* Runs stmt, which must panic with a message containing substr. */
#define EXPECT_PANIC(what, substr, stmt)                                      \
	do {                                                                  \
		jmp_buf jb_;                                                  \
		harness_panic_jmp = &jb_;                                     \
		if (!setjmp(jb_)) {                                           \
			stmt;                                                 \
			harness_panic_jmp = NULL;                             \
			report(false, "%s: expected a panic", what);          \
		} else {                                                      \
			harness_panic_jmp = NULL;                             \
			report(strstr(harness_panic_msg, substr) != NULL,     \
			       "%s: panics with \"%s\" (got \"%s\")", what,   \
			       substr, harness_panic_msg);                    \
		}                                                             \
	} while (0)

/* Every test program defines run_tests(); main() prints the summary and
 * exits non-zero on any failure. */
void run_tests(void);

#endif
