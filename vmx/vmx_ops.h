/* The VMX instructions, each returning the SDM's three outcomes (Vol. 3C,
 * 31.2 "Conventions": VMsucceed clears CF and ZF; VMfailInvalid sets CF;
 * VMfailValid sets ZF and leaves the error in the VM-instruction error
 * field). The raw forms start with "__"; vmcs_read()/vmcs_write() are the
 * variants for "cannot fail here" and panic with the error named. */
#ifndef VMX_VMX_OPS_H
#define VMX_VMX_OPS_H

#include "../lib/types.h"

enum vmx_result {
	VMX_SUCCEED,
	VMX_FAIL_INVALID,	/* CF = 1: no current VMCS, or a bad pointer */
	VMX_FAIL_VALID,		/* ZF = 1: see VM_INSTRUCTION_ERROR */
};

static inline enum vmx_result vmx_result(bool cf, bool zf)
{
	return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_SUCCEED;
}

const char *vmx_result_name(enum vmx_result r);

static inline enum vmx_result __vmxon(phys_addr_t region)
{
	bool cf, zf;

	__asm__ volatile("vmxon %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(region) : "memory");
	return vmx_result(cf, zf);
}

static inline enum vmx_result __vmxoff(void)
{
	bool cf, zf;

	__asm__ volatile("vmxoff" : "=@ccc"(cf), "=@ccz"(zf) : : "memory");
	return vmx_result(cf, zf);
}

static inline enum vmx_result __vmclear(phys_addr_t vmcs)
{
	bool cf, zf;

	__asm__ volatile("vmclear %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(vmcs) : "memory");
	return vmx_result(cf, zf);
}

static inline enum vmx_result __vmptrld(phys_addr_t vmcs)
{
	bool cf, zf;

	__asm__ volatile("vmptrld %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(vmcs) : "memory");
	return vmx_result(cf, zf);
}

static inline enum vmx_result __vmread(u64 field, u64 *value)
{
	bool cf, zf;

	__asm__ volatile("vmread %3, %2" : "=@ccc"(cf), "=@ccz"(zf), "=rm"(*value) : "r"(field)
			 : "memory");
	return vmx_result(cf, zf);
}

static inline enum vmx_result __vmwrite(u64 field, u64 value)
{
	bool cf, zf;

	__asm__ volatile("vmwrite %3, %2" : "=@ccc"(cf), "=@ccz"(zf) : "r"(field), "rm"(value)
			 : "memory");
	return vmx_result(cf, zf);
}

struct invept_desc {
	u64 eptp, reserved;
};

static inline enum vmx_result __invept(u64 type, u64 eptp)
{
	struct invept_desc d = { eptp, 0 };
	bool cf, zf;

	__asm__ volatile("invept %2, %3" : "=@ccc"(cf), "=@ccz"(zf) : "m"(d), "r"(type) : "memory");
	return vmx_result(cf, zf);
}

struct invvpid_desc {
	u64 vpid, linear_address;
};

static inline enum vmx_result __invvpid(u64 type, u16 vpid, u64 address)
{
	struct invvpid_desc d = { vpid, address };
	bool cf, zf;

	__asm__ volatile("invvpid %2, %3" : "=@ccc"(cf), "=@ccz"(zf) : "m"(d), "r"(type) : "memory");
	return vmx_result(cf, zf);
}

/* Read and write fields of the current VMCS; any failure is a nestvisor bug
 * and panics naming the field and the VM-instruction error. */
u64 vmcs_read(u32 field);
void vmcs_write(u32 field, u64 value);

#endif
