// SPDX-License-Identifier: GPL-2.0
/*
 * e2e-space: uncached writes where XFS is short of space or quota; a
 * write that fails with ENOSPC goes through the retry of
 * xfs_file_buffered_write() (blockgc frees speculative preallocation and
 * tries again), as the full case's does.
 *
 *   e2e-space enospc DIR   DIR on an XFS of its own, mounted allocsize=64m:
 *                          a file's 64 MiB of preallocation beyond its end
 *                          and a filler leave 1 MiB free; an uncached
 *                          8 MiB write must still succeed (measured on
 *                          2026-12-07: without needing the retry, one
 *                          pass; the full case is the one that retries)
 *   e2e-space full DIR     then with the filesystem really full, past the
 *                          end of a short file whose last page is not
 *                          cached: the uncached write fails with ENOSPC
 *                          (after the retry), leaving the file offset and
 *                          the file as they were, or is short; either
 *                          way nothing stays cached or dirty, though the
 *                          first pass zeroed the old end's page (so the
 *                          retry must not count it as cached before)
 *   e2e-space edquot DIR   DIR under a project quota of QUOTA_MB: an
 *                          uncached write beyond it fails with EDQUOT (or
 *                          is short), the offset moves by what it wrote;
 *                          one within the quota succeeds
 *   e2e-space verify DIR   after unmount and mount: what the writes that
 *                          succeeded wrote is there
 */
#include "e2e.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#define MiB		(1024UL * 1024)
#define WRITE_LEN	(8 * MiB)
#define QUOTA_MB	8
/* full: the file's size before the write, and where the write starts */
#define FULL_SIZE	100
#define FULL_POS	(2 * E2E_PAGE + 100)
enum { T_ENOSPC = 31, T_FULL, T_QUOTA };

static char path_buf[4096];

static int open_in(const char *dir, const char *name, int flags)
{
	int fd;

	snprintf(path_buf, sizeof(path_buf), "%s/%s", dir, name);
	fd = open(path_buf, flags, 0644);
	if (fd < 0)
		e2e_die("open %s: %s", path_buf, strerror(errno));
	return fd;
}

static unsigned long long free_bytes(const char *dir)
{
	struct statvfs st;

	if (statvfs(dir, &st))
		e2e_die("statvfs %s: %s", dir, strerror(errno));
	return (unsigned long long)st.f_bavail * st.f_frsize;
}

/* Fill the filesystem up to @left bytes free (or as close as it lets). */
static void fill(const char *dir, const char *name, unsigned long long left)
{
	int fd = open_in(dir, name, O_RDWR | O_CREAT | O_TRUNC);
	unsigned long long want = free_bytes(dir);

	want = want > left ? want - left : 0;
	while (want && fallocate(fd, 0, 0, want))
		want -= want > MiB ? MiB : want;
	fsync(fd);
	close(fd);
	printf("ok: filled, %llu KiB free\n", free_bytes(dir) / 1024);
}

/* An uncached write at the file offset: pwritev2() with offset -1. */
static ssize_t write_at_offset(int fd, unsigned int tag, size_t len, off_t at)
{
	unsigned char *buf = e2e_alloc(len);
	struct iovec iov = { buf, len };
	ssize_t ret;

	e2e_fill(buf, len, tag, at);
	ret = pwritev2(fd, &iov, 1, -1, RWF_UNCACHED);
	free(buf);
	return ret;
}

static void expect_offset(int fd, off_t want, const char *what)
{
	off_t at = lseek(fd, 0, SEEK_CUR);

	if (at != want)
		e2e_die("%s: the file offset is %lld, expected %lld", what,
			(long long)at, (long long)want);
}

static void do_enospc(const char *dir)
{
	int pre = open_in(dir, "prealloc", O_RDWR | O_CREAT | O_TRUNC);
	int fd;
	ssize_t ret;

	/* An extending buffered write: allocsize's preallocation follows it. */
	e2e_pio(pre, 1, e2e_alloc(MiB), MiB, 0, 0);
	if (fsync(pre))
		e2e_die("fsync: %s", strerror(errno));
	fill(dir, "filler", MiB);
	fd = open_in(dir, "enospc", O_RDWR | O_CREAT | O_TRUNC);
	ret = write_at_offset(fd, T_ENOSPC, WRITE_LEN, 0);
	if (ret != (ssize_t)WRITE_LEN)
		e2e_die("uncached write of %lu bytes with 1 MiB free and 64 MiB preallocated elsewhere: %zd (%s), expected it whole",
			WRITE_LEN, ret, ret < 0 ? strerror(errno) : "short");
	expect_offset(fd, WRITE_LEN, "after the write");
	printf("ok: the uncached write succeeded with 1 MiB free and preallocation elsewhere, %llu KiB free now\n",
	       free_bytes(dir) / 1024);
	close(fd);
	close(pre);
}

