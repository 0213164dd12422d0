/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the end-to-end programs share: the flag, cachestat(2) (glibc 2.36
 * has no wrapper for either), a byte pattern that tells writes apart,
 * and die-on-error wrappers.  The programs run inside the UML guest
 * (tools/e2e/init.sh) and are built on the host as static binaries.
 */
#ifndef E2E_H
#define E2E_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef RWF_UNCACHED
#define RWF_UNCACHED	0x00000080	/* include/uapi/linux/fs.h, fs/0001 */
#endif
#ifndef __NR_cachestat
#define __NR_cachestat	451
#endif

#define E2E_PAGE	4096UL

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct e2e_cachestat_range {
	uint64_t off;
	uint64_t len;
};

struct e2e_cachestat {
	uint64_t nr_cache;
	uint64_t nr_dirty;
	uint64_t nr_writeback;
	uint64_t nr_evicted;
	uint64_t nr_recently_evicted;
};

static const char *e2e_prog = "e2e";

static inline void e2e_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: FAIL: ", e2e_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Pages of [off, off + len) in the page cache of fd's file. */
static inline struct e2e_cachestat e2e_cachestat(int fd, uint64_t off, uint64_t len)
{
	struct e2e_cachestat_range r = { off, len };
	struct e2e_cachestat cs;

	if (syscall(__NR_cachestat, fd, &r, &cs, 0))
		e2e_die("cachestat: %s", strerror(errno));
	return cs;
}

/* Write fd's file back and drop it from the page cache: nothing stays. */
static inline void e2e_drop_cache(int fd)
{
	if (fsync(fd) || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
		e2e_die("fsync or fadvise: %s", strerror(errno));
	if (e2e_cachestat(fd, 0, 0).nr_cache)
		e2e_die("pages still cached after POSIX_FADV_DONTNEED");
}

/* A byte that depends on the write (tag) and the file offset. */
static inline unsigned char e2e_byte(unsigned int tag, uint64_t off)
{
	uint64_t x = (off / 7) * 0x9e3779b97f4a7c15ULL + tag * 0xbf58476d1ce4e5b9ULL;

	return (unsigned char)((x >> 56) ^ off ^ 0x5a) | 1;	/* never 0 */
}

static inline void e2e_fill(unsigned char *buf, size_t len, unsigned int tag, uint64_t off)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = e2e_byte(tag, off + i);
}

/* Offset of the first byte where buf differs from tag's pattern, or -1. */
static inline long long e2e_mismatch(const unsigned char *buf, size_t len,
				     unsigned int tag, uint64_t off)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != e2e_byte(tag, off + i))
			return (long long)(off + i);
	return -1;
}

static inline void *e2e_alloc(size_t len)
{
	void *p;

	if (posix_memalign(&p, E2E_PAGE, len ? len : 1))
		e2e_die("out of memory for %zu bytes", len);
	return p;
}

/* One pwritev2()/preadv2() that must transfer all of len. */
static inline void e2e_pio(int fd, int write, void *buf, size_t len, off_t off, int flags)
{
	struct iovec iov = { buf, len };
	ssize_t ret = write ? pwritev2(fd, &iov, 1, off, flags) :
			      preadv2(fd, &iov, 1, off, flags);

	if (ret < 0)
		e2e_die("%s of %zu bytes at %lld (flags %#x): %s", write ? "pwritev2" : "preadv2",
			len, (long long)off, flags, strerror(errno));
	if ((size_t)ret != len)
		e2e_die("%s of %zu bytes at %lld (flags %#x) returned %zd",
			write ? "pwritev2" : "preadv2", len, (long long)off, flags, ret);
}

#endif /* E2E_H */
