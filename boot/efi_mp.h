/* EFI_MP_SERVICES_PROTOCOL (UEFI PI spec, Vol. 2, 13.4): GNU-EFI does not
 * declare it. nestvisor only asks it how many CPUs there are and their APIC
 * IDs, before ExitBootServices; it starts the APs itself afterwards. */
#ifndef BOOT_EFI_MP_H
#define BOOT_EFI_MP_H

#include <efi.h>

#define EFI_MP_SERVICES_PROTOCOL_GUID \
	{ 0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }

#define PROCESSOR_AS_BSP_BIT 0x1
#define PROCESSOR_ENABLED_BIT 0x2

typedef struct {
	UINT64 ProcessorId;	/* the APIC ID */
	UINT32 StatusFlag;
	struct { UINT32 Package, Core, Thread; } Location;
	UINT8 ExtendedInformation[24];	/* only filled on request; room for it */
} EFI_PROCESSOR_INFORMATION;

struct _EFI_MP_SERVICES_PROTOCOL;
typedef struct _EFI_MP_SERVICES_PROTOCOL {
	EFI_STATUS (EFIAPI *GetNumberOfProcessors)(struct _EFI_MP_SERVICES_PROTOCOL *This,
						    UINTN *NumberOfProcessors,
						    UINTN *NumberOfEnabledProcessors);
	EFI_STATUS (EFIAPI *GetProcessorInfo)(struct _EFI_MP_SERVICES_PROTOCOL *This,
					       UINTN ProcessorNumber,
					       EFI_PROCESSOR_INFORMATION *Info);
	VOID *StartupAllAPs, *StartupThisAP, *SwitchBSP, *EnableDisableAP, *WhoAmI;
} EFI_MP_SERVICES_PROTOCOL;

#endif
