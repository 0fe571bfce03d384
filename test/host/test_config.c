/* vmm/config.c: the config file and load-option parser. */
#include <stdio.h>
#include "harness.h"
#include "../../vmm/config.h"

static char last_problem[160];
static unsigned complaints;

static void complain(const char *msg)
{
	complaints++;
	snprintf(last_problem, sizeof(last_problem), "%s", msg);
}

static void test_defaults(void)
{
	struct nv_config c;
	char line[160];

	config_defaults(&c);
	config_describe(&c, line, sizeof(line));
	report(!strcmp(line, "log=info cpus=64 apic=auto selftest=on crash=none guest_mem=16 bench=off"),
	       "defaults: %s", line);
}

static void test_file(void)
{
	struct nv_config c;
	const char *text = "# nestvisor.cfg\n"
			   "log = debug\n"
			   "\n"
			   "  cpus=2   # trailing comment\r\n"
			   "apic = xapic\n"
			   "selftest = off\n"
			   "crash = stack-overflow\n"
			   "guest = basic64\n"
			   "guest_mem = 32\n"
			   "guest = other@1\n"
			   "guest = smp@1,0,1\n"
			   "bad_vmcs = other\n"
			   "bare = real16\n"
			   "bare = basic64\n"
			   "bench = on";
	unsigned n;

	config_defaults(&c);
	complaints = 0;
	n = config_parse(&c, text, false, complain);
	report(n == 0 && complaints == 0, "file syntax parses without problems (%u)", n);
	report(c.log_level == LOG_DEBUG && c.max_cpus == 2 && c.prefer_xapic &&
	       !c.selftest && c.crash == CRASH_STACK_OVERFLOW && c.guest_mem_mib == 32 &&
	       c.nr_guests == 3 && !strcmp(c.guests[0], "basic64") && c.guest_nr_vcpus[0] == 1 &&
	       c.guest_cpus[0][0] == 0 && !strcmp(c.guests[1], "other") && c.guest_cpus[1][0] == 1 &&
	       !strcmp(c.guests[2], "smp") && c.guest_nr_vcpus[2] == 3 && c.guest_cpus[2][0] == 1 &&
	       c.guest_cpus[2][1] == 0 && c.guest_cpus[2][2] == 1 && !strcmp(c.bad_vmcs, "other") &&
	       c.nr_bare == 2 && !strcmp(c.bare[0], "real16") && !strcmp(c.bare[1], "basic64") &&
	       c.bench,
	       "file syntax: every key applied, guests in order");
}

static void test_words(void)
{
	struct nv_config c;
	unsigned n;

	config_defaults(&c);
	n = config_parse(&c, "log=warn  cpus=1 crash=panic", true, complain);
	report(n == 0 && c.log_level == LOG_WARN && c.max_cpus == 1 && c.crash == CRASH_PANIC,
	       "load-option syntax: blank-separated words");
}

static const struct {
	const char *text;
	const char *why;
} bad[] = {
	{ "colour = blue", "unknown key" },
	{ "log = loud", "expected error, warn, info or debug" },
	{ "cpus = 0", "expected a CPU count from 1 to 64" },
	{ "cpus = 65", "expected a CPU count from 1 to 64" },
	{ "cpus = 2x", "expected a CPU count from 1 to 64" },
	{ "cpus = 99999999999", "expected a CPU count from 1 to 64" },
	{ "cpus =", "expected a CPU count from 1 to 64" },
	{ "just words", "expected key = value" },
	{ "selftest = maybe", "expected on or off" },
	{ "bench = yes", "expected on or off" },
	{ "guest_mem = 2", "expected MiB of guest RAM from 4 to 1024" },
	{ "guest = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "guest name empty or too long" },
	{ "guest = @1", "guest name empty or too long" },
	{ "bare = ", "guest name empty or too long" },
	{ "bare = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "guest name empty or too long" },
	{ "guest = basic64@x", "expected NAME or NAME@CPU" },
	{ "guest = basic64@64", "expected NAME or NAME@CPU" },
	{ "guest = basic64@0,", "expected NAME or NAME@CPU" },
	{ "guest = basic64@0,1,2,3,4,5,6,7,8", "expected NAME or NAME@CPU" },
	{ "log = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "too long" },
};

static bool same(const struct nv_config *a, const struct nv_config *b)
{
	return a->log_level == b->log_level && a->max_cpus == b->max_cpus &&
	       a->nr_guests == b->nr_guests && a->guest_mem_mib == b->guest_mem_mib &&
	       a->prefer_xapic == b->prefer_xapic && a->selftest == b->selftest &&
	       a->crash == b->crash && a->nr_bare == b->nr_bare && a->bench == b->bench;
}

static void test_problems(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		struct nv_config c, d;

		config_defaults(&c);
		config_defaults(&d);
		complaints = 0;
		last_problem[0] = '\0';
		unsigned n = config_parse(&c, bad[i].text, false, complain);

		report(n == 1 && complaints == 1 && strstr(last_problem, bad[i].why) &&
		       same(&c, &d),
		       "refused and changes nothing: %s", last_problem);
	}
}

static void test_mixed(void)
{
	struct nv_config c;
	unsigned n;

	config_defaults(&c);
	complaints = 0;
	n = config_parse(&c, "cpus = 3\nbogus\nlog = error\n", false, complain);
	report(n == 1 && c.max_cpus == 3 && c.log_level == LOG_ERR,
	       "a bad line is skipped, the others still apply");
	report(config_parse(&c, NULL, false, NULL) == 0 && config_parse(&c, "", true, NULL) == 0,
	       "absent and empty text are no problem");
}

void run_tests(void)
{
	test_defaults();
	test_file();
	test_words();
	test_problems();
	test_mixed();
}
