/* vmx/vvmx_caps.c: the virtual VMX capability MSRs offered to L1. */
#include "harness.h"
#include "../../vmx/vvmx_caps.h"

#define HI(x) ((u32)((x) >> 32))
#define LO(x) ((u32)(x))

/* A CPU like Bochs' tigerlake: everything allowed, a few bits forced. */
static struct vmx_caps host(void)
{
	return (struct vmx_caps){
		.basic = 0x00da040000000004ull | BIT(48) | BIT(49),
		.pinbased = 0x000000ff00000016ull,
		.procbased = 0xfff9fffe0401e172ull,
		.exit = 0x01ffffff00036dffull,
		.entry = 0x0003ffff000011ffull,
		.misc = 0x00000000300481e5ull | BIT(15),
		.cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
		.cr4_fixed0 = 0x2000, .cr4_fixed1 = 0x3767ff,
		.vmcs_enum = 0x2e,
		.true_pinbased = 0x000000ff00000016ull, .true_procbased = 0xfff9fffe04006172ull,
		.true_exit = 0x01ffffff00036dfbull, .true_entry = 0x0003ffff000011fbull,
		.procbased2 = 0x00ffffff00000000ull,
		.ept_vpid = 0x00000f0106734141ull,
		.has_true = true, .has_procbased2 = true, .has_ept_vpid = true,
	};
}

static u64 rd(const struct vvmx_caps *v, u32 msr)
{
	u64 val = ~0ull;

	return vvmx_caps_rdmsr(v, msr, &val) ? val : 0xdeadull;
}

void run_tests(void)
{
	struct vmx_caps h = host();
	struct vvmx_policy p = { .vmwrite_any = true, .vpid = true, .max_field_index = 0x17 };
	struct vvmx_caps v;
	u64 val = 0;
	bool subset = true, forced = true;
	static const u32 ctl[] = { 0x481, 0x482, 0x483, 0x484, 0x48b, 0x48d, 0x48e, 0x48f, 0x490 };
	const u64 *hctl[] = { &h.pinbased, &h.procbased, &h.exit, &h.entry, &h.procbased2,
			      &h.true_pinbased, &h.true_procbased, &h.true_exit, &h.true_entry };

	vvmx_caps_build(&v, &h, &p);
	report(rd(&v, 0x3a) == VVMX_FEATURE_CONTROL && VVMX_FEATURE_CONTROL == 5,
	       "IA32_FEATURE_CONTROL reads locked with VMX outside SMX (0x5)");
	report(vvmx_revision(&v) == 4 && !(rd(&v, 0x480) & (BIT(48) | BIT(49))) &&
	       (rd(&v, 0x480) & VMX_BASIC_TRUE_CTLS),
	       "BASIC: the CPU's revision and TRUE controls, no 32-bit limit, no dual monitor");
	for (unsigned i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++) {
		u64 m = rd(&v, ctl[i]);

		subset &= (HI(m) & ~HI(*hctl[i])) == 0;
		forced &= LO(m) == LO(*hctl[i]) && (HI(m) & LO(*hctl[i])) == LO(*hctl[i]);
	}
	report(subset, "every control MSR: allowed-1 within the CPU's allowed-1");
	report(forced, "every control MSR: allowed-0 is the CPU's, and forced bits are allowed-1");
	report(!(HI(rd(&v, 0x48b)) & (BIT(1) | BIT(7) | BIT(14) | BIT(13))),
	       "no EPT, unrestricted guest, VMCS shadowing or VM functions offered");
	report(vvmx_vpid_offered(&v) && !vvmx_ept_offered(&v), "VPID offered, EPT not");
	report(rd(&v, 0x48c) == (h.ept_vpid & (BIT(32) | (0xfull << 40))),
	       "EPT_VPID_CAP: only the INVVPID bits");
	report(vvmx_invvpid_type(&v, 1) && !vvmx_invvpid_type(&v, 4), "INVVPID types from the CPU");
	report(!(HI(rd(&v, 0x482)) & BIT(21)) && !(HI(rd(&v, 0x482)) & BIT(27)),
	       "no TPR shadow or monitor trap flag: nestvisor has no rule for them");
	report((rd(&v, 0x485) & VMX_MISC_VMWRITE_ANY) && !(rd(&v, 0x485) & BIT(15)),
	       "MISC: VMWRITE-any as the policy says; RDMSR-of-SMBASE bit dropped");
	report((rd(&v, 0x485) & BIT(6)) == (h.misc & BIT(6)) && !(rd(&v, 0x485) & (BIT(7) | BIT(8))),
	       "MISC: the HLT activity state as the CPU, not shutdown or wait-for-SIPI");
	report(rd(&v, 0x48a) == 0x2e, "VMCS_ENUM: the highest field index, in bits 9:1");
	report(rd(&v, 0x486) == h.cr0_fixed0 && rd(&v, 0x489) == h.cr4_fixed1, "fixed bits: the CPU's");
	report(!vvmx_caps_rdmsr(&v, 0x491, &val) && !vvmx_caps_rdmsr(&v, 0x492, &val) &&
	       !vvmx_caps_rdmsr(&v, 0x47f, &val), "VMFUNC and MSRs outside 0x480-0x491 are #GP");

	{
		struct vmx_caps c;
		u64 got = 0;

		vvmx_caps_as_vmx_caps(&v, &c);
		report(c.basic == rd(&v, 0x480) && c.procbased == rd(&v, 0x482) &&
		       c.true_entry == rd(&v, 0x490) && c.procbased2 == rd(&v, 0x48b) &&
		       c.has_true && c.has_procbased2 && c.has_ept_vpid && !c.has_vmfunc &&
		       vvmx_caps_rdmsr(&v, 0x48c, &got) && c.ept_vpid == got,
		       "as struct vmx_caps: every MSR in its place, has_ flags as offered");
	}
	p.vmwrite_any = false;
	p.vpid = false;
	vvmx_caps_build(&v, &h, &p);
	report(!(rd(&v, 0x485) & VMX_MISC_VMWRITE_ANY), "policy: VMWRITE-any off");
	report(!vvmx_vpid_offered(&v) && !vvmx_caps_rdmsr(&v, 0x48c, &val) &&
	       !vvmx_invvpid_type(&v, 1), "policy: no VPID, no EPT_VPID_CAP, no INVVPID type");

	h.basic &= ~VMX_BASIC_TRUE_CTLS;
	h.ept_vpid = 0;
	p.vpid = true;
	vvmx_caps_build(&v, &h, &p);
	report(!vvmx_caps_rdmsr(&v, 0x48d, &val) && !vvmx_caps_rdmsr(&v, 0x490, &val),
	       "no TRUE controls on the CPU: none offered");
	report(!vvmx_vpid_offered(&v), "a CPU without INVVPID: VPID not offered");
	h.has_procbased2 = false;
	vvmx_caps_build(&v, &h, &p);
	report(!vvmx_caps_rdmsr(&v, 0x48b, &val), "no secondary controls on the CPU: none offered");
	report_summary("vvmx_caps");
}
