/* One reporting API for every test in the project: host unit tests, the
 * in-machine self-tests and (later) the test guests. Each check prints one
 * line, "PASS: <what>" or "FAIL: <what>" (or "SKIP: <what>" for a check that
 * cannot run there), and report_summary() prints
 * "SUMMARY: <prefix>: N passed, N failed". Safe to call from several CPUs. */
#ifndef LIB_REPORT_H
#define LIB_REPORT_H

#include "fmt.h"

/* Where report lines go; each line is emitted by one call to sink. */
typedef void (*report_sink_t)(const char *line);
void report_set_sink(report_sink_t sink);

/* Records one check; returns pass so callers can chain diagnostics. */
bool report(bool pass, const char *fmt, ...) __printf(2, 3);
/* A line of context that is neither a pass nor a fail. */
void report_info(const char *fmt, ...) __printf(1, 2);
/* "SKIP: <what>": a check that cannot run here, said with its reason;
 * counted neither as passed nor as failed. */
void report_skip(const char *fmt, ...) __printf(1, 2);
/* Prints the summary line; returns the number of failures. */
unsigned report_summary(const char *prefix);
unsigned report_failures(void);

#endif