static void do_full(const char *dir)
{
	int fd = open_in(dir, "full", O_RDWR | O_CREAT | O_TRUNC);
	unsigned char head[FULL_SIZE];
	struct e2e_cachestat cs;
	ssize_t ret;
	struct stat st;

	e2e_fill(head, sizeof(head), T_FULL, 0);
	e2e_pio(fd, 1, head, sizeof(head), 0, 0);
	if (fsync(fd) || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
		e2e_die("fsync or fadvise: %s", strerror(errno));
	fill(dir, "filler-2", 0);
	if (lseek(fd, FULL_POS, SEEK_SET) != FULL_POS)
		e2e_die("lseek: %s", strerror(errno));
	ret = write_at_offset(fd, T_FULL, WRITE_LEN, FULL_POS);
	if (!(ret == -1 && errno == ENOSPC) && !(ret >= 0 && ret < (ssize_t)WRITE_LEN))
		e2e_die("uncached write to a full filesystem: %zd (%s), expected ENOSPC or short",
			ret, ret < 0 ? strerror(errno) : "all of it");
	expect_offset(fd, FULL_POS + (ret > 0 ? ret : 0), "after the write to the full filesystem");
	if (fstat(fd, &st) || st.st_size != (off_t)(ret > 0 ? FULL_POS + ret : FULL_SIZE))
		e2e_die("size %lld after a write that returned %zd", (long long)st.st_size, ret);
	cs = e2e_cachestat(fd, 0, FULL_POS + WRITE_LEN);
	if (cs.nr_cache || cs.nr_dirty || cs.nr_writeback)
		e2e_die("after the write to the full filesystem: %llu pages cached, %llu dirty, %llu under writeback, expected none",
			(unsigned long long)cs.nr_cache, (unsigned long long)cs.nr_dirty,
			(unsigned long long)cs.nr_writeback);
	printf("ok: the uncached write to the full filesystem returned %zd%s%s\n", ret,
	       ret < 0 ? ", " : "", ret < 0 ? strerror(errno) : "");
	close(fd);
}

static void do_edquot(const char *dir)
{
	int fd = open_in(dir, "quota", O_RDWR | O_CREAT | O_TRUNC);
	ssize_t ret = write_at_offset(fd, T_QUOTA, 2 * QUOTA_MB * MiB, 0);

	if (!(ret == -1 && errno == EDQUOT) &&
	    !(ret >= 0 && ret <= (ssize_t)(QUOTA_MB * MiB)))
		e2e_die("uncached write beyond a %u MiB project quota: %zd (%s), expected EDQUOT or short",
			QUOTA_MB, ret, ret < 0 ? strerror(errno) : "too much");
	expect_offset(fd, ret > 0 ? ret : 0, "after the write beyond the quota");
	printf("ok: the uncached write beyond the quota returned %zd%s%s\n", ret,
	       ret < 0 ? ", " : "", ret < 0 ? strerror(errno) : "");
	close(fd);
	fd = open_in(dir, "quota", O_RDWR | O_CREAT | O_TRUNC);
	ret = write_at_offset(fd, T_QUOTA, QUOTA_MB * MiB / 4, 0);
	if (ret != (ssize_t)(QUOTA_MB * MiB / 4))
		e2e_die("uncached write within the quota: %zd (%s)", ret,
			ret < 0 ? strerror(errno) : "short");
	printf("ok: an uncached write within the quota succeeded\n");
	close(fd);
}

static void expect_file(const char *dir, const char *name, unsigned int tag, size_t len)
{
	int fd = open_in(dir, name, O_RDONLY);
	unsigned char *buf = e2e_alloc(len);
	struct stat st;
	long long bad;

	if (fstat(fd, &st) || (size_t)st.st_size != len)
		e2e_die("%s: size %lld, expected %zu", name, (long long)st.st_size, len);
	e2e_pio(fd, 0, buf, len, 0, 0);
	bad = e2e_mismatch(buf, len, tag, 0);
	if (bad >= 0)
		e2e_die("%s: byte %lld differs after mount", name, bad);
	printf("ok: %s reads back after unmount and mount\n", name);
	free(buf);
	close(fd);
}

int main(int argc, char **argv)
{
	e2e_prog = "e2e-space";
	if (argc != 3)
		e2e_die("usage: e2e-space enospc|full|edquot|verify DIR");
	if (!strcmp(argv[1], "enospc")) {
		do_enospc(argv[2]);
	} else if (!strcmp(argv[1], "full")) {
		do_full(argv[2]);
	} else if (!strcmp(argv[1], "edquot")) {
		do_edquot(argv[2]);
	} else if (!strcmp(argv[1], "verify")) {
		expect_file(argv[2], "enospc", T_ENOSPC, WRITE_LEN);
		expect_file(argv[2], "quota/quota", T_QUOTA, QUOTA_MB * MiB / 4);
	} else {
		e2e_die("unknown command %s", argv[1]);
	}
	return 0;
}
