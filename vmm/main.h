#ifndef VMM_MAIN_H
#define VMM_MAIN_H

#include "../boot/boot_info.h"

/* nestvisor proper, entered once boot services are gone; never returns. */
noreturn void vmm_main(struct boot_info *bi);

#endif
