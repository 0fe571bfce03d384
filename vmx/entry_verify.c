#include "entry_verify.h"
#include "vmcs_field.h"
#include "../lib/x86.h"
#include "../vmm/console.h"

#define CPUID_LEAF_ADDR_SIZES 0x80000008u

static u64 vmread_or_zero(void *ctx __unused, u32 field)
{
	u64 v;

	/* A field this CPU lacks reads as 0, as the matching control is 0. */
	return __vmread(field, &v) == VMX_SUCCEED ? v : 0;
}

/* Reads within the pages nestvisor knows the VMCS points at (host memory
 * is mapped 1:1); a VMCS naming any other address is not followed. */
static bool read_known_page(void *ctx, u64 pa, u64 *value)
{
	const struct entry_verify_pages *k = ctx;

	for (unsigned i = 0; i < ARRAY_SIZE(k->page); i++) {
		phys_addr_t page = k->page[i];

		if (page && pa >= page && pa - page <= PAGE_SIZE - sizeof(*value)) {
			*value = *(const volatile u64 *)phys_to_ptr(pa);
			return true;
		}
	}
	return false;
}

bool entry_verify_predict(const struct vmx_caps *caps, const struct entry_verify_pages *known,
			  struct entry_check_failure *f)
{
	struct vmcs_view view = { .read = vmread_or_zero, .read_phys = read_known_page,
				  .ctx = (void *)known };
	struct cpuid sizes = cpuid(CPUID_LEAF_ADDR_SIZES, 0);
	struct entry_check_cpu cpu = {
		.maxphyaddr = sizes.eax & 0xff,
		.linear_width = (sizes.eax >> 8) & 0xff,
		.ia32e = true,	/* nestvisor runs in 64-bit mode */
	};

	return entry_checks_run(&view, caps, &cpu, f);
}

void entry_verify_explain(const char *prefix, const struct entry_check_failure *f)
{
	const char *name = vmcs_field_name(f->field);

	pr_err("%s: failed check (%s, SDM %s): %s; %s = 0x%lx", prefix,
	       entry_check_class_name(f->cls), f->sdm, f->rule, name ? name : "field", f->value);
}

/* What the hardware did, as the checker's classes: -1 if the entry worked. */
static int hardware_class(enum vmx_result r, u32 exit_reason, u32 *error)
{
	*error = 0;
	if (r == VMX_FAIL_VALID) {
		*error = (u32)vmcs_read(VMCS_VM_INSTRUCTION_ERROR);
		return *error == VMXERR_ENTRY_INVALID_CONTROL ? CHECK_CONTROL :
		       *error == VMXERR_ENTRY_INVALID_HOST_STATE ? CHECK_HOST : -2;
	}
	if (r == VMX_SUCCEED && (exit_reason & EXIT_REASON_FAILED_VMENTRY) &&
	    (exit_reason & EXIT_REASON_BASIC_MASK) == EXIT_REASON_INVALID_GUEST_STATE)
		return CHECK_GUEST;
	return -1;
}

bool entry_verify_compare(const char *prefix, bool predicted_ok,
			  const struct entry_check_failure *f, enum vmx_result r,
			  u32 exit_reason)
{
	u32 error;
	int hw = hardware_class(r, exit_reason, &error);

	if (hw == -2)
		return true;	/* a failure outside the checker's scope (e.g. launch state) */
	if (predicted_ok && hw < 0)
		return true;
	if (!predicted_ok && hw == (int)f->cls)
		return true;
	if (predicted_ok)
		pr_err("%s: checker disagrees: it passed the VMCS, the CPU refused it (%s%s)",
		       prefix, hw == CHECK_GUEST ? "invalid guest state" : "VM-instruction error ",
		       hw == CHECK_GUEST ? "" : vmx_instruction_error_name(error));
	else
		pr_err("%s: checker disagrees: the CPU %s", prefix,
		       hw < 0 ? "entered the guest" : "failed the entry in another class");
	if (!predicted_ok)
		entry_verify_explain(prefix, f);
	return false;
}
