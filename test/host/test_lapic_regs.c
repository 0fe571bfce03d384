/* apic/lapic_decode.c and apic/apic_regs.h: register numbering, encodings,
 * and register values in words. */
#include "harness.h"
#include "../../apic/apic_regs.h"
#include "../../apic/lapic_decode.h"

/* SDM 11.12.1.2, "Local APIC Register Address Map Supported by x2APIC". */
static const struct {
	const char *name;
	u32 reg, msr;
} x2apic_map[] = {
	{ "ID", APIC_ID, 0x802 },
	{ "VERSION", APIC_VERSION, 0x803 },
	{ "TPR", APIC_TPR, 0x808 },
	{ "EOI", APIC_EOI, 0x80b },
	{ "LDR", APIC_LDR, 0x80d },
	{ "SPIV", APIC_SPIV, 0x80f },
	{ "ISR0", APIC_ISR0, 0x810 },
	{ "ISR7", APIC_ISR0 + 7 * APIC_VECTOR_REG_STRIDE, 0x817 },
	{ "TMR0", APIC_TMR0, 0x818 },
	{ "TMR7", APIC_TMR0 + 7 * APIC_VECTOR_REG_STRIDE, 0x81f },
	{ "IRR0", APIC_IRR0, 0x820 },
	{ "IRR7", APIC_IRR0 + 7 * APIC_VECTOR_REG_STRIDE, 0x827 },
	{ "ESR", APIC_ESR, 0x828 },
	{ "LVT_CMCI", APIC_LVT_CMCI, 0x82f },
	{ "ICR", APIC_ICR_LO, 0x830 },
	{ "LVT_TIMER", APIC_LVT_TIMER, 0x832 },
	{ "LVT_THERMAL", APIC_LVT_THERMAL, 0x833 },
	{ "LVT_PMC", APIC_LVT_PMC, 0x834 },
	{ "LVT_LINT0", APIC_LVT_LINT0, 0x835 },
	{ "LVT_LINT1", APIC_LVT_LINT1, 0x836 },
	{ "LVT_ERROR", APIC_LVT_ERROR, 0x837 },
	{ "TIMER_INIT", APIC_TIMER_INIT, 0x838 },
	{ "TIMER_CUR", APIC_TIMER_CUR, 0x839 },
	{ "TIMER_DIV", APIC_TIMER_DIV, 0x83e },
	{ "SELF_IPI", APIC_SELF_IPI, 0x83f },
};

static void test_x2apic_msr(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(x2apic_map); i++) {
		u32 got = x2apic_msr(x2apic_map[i].reg);

		report(got == x2apic_map[i].msr, "x2apic_msr(%s 0x%x) = 0x%x (got 0x%x)",
		       x2apic_map[i].name, x2apic_map[i].reg, x2apic_map[i].msr, got);
	}
	EXPECT_PANIC("x2apic_msr(ICR_HI)", "0x310 has no x2APIC MSR", x2apic_msr(APIC_ICR_HI));
	EXPECT_PANIC("x2apic_msr(DFR)", "0xe0 has no x2APIC MSR", x2apic_msr(APIC_DFR));
	EXPECT_PANIC("x2apic_msr(misaligned)", "0x24 has no x2APIC MSR", x2apic_msr(0x24));
	EXPECT_PANIC("x2apic_msr(past the page)", "0x400 has no x2APIC MSR", x2apic_msr(0x400));
}

static void test_register_bits(void)
{
	/* The bit positions the brief and the SDM fix; a typo here would
	 * silently misprogram the APIC. */
	report(SPIV_APIC_ENABLED == 0x100 && LVT_MASKED == 0x10000 &&
	       LVT_TIMER_PERIODIC == 0x20000 && LVT_TIMER_TSC_DEADLINE == 0x40000,
	       "SPIV enable bit 8, LVT mask bit 16, timer mode bits 18:17");
	report(ICR_DM_FIXED == 0 && ICR_DM_NMI == 0x400 && ICR_DM_INIT == 0x500 &&
	       ICR_DM_STARTUP == 0x600, "ICR delivery modes fixed/NMI/INIT/start-up");
	report(ICR_DELIVERY_PENDING == 0x1000 && ICR_LEVEL_ASSERT == 0x4000 &&
	       ICR_TRIGGER_LEVEL == 0x8000 && ICR_DEST_LOGICAL == 0x800,
	       "ICR delivery status 12, level 14, trigger 15, logical 11");
	report(ICR_SHORTHAND_SELF == 0x40000 && ICR_SHORTHAND_ALL == 0x80000 &&
	       ICR_SHORTHAND_ALL_BUT_SELF == 0xc0000, "ICR shorthands in bits 19:18");
}

static void test_max_lvt(void)
{
	report(lapic_max_lvt(0x00050014) == 6, "VERSION 0x00050014: 6 LVT entries");
	report(lapic_max_lvt(0x01060015) == 7, "VERSION 0x01060015: 7 LVT entries");
	report(lapic_max_lvt(0x00030010) == 4, "VERSION 0x00030010: 4 LVT entries");
	report(lapic_max_lvt(0xffffffff) == 256, "VERSION all ones: 256, no overflow");
}

