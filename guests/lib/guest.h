/* Everything a test guest uses: include this one header. A guest defines
 * guest_main() (boot.h) and reports with lib/report.h. */
#ifndef GUESTS_GUEST_H
#define GUESTS_GUEST_H

#include "guest_abi.h"
#include "boot.h"
#include "console.h"
#include "exit.h"
#include "paging.h"
#include "smp.h"
#include "trap.h"
#include "../../lib/msr.h"
#include "../../lib/report.h"
#include "../../lib/spinlock.h"
#include "../../lib/string.h"
#include "../../lib/x86.h"

#endif
