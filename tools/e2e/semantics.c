// SPDX-License-Identifier: GPL-2.0
/*
 * e2e-semantics: what RWF_UNCACHED promises a program, on a real
 * filesystem.
 *
 *   e2e-semantics write DIR        the cases below; the files stay in DIR
 *   e2e-semantics verify DIR       after unmount and mount: their content
 *   e2e-semantics unsupported DIR  DIR's filesystem did not opt in
 *   e2e-semantics direct FILE ALL  an O_DIRECT | RWF_UNCACHED write to FILE
 *                                  (DIRECT_LEN bytes, written before) that
 *                                  the filesystem does in buffered I/O: a
 *                                  reflinked file on XFS (unaligned), any
 *                                  file of ext4 data=journal; nothing of it
 *                                  may stay dirty, and with ALL 1 nothing
 *                                  cached at all
 *   e2e-semantics direct-verify FILE  after unmount and mount: its content
 *
 * "Not cached" and "cached" are cachestat(2) over the page-rounded range.
 */
#include "e2e.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>

#define MiB	(1024UL * 1024)

/* Tags of the writes, so that verify knows what each byte must be. */
enum { T_PERSIST = 1, T_CACHED_OLD, T_CACHED_NEW, T_DIRTY_OLD, T_DIRTY_NEW,
	T_READ, T_DSYNC, T_OVERWRITE, T_DIRECT_OLD, T_DIRECT_NEW, T_EOF_OLD,
	T_EOF_NEW };

/* persist: an uncached write at an unaligned offset into a new file */
#define PERSIST_OFF	5000UL
#define PERSIST_LEN	(3 * MiB + 1234)
/* and an uncached overwrite of a part of it that is not cached */
#define OVER_OFF	(1 * MiB + 100)
#define OVER_LEN	(512 * 1024UL)
/* cached: a clean cached file, partly overwritten uncached */
#define CACHED_LEN	(1 * MiB)
#define CACHED_NEW_OFF	(64 * 1024UL)
#define CACHED_NEW_LEN	(512 * 1024UL)
/* read: a file read uncached, cold and with its first part cached */
#define READ_LEN	(2 * MiB)
#define READ_HOT	(256 * 1024UL)
#define DSYNC_LEN	(1 * MiB)
/* direct: a sector-aligned write that is not block aligned */
#define DIRECT_LEN	(1 * MiB)
#define DIRECT_OFF	512UL
#define DIRECT_NEW_LEN	(128 * 1024UL)
/* eof: writes that start past the end of the file (XFS zeroes up to them) */
#define EOF_LEN		(3 * E2E_PAGE + 7)

static char path_buf[4096];

static const char *path(const char *dir, const char *name)
{
	snprintf(path_buf, sizeof(path_buf), "%s/%s", dir, name);
	return path_buf;
}

static int open_file(const char *dir, const char *name, int flags)
{
	int fd = open(path(dir, name), flags, 0644);

	if (fd < 0)
		e2e_die("open %s: %s", path_buf, strerror(errno));
	return fd;
}

static uint64_t pages_of(uint64_t off, uint64_t len)
{
	return (off + len + E2E_PAGE - 1) / E2E_PAGE - off / E2E_PAGE;
}

static void expect_cached(const char *what, int fd, uint64_t off, uint64_t len,
			  uint64_t want)
{
	uint64_t start = off & ~(E2E_PAGE - 1);
	struct e2e_cachestat cs = e2e_cachestat(fd, start, pages_of(off, len) * E2E_PAGE);

	if (cs.nr_cache != want) {
		char list[256] = "";
		uint64_t i, n = pages_of(off, len);

		/* Which pages, of the first 32: what a failure needs first. */
		for (i = 0; i < n && i < 32; i++)
			if (e2e_cachestat(fd, start + i * E2E_PAGE, E2E_PAGE).nr_cache)
				snprintf(list + strlen(list), sizeof(list) - strlen(list),
					 " %llu", (unsigned long long)(start / E2E_PAGE + i));
		e2e_die("%s: %llu of %llu pages cached, expected %llu (cached:%s)", what,
			(unsigned long long)cs.nr_cache, (unsigned long long)n,
			(unsigned long long)want, list);
	}
	printf("ok: %s: %llu of %llu pages cached\n", what,
	       (unsigned long long)cs.nr_cache, (unsigned long long)pages_of(off, len));
}

