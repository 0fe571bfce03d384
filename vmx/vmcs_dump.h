/* The current VMCS in words: every field of vmcs_fields.def the CPU has,
 * by name (for entry failures and nestvisor bugs). */
#ifndef VMX_VMCS_DUMP_H
#define VMX_VMCS_DUMP_H

/* Prints the current VMCS, a few "NAME=value" pairs per line, each line
 * starting with prefix. Fields the CPU does not support are left out. */
void vmcs_dump(const char *prefix);

#endif
