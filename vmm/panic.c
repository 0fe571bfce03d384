#include "console.h"
#include "shutdown.h"
#include "../boot/trap.h"
#include "../lib/panic.h"

noreturn void panic(const char *fmt, ...)
{
	struct trap_frame tf = { 0 };
	char title[160] = "panic: ";
	va_list ap;

	trap_capture(&tf);
	va_start(ap, fmt);
	fmt_vsnprintf(title + 7, sizeof(title) - 7, fmt, ap);
	va_end(ap);
	crash_report(title, &tf);
	power_off(EXIT_FAILURE_CODE);
}