/* [0, len) has want pages cached, and none dirty or under writeback. */
static void expect_settled(const char *what, int fd, uint64_t len, uint64_t want)
{
	struct e2e_cachestat cs;

	expect_cached(what, fd, 0, len, want);
	cs = e2e_cachestat(fd, 0, pages_of(0, len) * E2E_PAGE);
	if (cs.nr_dirty || cs.nr_writeback)
		e2e_die("%s: %llu pages dirty, %llu under writeback", what,
			(unsigned long long)cs.nr_dirty,
			(unsigned long long)cs.nr_writeback);
}

static void write_tag(int fd, unsigned int tag, uint64_t off, uint64_t len, int flags)
{
	unsigned char *buf = e2e_alloc(len);

	e2e_fill(buf, len, tag, off);
	e2e_pio(fd, 1, buf, len, off, flags);
	free(buf);
}

/* The file's bytes [off, off + len) are tag's pattern (0: zeroes). */
static void expect_data(const char *what, int fd, unsigned int tag, uint64_t off,
			uint64_t len, int flags)
{
	unsigned char *buf = e2e_alloc(len);
	long long bad = -1;

	e2e_pio(fd, 0, buf, len, off, flags);
	if (tag) {
		bad = e2e_mismatch(buf, len, tag, off);
	} else {
		for (size_t i = 0; i < len && bad < 0; i++)
			if (buf[i])
				bad = (long long)(off + i);
	}
	if (bad >= 0)
		e2e_die("%s: byte %lld is %#x, expected %#x", what, bad,
			buf[bad - off], tag ? e2e_byte(tag, bad) : 0);
	free(buf);
}

/* The persist file as verify sees it: zeroes, the write, the overwrite. */
static void check_persist(int fd, int flags)
{
	expect_data("persist: hole before the write", fd, 0, 0, PERSIST_OFF, flags);
	expect_data("persist: uncached write", fd, T_PERSIST, PERSIST_OFF,
		    OVER_OFF - PERSIST_OFF, flags);
	expect_data("persist: uncached overwrite", fd, T_OVERWRITE, OVER_OFF, OVER_LEN, flags);
	expect_data("persist: uncached write after the overwrite", fd, T_PERSIST,
		    OVER_OFF + OVER_LEN, PERSIST_OFF + PERSIST_LEN - OVER_OFF - OVER_LEN, flags);
}

static void check_cached(int fd, unsigned int old, unsigned int new)
{
	expect_data("cached: old data before", fd, old, 0, CACHED_NEW_OFF, 0);
	expect_data("cached: new data", fd, new, CACHED_NEW_OFF, CACHED_NEW_LEN, 0);
	expect_data("cached: old data after", fd, old, CACHED_NEW_OFF + CACHED_NEW_LEN,
		    CACHED_LEN - CACHED_NEW_OFF - CACHED_NEW_LEN, 0);
}

/* A cached file (clean if @clean), partly overwritten uncached. */
static void overwrite_cached(const char *dir, const char *name, unsigned int old,
			     unsigned int new, int clean)
{
	char what[64];
	int fd = open_file(dir, name, O_RDWR | O_CREAT | O_TRUNC);

	write_tag(fd, old, 0, CACHED_LEN, 0);
	if (clean && fsync(fd))
		e2e_die("fsync: %s", strerror(errno));
	snprintf(what, sizeof(what), "%s: before", name);
	expect_cached(what, fd, 0, CACHED_LEN, CACHED_LEN / E2E_PAGE);
	write_tag(fd, new, CACHED_NEW_OFF, CACHED_NEW_LEN, RWF_UNCACHED);
	snprintf(what, sizeof(what), "%s: after the uncached write", name);
	expect_cached(what, fd, 0, CACHED_LEN, CACHED_LEN / E2E_PAGE);
	check_cached(fd, old, new);
	close(fd);
}

/*
 * An uncached write that starts past the end of the file: with the end
 * of the file at @size, at @gap bytes past it, the last page cached
 * before or not.  XFS zeroes from the end of the file to the write first
 * (xfs_file_write_zero_eof()): that is the write's own doing, so it
 * counts as nothing cached before and stays nothing dirty.  [W1]: the
 * pages cached before stay, the write's pages stay only if its chunk
 * found one of them cached, nothing is dirty; the data reads back with
 * zeroes in the gap.
 */
