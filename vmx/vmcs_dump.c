#include "vmcs_dump.h"
#include "vmcs_field.h"
#include "vmx_ops.h"
#include "../lib/fmt.h"
#include "../vmm/console.h"

#define DUMP_LINE 150
#define DUMP_PAIR 64

void vmcs_dump(const char *prefix)
{
	const struct vmcs_field_info *f;
	char line[DUMP_LINE] = "";
	size_t len = 0;

	for (unsigned i = 0; (f = vmcs_field_at(i)); i++) {
		char pair[DUMP_PAIR];
		int n;
		u64 v;

		if (__vmread(f->encoding, &v) != VMX_SUCCEED)
			continue;	/* a field this CPU does not have */
		n = fmt_snprintf(pair, sizeof(pair), " %s=0x%lx", f->name, v);
		if (len + n >= sizeof(line)) {
			pr_err("%s:%s", prefix, line);
			len = 0;
		}
		len += fmt_snprintf(line + len, sizeof(line) - len, "%s", pair);
	}
	if (len)
		pr_err("%s:%s", prefix, line);
}
