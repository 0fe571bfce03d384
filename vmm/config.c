#include "config.h"
#include "../lib/string.h"

#define MAX_KEY 32
#define MAX_VALUE 64
#define MAX_PROBLEM 128
#define MAX_QUOTE 40
#define STR(x) #x
#define XSTR(x) STR(x)

struct choice {
	const char *name;
	unsigned value;
};

static const struct choice log_levels[] = {
	{ "error", LOG_ERR }, { "warn", LOG_WARN }, { "info", LOG_INFO },
	{ "debug", LOG_DEBUG }, { NULL, 0 },
};
static const struct choice apic_modes[] = { { "auto", false }, { "xapic", true }, { NULL, 0 } };
static const struct choice auto_off[] = { { "auto", false }, { "off", true }, { NULL, 0 } };
static const struct choice on_off[] = { { "off", false }, { "on", true }, { NULL, 0 } };
/* cpu, off, on: stored as value - 1 (-1 means "as the CPU"). */
static const struct choice vmwrite_any_modes[] = {
	{ "cpu", 0 }, { "off", 1 }, { "on", 2 }, { NULL, 0 },
};
static const struct choice crash_tests[] = {
	{ "none", CRASH_NONE }, { "ud", CRASH_UD }, { "pf", CRASH_PF },
	{ "stack-overflow", CRASH_STACK_OVERFLOW }, { "panic", CRASH_PANIC },
	{ "ap-ud", CRASH_AP_UD }, { NULL, 0 },
};

void config_defaults(struct nv_config *c)
{
	*c = (struct nv_config){
		.log_level = LOG_INFO,
		.max_cpus = MAX_CPUS,
		.prefer_xapic = false,
		.selftest = true,
		.crash = CRASH_NONE,
		.guest_mem_mib = 16,
		.nested_vmwrite_any = -1,
		.nested_shadow = true,
		.bench = false,
	};
}

static const char *choice_name(const struct choice *t, unsigned v)
{
	for (; t->name; t++)
		if (t->value == v)
			return t->name;
	return "?";
}

static bool pick(const struct choice *t, const char *value, unsigned *out)
{
	for (; t->name; t++) {
		if (!strcmp(t->name, value)) {
			*out = t->value;
			return true;
		}
	}
	return false;
}

static bool parse_uint(const char *s, unsigned *out)
{
	unsigned v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT32_MAX - 9) / 10)
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return true;
}

/* Appends a guest name to one of the name lists. */
static const char *add_name(char (*list)[GUEST_NAME_LEN], unsigned *n, const char *value)
{
	if (*n == MAX_GUESTS)
		return "too many guests (" XSTR(MAX_GUESTS) " at most)";
	if (!value[0] || strlen(value) >= GUEST_NAME_LEN)
		return "guest name empty or too long";
	memcpy(list[(*n)++], value, strlen(value) + 1);
	return NULL;
}

