/* lib/report.c: a SKIP line says why and leaves the summary's counts alone. */
#include <stdio.h>
#include "harness.h"

#define HEAD "SUMMARY: skip: "

static char captured[4][128];
static unsigned n_captured;

static void capture(const char *line)
{
	if (n_captured < ARRAY_SIZE(captured))
		fmt_snprintf(captured[n_captured], sizeof(captured[0]), "%s", line);
	n_captured++;
}

static void to_stdout(const char *line)
{
	printf("%s\n", line);
}

void run_tests(void)
{
	/* The summary before and after the skip, and the skip itself. */
	report_set_sink(capture);
	report_summary("skip");
	report_skip("segment limits: %s", "not checked here");
	report_summary("skip");
	report_set_sink(to_stdout);

	report(n_captured == 3, "report_skip() between two summaries emits one line (%u captured)",
	       n_captured);
	report(!strcmp(captured[1], "SKIP: segment limits: not checked here"),
	       "report_skip() prints \"SKIP: \" and its text (got \"%s\")", captured[1]);
	/* Only the counts are quoted: a SUMMARY line of its own would be
	 * taken for this program's (test/run.py). */
	report(!strcmp(captured[0], captured[2]) && !strncmp(captured[0], HEAD, strlen(HEAD)),
	       "report_skip() counts neither a pass nor a failure (\"%s\", then \"%s\")",
	       captured[0] + strlen(HEAD), captured[2] + strlen(HEAD));
}
