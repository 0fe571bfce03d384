/* Shared between the two files of boot/ that see EFI types. */
#ifndef BOOT_EFI_INTERNAL_H
#define BOOT_EFI_INTERNAL_H

#include <efi.h>

void efi_runtime_init(EFI_RUNTIME_SERVICES *rt);

#endif
