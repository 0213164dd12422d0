// SPDX-License-Identifier: GPL-2.0
/*
 * e2e-faults: an uncached write to a device that fails writes.
 *
 * The file has four 1 MiB regions, A to D, allocated (unwritten) up front
 * so that a device-mapper table can fail the writes of region B alone
 * while the filesystem's metadata and log stay healthy:
 *
 *   e2e-faults prepare FILE           create FILE, allocate A-D, fsync
 *   e2e-faults table FILE DEV SECTORS the dm table: DEV linear, except B's
 *                                     blocks, which dm-flakey fails on write
 *   e2e-faults run FILE FAIL HEAL     A uncached; FAIL (a shell command);
 *                                     B uncached must fail with EIO, and so
 *                                     must an uncached pwritev2() at offset
 *                                     -1 and an O_DSYNC write(), leaving the
 *                                     file offset where it was; HEAL;
 *                                     fsync() on another descriptor and on
 *                                     the writer's must report it once;
 *                                     B again uncached, C buffered
 *   e2e-faults verify FILE            after unmount and mount: A, B and C
 *                                     hold what their writes reported
 */
#include "e2e.h"

#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

#define REGION		(1024 * 1024UL)
#define NR_REGIONS	4
enum { T_A = 11, T_B_FAILED, T_B, T_C };

static int open_file(const char *file, int flags)
{
	int fd = open(file, flags, 0644);

	if (fd < 0)
		e2e_die("open %s: %s", file, strerror(errno));
	return fd;
}

static void prepare(const char *file)
{
	int fd = open_file(file, O_RDWR | O_CREAT | O_TRUNC);

	if (fallocate(fd, 0, 0, NR_REGIONS * REGION) || fsync(fd))
		e2e_die("fallocate or fsync: %s", strerror(errno));
	close(fd);
}

/* Print the table: linear over DEV, flakey with error_writes over B. */
static void table(const char *file, const char *dev, unsigned long long sectors)
{
	struct {
		struct fiemap fm;
		struct fiemap_extent fe[16];
	} m = { .fm = { .fm_start = REGION, .fm_length = REGION,
			.fm_flags = FIEMAP_FLAG_SYNC, .fm_extent_count = 16 } };
	unsigned long long at = 0;
	int fd = open_file(file, O_RDONLY);

	if (ioctl(fd, FS_IOC_FIEMAP, &m.fm))
		e2e_die("FIEMAP: %s", strerror(errno));
	if (!m.fm.fm_mapped_extents)
		e2e_die("region B of %s has no blocks", file);
	for (unsigned int i = 0; i < m.fm.fm_mapped_extents; i++) {
		struct fiemap_extent *e = &m.fe[i];
		/* only B's part of the extent */
		unsigned long long lo = e->fe_logical < REGION ? REGION : e->fe_logical;
		unsigned long long hi = e->fe_logical + e->fe_length;
		unsigned long long start, len;

		if (hi > 2 * REGION)
			hi = 2 * REGION;
		start = (e->fe_physical + lo - e->fe_logical) / 512;
		len = (hi - lo) / 512;
		if (start < at || start + len > sectors)
			e2e_die("extent %u of region B at sector %llu is out of order", i, start);
		if (start > at)
			printf("%llu %llu linear %s %llu\n", at, start - at, dev, at);
		printf("%llu %llu flakey %s %llu 0 1 1 error_writes\n", start, len, dev, start);
		at = start + len;
	}
	if (at < sectors)
		printf("%llu %llu linear %s %llu\n", at, sectors - at, dev, at);
	close(fd);
}

static void run_cmd(const char *what, const char *cmd)
{
	int status = system(cmd);

	if (status != 0)
		e2e_die("%s command failed (status %d): %s", what, status, cmd);
}

static void write_region(int fd, unsigned int tag, int region, int flags)
{
	unsigned char *buf = e2e_alloc(REGION);

	e2e_fill(buf, REGION, tag, region * REGION);
	e2e_pio(fd, 1, buf, REGION, region * REGION, flags);
	free(buf);
}

static void expect_fsync(int fd, const char *which, int err)
{
	int ret = fsync(fd);

	if (err ? !(ret == -1 && errno == err) : ret != 0)
		e2e_die("fsync() on %s returned %d (%s), expected %s", which, ret,
			ret ? strerror(errno) : "no error", err ? strerror(err) : "success");
	printf("ok: fsync() on %s: %s\n", which, err ? strerror(err) : "success");
}

/*
 * At offset REGION (region B, failing), a write of buf at the current file
 * offset: pwritev2() with offset -1 and @flags, or write() if @flags is -1.
 * It must fail with EIO and leave the offset where it was.
 */
