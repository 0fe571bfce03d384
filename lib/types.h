/* Basic types shared by nestvisor, its guests and the host unit tests. */
#ifndef LIB_TYPES_H
#define LIB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

/* A physical address. nestvisor identity-maps memory, so a phys_addr_t
 * converts to a pointer with phys_to_ptr() and back without arithmetic. */
typedef u64 phys_addr_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ul << PAGE_SHIFT)
#define KiB(x) ((u64)(x) << 10)
#define MiB(x) ((u64)(x) << 20)
#define GiB(x) ((u64)(x) << 30)

#define BIT(n) (1ull << (n))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_DOWN(x, a) ((x) & ~((u64)(a) - 1))
#define ALIGN_UP(x, a) ALIGN_DOWN((x) + (a) - 1, (a))
#define IS_ALIGNED(x, a) (((x) & ((u64)(a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define __packed __attribute__((packed))
#define __aligned(n) __attribute__((aligned(n)))
#define __unused __attribute__((unused))
#define noinline __attribute__((noinline))
#define __printf(f, a) __attribute__((format(printf, f, a)))

static inline void *phys_to_ptr(phys_addr_t pa) { return (void *)(uintptr_t)pa; }
static inline phys_addr_t ptr_to_phys(const void *p) { return (phys_addr_t)(uintptr_t)p; }

#endif
