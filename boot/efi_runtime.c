#include <efi.h>
#include "efi_runtime.h"
#include "efi_internal.h"

static EFI_RUNTIME_SERVICES *runtime;

void efi_runtime_init(EFI_RUNTIME_SERVICES *rt)
{
	runtime = rt;
}

void efi_power_off(void)
{
	/* Runtime services stay callable at their physical addresses: nestvisor
	 * never calls SetVirtualAddressMap and maps runtime code executable. */
	if (runtime)
		uefi_call_wrapper(runtime->ResetSystem, 4, EfiResetShutdown,
				  EFI_SUCCESS, 0, NULL);
}
