/* The one UEFI runtime service nestvisor uses after ExitBootServices. */
#ifndef BOOT_EFI_RUNTIME_H
#define BOOT_EFI_RUNTIME_H

/* Asks the firmware to power the machine off (ResetSystem, EfiResetShutdown).
 * Returns only if the firmware could not. */
void efi_power_off(void);

#endif