static void write_past_eof(const char *dir, uint64_t size, uint64_t gap,
			   int cached)
{
	uint64_t pos = size + gap, last = (size - 1) / E2E_PAGE;
	uint64_t before = cached ? last + 1 : 0, want;
	char what[96];
	int fd = open_file(dir, "eof", O_RDWR | O_CREAT | O_TRUNC);

	write_tag(fd, T_EOF_OLD, 0, size, 0);
	e2e_drop_cache(fd);
	if (cached)
		expect_data("eof: plain read before", fd, T_EOF_OLD, 0, size, 0);
	write_tag(fd, T_EOF_NEW, pos, EOF_LEN, RWF_UNCACHED);
	/* The write's first page is the last one of the file, cached before. */
	want = before;
	if (cached && pos / E2E_PAGE == last)
		want = pages_of(0, pos + EOF_LEN);
	snprintf(what, sizeof(what), "eof: size %llu, write at +%llu%s",
		 (unsigned long long)size, (unsigned long long)gap,
		 cached ? ", last page cached" : "");
	expect_settled(what, fd, pos + EOF_LEN, want);
	/* The data as the disk has it, not as the page cache does. */
	if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
		e2e_die("fadvise: %s", strerror(errno));
	expect_data("eof: the data before", fd, T_EOF_OLD, 0, size, 0);
	expect_data("eof: the gap", fd, 0, size, gap, 0);
	expect_data("eof: the write", fd, T_EOF_NEW, pos, EOF_LEN, 0);
	close(fd);
}

/*
 * A write past EOF that fails: its buffer faults at its first byte
 * (XFS has zeroed up to it by then; ext4 zeroes nothing), or it starts
 * at RLIMIT_FSIZE (generic_write_checks(), before any zeroing).  [W1]:
 * what it zeroed is its own doing, so nothing stays dirty and only the
 * pages cached before it stay; the file keeps its size and its data.
 */