static void expect_offset_kept(int fd, const char *what, unsigned char *buf,
			       int flags)
{
	struct iovec iov = { buf, REGION };
	off_t at;
	ssize_t ret;

	if (lseek(fd, REGION, SEEK_SET) != (off_t)REGION)
		e2e_die("lseek: %s", strerror(errno));
	ret = flags < 0 ? write(fd, buf, REGION) : pwritev2(fd, &iov, 1, -1, flags);
	if (!(ret == -1 && errno == EIO))
		e2e_die("%s to a failing device returned %zd (%s), expected EIO", what, ret,
			ret < 0 ? strerror(errno) : "no error");
	at = lseek(fd, 0, SEEK_CUR);
	if (at != (off_t)REGION)
		e2e_die("after %s failed, the file offset is %lld, expected %lu (where it was)",
			what, (long long)at, REGION);
	printf("ok: %s returned EIO and left the file offset at %lu\n", what, REGION);
}

static void run(const char *file, const char *fail, const char *heal)
{
	int fd = open_file(file, O_RDWR), other = open_file(file, O_RDWR), dsync;
	unsigned char *buf = e2e_alloc(REGION);
	struct iovec iov = { buf, REGION };
	ssize_t ret;

	write_region(fd, T_A, 0, RWF_UNCACHED);
	expect_fsync(fd, "the writer, healthy device", 0);

	run_cmd("fail", fail);
	e2e_fill(buf, REGION, T_B_FAILED, REGION);
	ret = pwritev2(fd, &iov, 1, REGION, RWF_UNCACHED);
	if (!(ret == -1 && errno == EIO))
		e2e_die("uncached write to a failing device returned %zd (%s), expected EIO", ret,
			ret < 0 ? strerror(errno) : "no error");
	printf("ok: the uncached write to the failing device returned EIO\n");
	/*
	 * What a failed write leaves of the file offset: nothing moves it,
	 * neither an uncached pwritev2() at the current offset (-1) nor an
	 * O_DSYNC write() whose sync fails, although both copied their data.
	 */
	expect_offset_kept(fd, "pwritev2(..., -1, RWF_UNCACHED)", buf, RWF_UNCACHED);
	dsync = open_file(file, O_RDWR | O_DSYNC);
	expect_offset_kept(dsync, "an O_DSYNC write()", buf, -1);
	close(dsync);
	/*
	 * Heal first: dm-flakey fails cache flushes too, and an fsync()
	 * that flushes would then fail whatever the errseq said.
	 */
	run_cmd("heal", heal);
	/* Every descriptor open before the error sees it at fsync, once. */
	expect_fsync(other, "another descriptor", EIO);
	expect_fsync(other, "another descriptor, again", 0);
	expect_fsync(fd, "the writer", EIO);
	expect_fsync(fd, "the writer, again", 0);

	write_region(fd, T_B, 1, RWF_UNCACHED);
	write_region(fd, T_C, 2, 0);
	expect_fsync(fd, "the writer, healed device", 0);
	free(buf);
	close(other);
	close(fd);
}

static void expect_region(int fd, unsigned int tag, int region)
{
	unsigned char *buf = e2e_alloc(REGION);
	long long bad;

	e2e_pio(fd, 0, buf, REGION, region * REGION, 0);
	bad = e2e_mismatch(buf, REGION, tag, region * REGION);
	if (bad >= 0)
		e2e_die("region %c: byte %lld is %#x, expected %#x from a write that returned success",
			'A' + region, bad, buf[bad - region * REGION], e2e_byte(tag, bad));
	printf("ok: region %c reads back\n", 'A' + region);
	free(buf);
}

static void verify(const char *file)
{
	int fd = open_file(file, O_RDONLY);

	expect_region(fd, T_A, 0);
	expect_region(fd, T_B, 1);
	expect_region(fd, T_C, 2);
	close(fd);
}

int main(int argc, char **argv)
{
	e2e_prog = "e2e-faults";
	if (argc == 3 && !strcmp(argv[1], "prepare"))
		prepare(argv[2]);
	else if (argc == 5 && !strcmp(argv[1], "table"))
		table(argv[2], argv[3], strtoull(argv[4], NULL, 0));
	else if (argc == 5 && !strcmp(argv[1], "run"))
		run(argv[2], argv[3], argv[4]);
	else if (argc == 3 && !strcmp(argv[1], "verify"))
		verify(argv[2]);
	else
		e2e_die("usage: e2e-faults prepare|table|run|verify FILE ...");
	return 0;
}