/* Applies one key/value pair; returns NULL or what is wrong with it. */
static const char *apply(struct nv_config *c, const char *key, char *value)
{
	unsigned v;

	if (!strcmp(key, "log")) {
		if (!pick(log_levels, value, &v))
			return "expected error, warn, info or debug";
		c->log_level = v;
	} else if (!strcmp(key, "cpus")) {
		if (!parse_uint(value, &v) || v < 1 || v > MAX_CPUS)
			return "expected a CPU count from 1 to " XSTR(MAX_CPUS);
		c->max_cpus = v;
	} else if (!strcmp(key, "apic")) {
		if (!pick(apic_modes, value, &v))
			return "expected auto or xapic";
		c->prefer_xapic = v;
	} else if (!strcmp(key, "apic_virt")) {
		if (!pick(auto_off, value, &v))
			return "expected auto or off";
		c->apic_virt_off = v;
	} else if (!strcmp(key, "selftest")) {
		if (!pick(on_off, value, &v))
			return "expected on or off";
		c->selftest = v;
	} else if (!strcmp(key, "bench")) {
		if (!pick(on_off, value, &v))
			return "expected on or off";
		c->bench = v;
	} else if (!strcmp(key, "crash")) {
		if (!pick(crash_tests, value, &v))
			return "expected none, ud, pf, stack-overflow, panic or ap-ud";
		c->crash = v;
	} else if (!strcmp(key, "guest_mem")) {
		if (!parse_uint(value, &v) || v < 4 || v > 1024)
			return "expected MiB of guest RAM from 4 to 1024";
		c->guest_mem_mib = v;
	} else if (!strcmp(key, "bad_vmcs")) {
		if (strlen(value) >= GUEST_NAME_LEN)
			return "guest name too long";
		memcpy(c->bad_vmcs, value, strlen(value) + 1);
	} else if (!strcmp(key, "bare")) {
		return add_name(c->bare, &c->nr_bare, value);
	} else if (!strcmp(key, "nested")) {
		return add_name(c->nested, &c->nr_nested, value);
	} else if (!strcmp(key, "nested_vmwrite_any")) {
		if (!pick(vmwrite_any_modes, value, &v))
			return "expected cpu, on or off";
		c->nested_vmwrite_any = (int)v - 1;
	} else if (!strcmp(key, "nested_shadow")) {
		if (!pick(on_off, value, &v))
			return "expected on or off";
		c->nested_shadow = v;
	} else if (!strcmp(key, "guest")) {
		char *at = strchr(value, '@'), *cpu;
		unsigned n = 0;

		if (c->nr_guests == MAX_GUESTS)
			return "too many guests (" XSTR(MAX_GUESTS) " at most)";
		c->guest_cpus[c->nr_guests][n++] = 0;
		if (at) {
			*at = '\0';
			n = 0;
			for (cpu = at + 1; cpu; n++) {
				char *comma = strchr(cpu, ',');

				if (comma)
					*comma = '\0';
				if (n == MAX_GUEST_VCPUS || !parse_uint(cpu, &v) || v >= MAX_CPUS)
					return "expected NAME or NAME@CPU[,CPU...] with CPUs from 0 to "
					       XSTR(MAX_CPUS) " - 1, " XSTR(MAX_GUEST_VCPUS) " at most";
				c->guest_cpus[c->nr_guests][n] = v;
				cpu = comma ? comma + 1 : NULL;
			}
		}
		if (!value[0] || strlen(value) >= GUEST_NAME_LEN)
			return "guest name empty or too long";
		memcpy(c->guests[c->nr_guests], value, strlen(value) + 1);
		c->guest_nr_vcpus[c->nr_guests++] = n;
	} else {
		return "unknown key";
	}
	return NULL;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Copies [s, e) without surrounding blanks into out; false if it is too long. */
static bool trimmed(const char *s, const char *e, char *out, size_t n)
{
	while (s < e && is_space(*s))
		s++;
	while (e > s && is_space(e[-1]))
		e--;
	if ((size_t)(e - s) >= n)
		return false;
	memcpy(out, s, e - s);
	out[e - s] = '\0';
	return true;
}

static unsigned parse_entry(struct nv_config *c, const char *s, const char *e,
			    void (*complain)(const char *msg))
{
	char key[MAX_KEY], value[MAX_VALUE], msg[MAX_PROBLEM], quote[MAX_QUOTE + 1];
	const char *eq = s, *why = NULL;

	while (eq < e && *eq != '=')
		eq++;
	if (!trimmed(s, e, value, sizeof(value)))
		why = "entry too long";
	else if (!value[0])
		return 0; /* blank */
	else if (eq == e)
		why = "expected key = value";
	else if (!trimmed(s, eq, key, sizeof(key)) || !trimmed(eq + 1, e, value, sizeof(value)))
		why = "key or value too long";
	else
		why = apply(c, key, value);
	if (!why)
		return 0;
	memcpy(quote, s, MIN(e - s, MAX_QUOTE));
	quote[MIN(e - s, MAX_QUOTE)] = '\0';
	fmt_snprintf(msg, sizeof(msg), "config: \"%s\": %s", quote, why);
	if (complain)
		complain(msg);
	return 1;
}

unsigned config_parse(struct nv_config *c, const char *text, bool words,
		      void (*complain)(const char *msg))
{
	unsigned problems = 0;

	while (text && *text) {
		const char *end = text, *stop;

		/* An entry ends at a newline, or in load options at a blank. */
		while (*end && *end != '\n' && !(words && is_space(*end)))
			end++;
		stop = end;
		for (const char *h = text; h < end; h++) {
			if (*h == '#') {
				stop = h;
				break;
			}
		}
		problems += parse_entry(c, text, stop, complain);
		text = *end ? end + 1 : end;
	}
	return problems;
}

void config_describe(const struct nv_config *c, char *buf, size_t n)
{
	int len = fmt_snprintf(buf, n, "log=%s cpus=%u apic=%s apic_virt=%s selftest=%s crash=%s "
			       "guest_mem=%u bench=%s", choice_name(log_levels, c->log_level), c->max_cpus,
			       choice_name(apic_modes, c->prefer_xapic),
			       choice_name(auto_off, c->apic_virt_off),
			       choice_name(on_off, c->selftest),
			       choice_name(crash_tests, c->crash), c->guest_mem_mib,
			       choice_name(on_off, c->bench));

	for (unsigned i = 0; i < c->nr_guests && (size_t)len < n; i++) {
		len += fmt_snprintf(buf + len, n - len, " guest=%s@", c->guests[i]);
		for (unsigned j = 0; j < c->guest_nr_vcpus[i] && (size_t)len < n; j++)
			len += fmt_snprintf(buf + len, n - len, "%s%u", j ? "," : "",
					    c->guest_cpus[i][j]);
	}
	for (unsigned i = 0; i < c->nr_bare && (size_t)len < n; i++)
		len += fmt_snprintf(buf + len, n - len, " bare=%s", c->bare[i]);
	for (unsigned i = 0; i < c->nr_nested && (size_t)len < n; i++)
		len += fmt_snprintf(buf + len, n - len, " nested=%s", c->nested[i]);
	if (c->nr_nested && (size_t)len < n)
		len += fmt_snprintf(buf + len, n - len, " nested_vmwrite_any=%s nested_shadow=%s",
				    choice_name(vmwrite_any_modes, (unsigned)(c->nested_vmwrite_any + 1)),
				    choice_name(on_off, c->nested_shadow));
}