static void write_past_eof_fails(const char *dir, uint64_t size, uint64_t gap,
				 int cached, int fault)
{
	uint64_t pos = size + gap, before = cached ? pages_of(0, size) : 0;
	struct iovec iov = { .iov_len = EOF_LEN };
	struct rlimit old, lim;
	struct stat st;
	char what[128];
	int fd = open_file(dir, "eof-failed", O_RDWR | O_CREAT | O_TRUNC);
	ssize_t ret;
	int err;

	write_tag(fd, T_EOF_OLD, 0, size, 0);
	e2e_drop_cache(fd);
	if (cached)
		expect_data("eof-failed: plain read before", fd, T_EOF_OLD, 0, size, 0);
	snprintf(what, sizeof(what), "eof-failed: size %llu, write at +%llu%s, %s",
		 (unsigned long long)size, (unsigned long long)gap,
		 cached ? ", last page cached" : "",
		 fault ? "faults at its first byte" : "at RLIMIT_FSIZE");
	if (fault) {
		iov.iov_base = mmap(NULL, EOF_LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (iov.iov_base == MAP_FAILED)
			e2e_die("mmap: %s", strerror(errno));
		ret = pwritev2(fd, &iov, 1, pos, RWF_UNCACHED);
		err = errno;
		munmap(iov.iov_base, EOF_LEN);
	} else {
		iov.iov_base = e2e_alloc(EOF_LEN);
		signal(SIGXFSZ, SIG_IGN);
		if (getrlimit(RLIMIT_FSIZE, &old))
			e2e_die("getrlimit: %s", strerror(errno));
		lim = old;
		lim.rlim_cur = pos;
		if (setrlimit(RLIMIT_FSIZE, &lim))
			e2e_die("setrlimit: %s", strerror(errno));
		ret = pwritev2(fd, &iov, 1, pos, RWF_UNCACHED);
		err = errno;
		if (setrlimit(RLIMIT_FSIZE, &old))
			e2e_die("setrlimit: %s", strerror(errno));
		signal(SIGXFSZ, SIG_DFL);
		free(iov.iov_base);
	}
	if (ret != -1 || err != (fault ? EFAULT : EFBIG))
		e2e_die("%s: returned %zd (%s), expected %s", what, ret,
			ret < 0 ? strerror(err) : "bytes", fault ? "EFAULT" : "EFBIG");
	expect_settled(what, fd, pos + EOF_LEN, before);
	if (fstat(fd, &st) || (uint64_t)st.st_size != size)
		e2e_die("%s: size %lld, expected %llu", what, (long long)st.st_size,
			(unsigned long long)size);
	if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
		e2e_die("fadvise: %s", strerror(errno));
	expect_data("eof-failed: the data", fd, T_EOF_OLD, 0, size, 0);
	close(fd);
}

static void do_write(const char *dir)
{
	static const uint64_t sizes[] = { 1000, E2E_PAGE, E2E_PAGE + 5000 };
	static const uint64_t gaps[] = { 1, 1000, E2E_PAGE, 3 * E2E_PAGE + 10 };
	unsigned int i, j, cached, fault;

	int fd, hot;

	/* An uncached write into a new file: durable, and nothing cached. */
	fd = open_file(dir, "persist", O_RDWR | O_CREAT | O_TRUNC);
	write_tag(fd, T_PERSIST, PERSIST_OFF, PERSIST_LEN, RWF_UNCACHED);
	expect_cached("persist: after the uncached write", fd, PERSIST_OFF, PERSIST_LEN, 0);
	expect_data("persist: read back uncached", fd, T_PERSIST, PERSIST_OFF, PERSIST_LEN,
		    RWF_UNCACHED);
	expect_cached("persist: after the uncached read", fd, 0, PERSIST_OFF + PERSIST_LEN, 0);
	/* Overwriting data that is on disk and not cached. */
	e2e_drop_cache(fd);
	write_tag(fd, T_OVERWRITE, OVER_OFF, OVER_LEN, RWF_UNCACHED);
	expect_cached("persist: after the uncached overwrite", fd, OVER_OFF, OVER_LEN, 0);
	check_persist(fd, RWF_UNCACHED);
	close(fd);

	/* A clean cached range stays cached, with the new data; a dirty one too. */
	overwrite_cached(dir, "cached", T_CACHED_OLD, T_CACHED_NEW, 1);
	overwrite_cached(dir, "dirty", T_DIRTY_OLD, T_DIRTY_NEW, 0);

	/* Uncached reads: cold, then with the first part cached. */
	fd = open_file(dir, "read", O_RDWR | O_CREAT | O_TRUNC);
	write_tag(fd, T_READ, 0, READ_LEN, 0);
	e2e_drop_cache(fd);
	expect_data("read: cold, uncached", fd, T_READ, 0, READ_LEN, RWF_UNCACHED);
	expect_cached("read: after the cold uncached read", fd, 0, READ_LEN, 0);
	/* A plain read of the first part only: no readahead beyond it. */
	hot = open_file(dir, "read", O_RDONLY);
	if (posix_fadvise(hot, 0, 0, POSIX_FADV_RANDOM))
		e2e_die("fadvise: %s", strerror(errno));
	expect_data("read: plain, of the first part", hot, T_READ, 0, READ_HOT, 0);
	close(hot);
	expect_cached("read: plain read of the first part", fd, 0, READ_LEN, READ_HOT / E2E_PAGE);
	expect_data("read: partly cached, uncached", fd, T_READ, 0, READ_LEN, RWF_UNCACHED);
	expect_cached("read: the part that was cached", fd, 0, READ_HOT, READ_HOT / E2E_PAGE);
	expect_cached("read: the part that was not", fd, READ_HOT, READ_LEN - READ_HOT, 0);
	close(fd);

	/* RWF_UNCACHED | RWF_DSYNC: written, stable, nothing cached or dirty. */
	fd = open_file(dir, "dsync", O_RDWR | O_CREAT | O_TRUNC);
	write_tag(fd, T_DSYNC, 0, DSYNC_LEN, RWF_UNCACHED | RWF_DSYNC);
	expect_cached("dsync: after the write", fd, 0, DSYNC_LEN, 0);
	close(fd);

	/* Past the end of the file: in its last page, and beyond it. */
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (j = 0; j < ARRAY_SIZE(gaps); j++)
			for (cached = 0; cached < 2; cached++) {
				write_past_eof(dir, sizes[i], gaps[j], cached);
				for (fault = 0; fault < 2; fault++)
					write_past_eof_fails(dir, sizes[i], gaps[j],
							     cached, fault);
			}
}

static void expect_size(int fd, const char *name, off_t want)
{
	struct stat st;

	if (fstat(fd, &st))
		e2e_die("fstat %s: %s", name, strerror(errno));
	if (st.st_size != want)
		e2e_die("%s: size %lld, expected %lld", name, (long long)st.st_size,
			(long long)want);
}

static void do_verify(const char *dir)
{
	int fd;

	fd = open_file(dir, "persist", O_RDONLY);
	expect_size(fd, "persist", PERSIST_OFF + PERSIST_LEN);
	check_persist(fd, 0);
	close(fd);
	fd = open_file(dir, "cached", O_RDONLY);
	check_cached(fd, T_CACHED_OLD, T_CACHED_NEW);
	close(fd);
	fd = open_file(dir, "dirty", O_RDONLY);
	check_cached(fd, T_DIRTY_OLD, T_DIRTY_NEW);
	close(fd);
	fd = open_file(dir, "read", O_RDONLY);
	expect_data("read: after mount", fd, T_READ, 0, READ_LEN, 0);
	close(fd);
	fd = open_file(dir, "dsync", O_RDONLY);
	expect_size(fd, "dsync", DSYNC_LEN);
	expect_data("dsync: after mount", fd, T_DSYNC, 0, DSYNC_LEN, 0);
	close(fd);
	printf("ok: every file reads back after unmount and mount\n");
}

static void expect_eopnotsupp(int fd, int write)
{
	char buf[512] = { 1 };
	struct iovec iov = { buf, sizeof(buf) };
	ssize_t ret = write ? pwritev2(fd, &iov, 1, 0, RWF_UNCACHED) :
			      preadv2(fd, &iov, 1, 0, RWF_UNCACHED);

	if (ret != -1 || errno != EOPNOTSUPP)
		e2e_die("uncached %s on a filesystem that did not opt in: returned %zd (%s), expected EOPNOTSUPP",
			write ? "write" : "read", ret, ret < 0 ? strerror(errno) : "no error");
}

static void do_unsupported(const char *dir)
{
	int fd = open_file(dir, "unsupported", O_RDWR | O_CREAT | O_TRUNC);

	expect_eopnotsupp(fd, 1);
	expect_eopnotsupp(fd, 0);
	expect_size(fd, "unsupported", 0);
	close(fd);
	unlink(path(dir, "unsupported"));
	printf("ok: EOPNOTSUPP for uncached reads and writes, nothing written\n");
}

/* Write the file the direct case starts from (its clone, on XFS). */
static void do_direct_prepare(const char *file)
{
	int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		e2e_die("open %s: %s", file, strerror(errno));
	write_tag(fd, T_DIRECT_OLD, 0, DIRECT_LEN, 0);
	e2e_drop_cache(fd);
	close(fd);
}

static void do_direct(const char *file, int all)
{
	int fd = open(file, O_RDWR | O_DIRECT);
	struct e2e_cachestat cs;

	if (fd < 0)
		e2e_die("open %s: %s", file, strerror(errno));
	write_tag(fd, T_DIRECT_NEW, DIRECT_OFF, DIRECT_NEW_LEN, RWF_UNCACHED);
	cs = e2e_cachestat(fd, 0, DIRECT_LEN);
	if (cs.nr_dirty || cs.nr_writeback)
		e2e_die("direct: after the O_DIRECT | RWF_UNCACHED write, %llu pages dirty and %llu under writeback, expected none",
			(unsigned long long)cs.nr_dirty, (unsigned long long)cs.nr_writeback);
	printf("ok: direct: nothing dirty after the O_DIRECT | RWF_UNCACHED write, %llu pages cached\n",
	       (unsigned long long)cs.nr_cache);
	if (all)
		expect_cached("direct: after the O_DIRECT | RWF_UNCACHED write", fd, 0,
			      DIRECT_LEN, 0);
	close(fd);
}

static void do_direct_verify(const char *file)
{
	int fd = open(file, O_RDONLY);

	if (fd < 0)
		e2e_die("open %s: %s", file, strerror(errno));
	expect_size(fd, file, DIRECT_LEN);
	expect_data("direct: before the write", fd, T_DIRECT_OLD, 0, DIRECT_OFF, 0);
	expect_data("direct: the write", fd, T_DIRECT_NEW, DIRECT_OFF, DIRECT_NEW_LEN, 0);
	expect_data("direct: after the write", fd, T_DIRECT_OLD, DIRECT_OFF + DIRECT_NEW_LEN,
		    DIRECT_LEN - DIRECT_OFF - DIRECT_NEW_LEN, 0);
	close(fd);
	printf("ok: direct: %s reads back after unmount and mount\n", file);
}

int main(int argc, char **argv)
{
	e2e_prog = "e2e-semantics";
	if (argc == 4 && !strcmp(argv[1], "direct")) {
		do_direct(argv[2], atoi(argv[3]));
		return 0;
	}
	if (argc != 3)
		e2e_die("usage: e2e-semantics write|verify|unsupported|direct-prepare|direct-verify DIR|FILE");
	if (!strcmp(argv[1], "direct-prepare")) {
		do_direct_prepare(argv[2]);
		return 0;
	}
	if (!strcmp(argv[1], "direct-verify")) {
		do_direct_verify(argv[2]);
		return 0;
	}
	if (!strcmp(argv[1], "write"))
		do_write(argv[2]);
	else if (!strcmp(argv[1], "verify"))
		do_verify(argv[2]);
	else if (!strcmp(argv[1], "unsupported"))
		do_unsupported(argv[2]);
	else
		e2e_die("unknown command %s", argv[1]);
	return 0;
}
