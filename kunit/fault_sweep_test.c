// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_fault_sweep: every allocation and every folio writeback of an
 * uncached write, and every allocation of an uncached read, fails in turn.
 *
 * Allocations fail through the kernel's own fault injection (FAILSLAB and
 * FAIL_PAGE_ALLOC, driven per task with fail_nth as syzkaller drives it):
 * every slab and page allocation the I/O makes, folios, xarray nodes and
 * iomap's per-folio state alike.  A clean run counts them; then, for
 * N = 1, 2, ... until the I/O makes fewer than N, a fresh file has its Nth
 * one fail.  The test filesystem notes which folio lookup, if any, the
 * failure made fail, and the expected outcome follows from that exactly:
 *
 * - a write whose lookup of the folio at P failed is short at P (-ENOMEM
 *   if P is where it started); on the iomap path only if that was the
 *   first lookup of its mapping, since iomap maps the rest again after
 *   partial progress and looks P up once more;
 * - any other failed allocation changes nothing: the write is whole;
 * - a read returns all of its data (readahead that could not allocate is
 *   followed by the folio-at-a-time fallback), and leaves nothing cached.
 *
 * Each run must also keep every byte it reports as written (read back),
 * leave nothing dirty, locked, under writeback or with an extra
 * reference, and the next plain write must succeed.  The number of
 * points swept is printed.
 */
#include <linux/pagemap.h>
#include <kunit/test.h>

#include "testfs.h"

#define SWEEP_LEN	(8 * PAGE_SIZE)
/* A clean run's count may differ from a later run's (slab refills). */
#define SWEEP_MAX(points)	(4 * (points) + 16)

/* No folio of the file is locked, under writeback or referenced by us. */
static void expect_folios_released(struct kunit *test, struct file *file,
				   unsigned int n)
{
	char what[16];

	snprintf(what, sizeof(what), "point %u", n);
	utfs_expect_settled(test, file, what);
}

