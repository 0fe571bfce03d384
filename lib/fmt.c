#include "fmt.h"

struct fmt_out {
	fmt_sink_t sink;
	void *ctx;
	int count;
};

static void put(struct fmt_out *o, char c)
{
	o->sink(o->ctx, c);
	o->count++;
}

static void pad(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_str(struct fmt_out *o, const char *s, int width, bool left)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while (s[len])
		len++;
	if (!left)
		pad(o, ' ', width - len);
	while (*s)
		put(o, *s++);
	if (left)
		pad(o, ' ', width - len);
}

/* Divides *v by base (2 to 16) and returns the remainder, in 32-bit
 * operations only: the guests' 16- and 32-bit builds have no libgcc, whose
 * __udivdi3/__umoddi3 a plain u64 division would call. Long division by
 * halves: the high word, then the low word in two 16-bit steps, each
 * dividend below base << 16, so every quotient fits. */
static unsigned divmod_small(u64 *v, unsigned base)
{
	u32 hi = (u32)(*v >> 32), lo = (u32)*v;
	u32 rem = hi % base, mid, low;

	hi /= base;
	mid = rem << 16 | lo >> 16;
	rem = mid % base;
	low = rem << 16 | (lo & 0xffff);
	rem = low % base;
	*v = (u64)hi << 32 | (mid / base) << 16 | low / base;
	return rem;
}

static void put_num(struct fmt_out *o, u64 v, bool negative, unsigned base,
		    bool upper, int width, bool left, bool zero)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0, len;

	do
		buf[n++] = digits[divmod_small(&v, base)];
	while (v);
	len = n + negative;
	if (!left && !zero)
		pad(o, ' ', width - len);
	if (negative)
		put(o, '-');
	if (!left && zero)
		pad(o, '0', width - len);
	while (n)
		put(o, buf[--n]);
	if (left)
		pad(o, ' ', width - len);
}

int fmt_v(fmt_sink_t sink, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_out o = { sink, ctx, 0 };

	for (; *fmt; fmt++) {
		bool left = false, zero = false;
		int width = 0, lng = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (;; fmt++) {
			if (fmt[1] == '-')
				left = true;
			else if (fmt[1] == '0')
				zero = true;
			else
				break;
		}
		fmt++;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		/* lng: -2 char, -1 short, 0 int, 1 long, 2 long long. */
		for (;; fmt++) {
			if (*fmt == 'l')
				lng = lng > 0 ? 2 : 1;
			else if (*fmt == 'z')
				lng = sizeof(size_t) == sizeof(long) ? 1 : 0;
			else if (*fmt == 'h')
				lng = lng > 0 ? lng : lng - 1;
			else
				break;
		}
		/* long is 64 bits in 64-bit code and 32 in the guests' 16- and
		 * 32-bit builds: read it as what it is. */
		if (lng == 1)
			lng = sizeof(long) == sizeof(s64) ? 2 : 0;

		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 v = lng == 2 ? va_arg(ap, s64) : va_arg(ap, int);

			if (lng == -1)
				v = (short)v;
			else if (lng <= -2)
				v = (signed char)v;
			put_num(&o, v < 0 ? -(u64)v : (u64)v, v < 0, 10, false,
				width, left, zero);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			u64 v = lng == 2 ? va_arg(ap, u64) : va_arg(ap, unsigned);
			unsigned base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;

			if (lng == -1)
				v = (u16)v;
			else if (lng <= -2)
				v = (u8)v;
			put_num(&o, v, false, base, *fmt == 'X', width, left, zero);
			break;
		}
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (uintptr_t)va_arg(ap, void *), false, 16, false,
				width, left, zero);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's':
			put_str(&o, va_arg(ap, const char *), width, left);
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			return o.count;
		default: /* unknown conversion: show it rather than guess */
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	return o.count;
}

struct buf_sink {
	char *buf;
	size_t size, pos;
};

static void buf_put(void *ctx, char c)
{
	struct buf_sink *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = { buf, size, 0 };
	int n = fmt_v(buf_put, &b, fmt, ap);

	if (size)
		buf[MIN(b.pos, size - 1)] = '\0';
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
