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

static void put_num(struct fmt_out *o, u64 v, bool negative, unsigned base,
		    bool upper, int width, bool left, bool zero)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0, len;

	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
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
		for (;; fmt++) {
			if (*fmt == 'l' || *fmt == 'z')
				lng = 2;
			else if (*fmt == 'h')
				lng = lng > 0 ? lng : lng - 1;
			else
				break;
		}

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