/* A plain read of [0, len) returns the pattern written with seed. */
static void expect_readback(struct kunit *test, struct file *file, size_t len,
			    u8 seed, unsigned int n)
{
	u8 *buf = kunit_kzalloc(test, SWEEP_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ_MSG(test, (ssize_t)len, utfs_pread(file, buf, len, 0, 0),
			    "point %u", n);
	KUNIT_EXPECT_MEMEQ_MSG(test, buf, utfs_pattern_buf(test, len, 0, seed),
			       len, "point %u", n);
}

/* The next plain write of the whole range succeeds, and reaches the disk. */
static void expect_next_write_works(struct kunit *test, struct file *file,
				    unsigned int n)
{
	struct utfs_inode *ui = utfs_file_inode(file);

	memset(&ui->faults, 0, sizeof(ui->faults));
	KUNIT_EXPECT_EQ_MSG(test, (ssize_t)SWEEP_LEN,
			    utfs_pwrite_pattern(test, file, 0, SWEEP_LEN, 9, 0), "point %u", n);
	vfs_fsync(file, 0);	/* may report the injected error, once */
	KUNIT_EXPECT_EQ_MSG(test, 0, vfs_fsync(file, 0), "point %u", n);
	utfs_expect_disk(test, ui, 0, SWEEP_LEN, 9);
}

/*
 * What a write of SWEEP_LEN at 0 must have returned, from where the
 * injected failure hit (utfs_stats.alloc_failed*).
 */
static ssize_t expected_write(struct utfs_inode *ui, enum utfs_path path)
{
	const struct utfs_stats *st = &ui->stats;

	if (!st->alloc_failed)
		return SWEEP_LEN;
	if (path == UTFS_IOMAP && !st->alloc_failed_first_in_mapping)
		return SWEEP_LEN;
	return st->alloc_failed_pos ? st->alloc_failed_pos : -ENOMEM;
}

/* Run @io on a fresh file with its @nth allocation failing; false: no @nth. */
static bool run_failing(struct kunit *test, unsigned int nth,
			ssize_t (*io)(struct kunit *test, struct file *file),
			struct file *file, ssize_t *ret)
{
	unsigned int pending;

	utfs_fail_nth(nth);
	*ret = io(test, file);
	pending = utfs_fail_nth_pending();
	utfs_fail_nth(0);
	return !pending;
}

static ssize_t sweep_write(struct kunit *test, struct file *file)
{
	return utfs_pwrite(file, test->priv, SWEEP_LEN, 0, RWF_UNCACHED);
}

/* The Nth allocation of an uncached write fails. */
static void write_allocation_sweep(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui;
	unsigned int n, points, short_writes = 0;
	ssize_t ret, want;

	test->priv = utfs_pattern_buf(test, SWEEP_LEN, 0, 2);
	utfs_fail_nth(UTFS_COUNT_ALLOCATIONS);
	UTFS_ASSERT_NOT_FORCED(test);
	ret = sweep_write(test, file);
	points = UTFS_COUNT_ALLOCATIONS - utfs_fail_nth_pending();
	utfs_fail_nth(0);
	KUNIT_ASSERT_EQ(test, (ssize_t)SWEEP_LEN, ret);
	KUNIT_ASSERT_GE(test, points, SWEEP_LEN / PAGE_SIZE);

	for (n = 1; n <= SWEEP_MAX(points); n++) {
		file = utfs_new_param_file(test);
		ui = utfs_file_inode(file);
		if (!run_failing(test, n, sweep_write, file, &ret))
			break;
		want = expected_write(ui, *path);
		short_writes += want != SWEEP_LEN;
		KUNIT_EXPECT_LE_MSG(test, ui->stats.alloc_failed, 1U,
				    "point %u: a failed lookup was retried", n);
		KUNIT_EXPECT_EQ_MSG(test, want, ret,
				    "point %u: the lookup at %lld failed", n,
				    ui->stats.alloc_failed_pos);
		KUNIT_EXPECT_EQ_MSG(test, ret > 0 ? ret : 0,
				    i_size_read(file_inode(file)), "point %u", n);
		KUNIT_EXPECT_EQ_MSG(test, 0UL, file->f_mapping->nrpages,
				    "point %u: left cached", n);
		expect_folios_released(test, file, n);
		if (ret > 0) {
			utfs_expect_disk(test, ui, 0, ret, 2);
			expect_readback(test, file, ret, 2, n);
		}
		expect_next_write_works(test, file, n);
	}
	KUNIT_EXPECT_GE(test, n - 1, SWEEP_LEN / PAGE_SIZE);
	KUNIT_EXPECT_GT_MSG(test, short_writes, 0U,
			    "no point made a lookup fail");
	kunit_info(test, "swept %u allocation points (a clean run makes %u), %u short writes",
		   n - 1, points, short_writes);
}

/*
 * The writeback of the Nth folio of an uncached write fails: the write
 * returns the error, keeps the range cached with its data, the other
 * folios reach the disk, and fsync() of another file reports the error
 * once (the write reported it to its own).
 */
static void write_writeback_sweep(struct kunit *test)
{
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	unsigned int n, points;
	loff_t pos;

	KUNIT_ASSERT_EQ(test, (ssize_t)SWEEP_LEN,
			utfs_pwrite_pattern(test, file, 0, SWEEP_LEN, 3, RWF_UNCACHED));
	points = ui->stats.folios_written;
	KUNIT_ASSERT_EQ(test, points, (unsigned int)(SWEEP_LEN / PAGE_SIZE));

	for (n = 1; n <= points; n++) {
		struct file *other;

		file = utfs_new_param_file(test);
		other = utfs_reopen(test, file,
				    *(const enum utfs_path *)test->param_value);
		ui = utfs_file_inode(file);
		ui->faults.wb_error = -EIO;
		ui->faults.wb_error_from = (loff_t)(n - 1) * PAGE_SIZE;
		ui->faults.wb_error_to = (loff_t)n * PAGE_SIZE;
		pos = 0;
		KUNIT_EXPECT_EQ_MSG(test, (ssize_t)-EIO,
				    utfs_pwrite_pos(file,
						    utfs_pattern_buf(test, SWEEP_LEN, 0, 4),
						    SWEEP_LEN, &pos, RWF_UNCACHED),
				    "point %u", n);
		KUNIT_EXPECT_EQ_MSG(test, (loff_t)SWEEP_LEN, pos, "point %u", n);
		KUNIT_EXPECT_EQ_MSG(test, SWEEP_LEN / PAGE_SIZE,
				    file->f_mapping->nrpages, "point %u", n);
		utfs_expect_cache(test, file, 0, SWEEP_LEN, 4);
		if (n > 1)
			utfs_expect_disk(test, ui, 0, (n - 1) * PAGE_SIZE, 4);
		if (n < points)
			utfs_expect_disk(test, ui, n * PAGE_SIZE,
					 SWEEP_LEN - n * PAGE_SIZE, 4);
		expect_folios_released(test, file, n);
		ui->faults.wb_error = 0;
		/* [E1] The write reported the error to its file, not others. */
		KUNIT_EXPECT_EQ_MSG(test, 0, vfs_fsync(file, 0), "point %u", n);
		KUNIT_EXPECT_EQ_MSG(test, -EIO, vfs_fsync(other, 0), "point %u", n);
		KUNIT_EXPECT_EQ_MSG(test, 0, vfs_fsync(other, 0), "point %u", n);
		expect_next_write_works(test, file, n);
	}
	kunit_info(test, "swept %u writeback points", points);
}

static struct file *file_on_disk(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);

	utfs_fill_disk(utfs_file_inode(file), 0,
		       utfs_pattern_buf(test, SWEEP_LEN, 0, 5), SWEEP_LEN);
	return file;
}