static void test_timer_div(void)
{
	/* SDM Figure 11-10, "Divide Configuration Register". */
	static const struct {
		unsigned divisor;
		u32 dcr;
	} divs[] = {
		{ 1, 0xb }, { 2, 0x0 }, { 4, 0x1 }, { 8, 0x2 },
		{ 16, 0x3 }, { 32, 0x8 }, { 64, 0x9 }, { 128, 0xa },
	};

	for (size_t i = 0; i < ARRAY_SIZE(divs); i++) {
		u32 got = lapic_timer_div_encode(divs[i].divisor);

		report(got == divs[i].dcr && !(got & ~TIMER_DIV_MASK),
		       "divide by %u encodes as 0x%x (got 0x%x)",
		       divs[i].divisor, divs[i].dcr, got);
	}
	EXPECT_PANIC("divisor 0", "timer divisor 0", lapic_timer_div_encode(0));
	EXPECT_PANIC("divisor 3", "timer divisor 3", lapic_timer_div_encode(3));
	EXPECT_PANIC("divisor 256", "timer divisor 256", lapic_timer_div_encode(256));
}

static void test_icr(void)
{
	u32 lo = ICR_DM_INIT | ICR_LEVEL_ASSERT;

	report(lapic_icr_compose(0x12345678, lo, true) == 0x1234567800004500ull,
	       "x2APIC ICR: destination in bits 63:32, one 64-bit value");
	report(lapic_icr_compose(3, ICR_DM_STARTUP | 0x8f, false) == 0x030000000000068full,
	       "xAPIC ICR: upper half is ICR_HI (destination << 24)");
	report((u32)(lapic_icr_compose(0xff, lo, false) >> 32) == 0xff000000u &&
	       (u32)lapic_icr_compose(0xff, lo, false) == lo,
	       "xAPIC ICR: destination 0xff, lower half untouched");
	report(lapic_icr_compose(0x100, lo, true) == 0x0000010000004500ull,
	       "x2APIC ICR: destination 0x100 is fine");
	EXPECT_PANIC("xAPIC destination 0x100", "0x100 does not fit",
		     lapic_icr_compose(0x100, lo, false));
}

static void check_str(const char *what, int (*fn)(u32, char *, size_t), u32 v,
		      const char *want)
{
	char buf[160];
	int n = fn(v, buf, sizeof(buf));

	report(!strcmp(buf, want) && n == (int)strlen(want), "%s 0x%x -> \"%s\" (got \"%s\")",
	       what, v, want, buf);
}

static void test_describe(void)
{
	char small[8];
	int n;

	check_str("SPIV", lapic_describe_spiv, 0x1ff,
		  "0x1ff (software-enabled, spurious vector 0xff)");
	check_str("SPIV", lapic_describe_spiv, 0xff,
		  "0xff (software-disabled, spurious vector 0xff)");
	check_str("SPIV", lapic_describe_spiv, 0x13ff,
		  "0x13ff (software-enabled, spurious vector 0xff, focus-checking-disabled, "
		  "EOI-broadcast-suppression)");

	check_str("LVT", lapic_describe_lvt, 0x10000, "0x10000 (masked, vector 0x0, fixed)");
	check_str("LVT", lapic_describe_lvt, 0x20020, "0x20020 (vector 0x20, fixed, periodic)");
	check_str("LVT", lapic_describe_lvt, 0x400ef, "0x400ef (vector 0xef, fixed, TSC-deadline)");
	check_str("LVT", lapic_describe_lvt, 0x700, "0x700 (vector 0x0, ExtINT)");
	check_str("LVT", lapic_describe_lvt, 0x400, "0x400 (vector 0x0, NMI)");
	check_str("LVT", lapic_describe_lvt, 0x1e700,
		  "0x1e700 (masked, vector 0x0, ExtINT, active-low, remote-IRR, level-triggered)");
	check_str("LVT", lapic_describe_lvt, 0x11300,
		  "0x11300 (masked, vector 0x0, delivery mode 3 (reserved), send-pending)");
	check_str("LVT", lapic_describe_lvt, 0x60000,
		  "0x60000 (vector 0x0, fixed, timer-mode-3 (reserved))");

	check_str("ESR", lapic_describe_esr, 0, "no errors");
	check_str("ESR", lapic_describe_esr, 0x40, "receive-illegal-vector");
	check_str("ESR", lapic_describe_esr, 0xa0, "send-illegal-vector, illegal-register-address");
	check_str("ESR", lapic_describe_esr, 0x10f,
		  "send-checksum, receive-checksum, send-accept, receive-accept, bit 8");

	n = lapic_describe_spiv(0x1ff, small, sizeof(small));
	report(n == 46 && !strcmp(small, "0x1ff ("),
	       "describe truncates, NUL-terminates, returns the full length (%d)", n);
	n = lapic_describe_esr(0x40, NULL, 0);
	report(n == 22, "describe with no buffer only counts (%d)", n);
}

void run_tests(void)
{
	test_x2apic_msr();
	test_register_bits();
	test_max_lvt();
	test_timer_div();
	test_icr();
	test_describe();
}