static ssize_t sweep_read(struct kunit *test, struct file *file)
{
	memset(test->priv, 0, SWEEP_LEN);
	return utfs_pread(file, test->priv, SWEEP_LEN, 0, RWF_UNCACHED);
}

/*
 * The Nth allocation of an uncached read fails; with @then_after_readahead,
 * also the first allocation after each ->readahead, so that the read comes
 * back for what readahead did not bring in and fails again: its fallback
 * then creates a folio inside a range an earlier readahead counted.
 */
static void read_sweep(struct kunit *test, bool then_after_readahead)
{
	struct file *file = file_on_disk(test);
	struct utfs_inode *ui;
	unsigned int n, points;
	ssize_t ret;

	test->priv = kunit_kzalloc(test, SWEEP_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, test->priv);
	utfs_fail_nth(UTFS_COUNT_ALLOCATIONS);
	ret = sweep_read(test, file);
	points = UTFS_COUNT_ALLOCATIONS - utfs_fail_nth_pending();
	utfs_fail_nth(0);
	KUNIT_ASSERT_EQ(test, (ssize_t)SWEEP_LEN, ret);
	KUNIT_ASSERT_GE(test, points, SWEEP_LEN / PAGE_SIZE);

	for (n = 1; n <= (then_after_readahead ? points : SWEEP_MAX(points));
	     n++) {
		file = file_on_disk(test);
		ui = utfs_file_inode(file);
		ui->faults.fail_nth_after_readahead = then_after_readahead;
		if (!run_failing(test, n, sweep_read, file, &ret) &&
		    !then_after_readahead)
			break;
		ui->faults.fail_nth_after_readahead = 0;
		KUNIT_EXPECT_EQ_MSG(test, (ssize_t)SWEEP_LEN, ret, "point %u", n);
		KUNIT_EXPECT_MEMEQ_MSG(test, test->priv,
				       utfs_pattern_buf(test, SWEEP_LEN, 0, 5),
				       SWEEP_LEN, "point %u", n);
		/* What the read brought in, it dropped, failure or not. */
		KUNIT_EXPECT_EQ_MSG(test, 0UL, file->f_mapping->nrpages,
				    "point %u", n);
		expect_folios_released(test, file, n);
		expect_next_write_works(test, file, n);
	}
	KUNIT_EXPECT_GE(test, n - 1, SWEEP_LEN / PAGE_SIZE);
	kunit_info(test, "swept %u read allocation points (a clean run makes %u)",
		   n - 1, points);
}

static void read_allocation_sweep(struct kunit *test)
{
	read_sweep(test, false);
}

static void read_allocation_sweep_after_readahead(struct kunit *test)
{
	read_sweep(test, true);
}

static struct kunit_case uncached_fault_sweep_cases[] = {
	KUNIT_CASE_PARAM(write_allocation_sweep, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(write_writeback_sweep, utfs_paths_gen_params),
	KUNIT_CASE(read_allocation_sweep),
	KUNIT_CASE(read_allocation_sweep_after_readahead),
	{}
};

static struct kunit_suite uncached_fault_sweep_suite = {
	.name = "uncached_fault_sweep",
	.test_cases = uncached_fault_sweep_cases,
	UTFS_SUITE_OPS,
};

kunit_test_suite(uncached_fault_sweep_suite);
