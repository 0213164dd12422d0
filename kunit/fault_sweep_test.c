// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_fault_sweep: every allocation and every folio writeback of an
 * uncached write, and every allocation of an uncached read, fails in turn.
 * A clean run first counts them; then, for N = 1 .. that count, a fresh
 * file has its Nth one fail.  Each run must end in a clean error or a
 * short write, keep every byte it reports as written (read back), leave
 * no folio locked, under writeback or with an extra reference, and the
 * next plain write must succeed.  The number of points swept is printed.
 */
#include <linux/pagemap.h>
#include <kunit/test.h>

#include "testfs.h"

#define SWEEP_LEN	(8 * PAGE_SIZE)

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
			    utfs_pwrite(file,
					utfs_pattern_buf(test, SWEEP_LEN, 0, 9),
					SWEEP_LEN, 0, 0), "point %u", n);
	vfs_fsync(file, 0);	/* may report the injected error, once */
	KUNIT_EXPECT_EQ_MSG(test, 0, vfs_fsync(file, 0), "point %u", n);
	utfs_expect_disk(test, ui, 0, SWEEP_LEN, 9);
}

/* The Nth filemap_add_folio() of an uncached write fails. */
static void write_allocation_sweep(struct kunit *test)
{
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	unsigned int n, points;
	ssize_t ret;

	utfs_inject_alloc_error(test, ui, 0);	/* count, do not fail */
	KUNIT_ASSERT_EQ(test, (ssize_t)SWEEP_LEN,
			utfs_pwrite(file, utfs_pattern_buf(test, SWEEP_LEN, 0, 1),
				    SWEEP_LEN, 0, RWF_UNCACHED));
	points = ui->stats.add_folio_calls;
	KUNIT_ASSERT_GE(test, points, SWEEP_LEN / PAGE_SIZE);

	for (n = 1; n <= points; n++) {
		file = utfs_new_param_file(test);
		ui = utfs_file_inode(file);
		utfs_inject_alloc_error(test, ui, -ENOMEM);
		ui->faults.alloc_error_after = n - 1;
		ui->faults.alloc_error_times = 1;
		ret = utfs_pwrite(file, utfs_pattern_buf(test, SWEEP_LEN, 0, 2),
				  SWEEP_LEN, 0, RWF_UNCACHED);
		KUNIT_EXPECT_EQ_MSG(test, 1U, ui->stats.alloc_failures,
				    "point %u", n);
		/* The error, or what it wrote: that much and no more. */
		KUNIT_EXPECT_TRUE_MSG(test, ret == -ENOMEM ||
				      (ret > 0 && ret <= SWEEP_LEN),
				      "point %u: %zd", n, ret);
		KUNIT_EXPECT_EQ_MSG(test, ret > 0 ? ret : 0,
				    i_size_read(file_inode(file)), "point %u", n);
		KUNIT_EXPECT_FALSE_MSG(test, mapping_tagged(file->f_mapping,
							    PAGECACHE_TAG_DIRTY),
				       "point %u", n);
		expect_folios_released(test, file, n);
		if (ret > 0)
			expect_readback(test, file, ret, 2, n);
		expect_next_write_works(test, file, n);
	}
	kunit_info(test, "swept %u allocation points", points);
}

/*
 * The writeback of the Nth folio of an uncached write fails: the write
 * returns the error, keeps the range cached with its data, the other
 * folios reach the disk, and fsync() reports the error once.
 */
static void write_writeback_sweep(struct kunit *test)
{
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	unsigned int n, points;
	loff_t pos;

	KUNIT_ASSERT_EQ(test, (ssize_t)SWEEP_LEN,
			utfs_pwrite(file, utfs_pattern_buf(test, SWEEP_LEN, 0, 3),
				    SWEEP_LEN, 0, RWF_UNCACHED));
	points = ui->stats.folios_written;
	KUNIT_ASSERT_EQ(test, points, (unsigned int)(SWEEP_LEN / PAGE_SIZE));

	for (n = 1; n <= points; n++) {
		file = utfs_new_param_file(test);
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
		KUNIT_EXPECT_EQ_MSG(test, -EIO, vfs_fsync(file, 0), "point %u", n);
		expect_next_write_works(test, file, n);
	}
	kunit_info(test, "swept %u writeback points", points);
}

/* The Nth allocation of an uncached read (readahead or not) fails. */
static void read_allocation_sweep(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct utfs_inode *ui = utfs_file_inode(file);
	u8 *buf = kunit_kzalloc(test, SWEEP_LEN, GFP_KERNEL);
	unsigned int n, points;
	ssize_t ret;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, SWEEP_LEN, 0, 5), SWEEP_LEN);
	utfs_inject_alloc_error(test, ui, 0);
	KUNIT_ASSERT_EQ(test, (ssize_t)SWEEP_LEN,
			utfs_pread(file, buf, SWEEP_LEN, 0, RWF_UNCACHED));
	points = ui->stats.add_folio_calls;
	KUNIT_ASSERT_GE(test, points, SWEEP_LEN / PAGE_SIZE);

	for (n = 1; n <= points; n++) {
		file = utfs_new_file(test, UTFS_IOMAP);
		ui = utfs_file_inode(file);
		utfs_fill_disk(ui, 0, utfs_pattern_buf(test, SWEEP_LEN, 0, 5),
			       SWEEP_LEN);
		utfs_inject_alloc_error(test, ui, -ENOMEM);
		ui->faults.alloc_error_after = n - 1;
		ui->faults.alloc_error_times = 1;
		memset(buf, 0, SWEEP_LEN);
		ret = utfs_pread(file, buf, SWEEP_LEN, 0, RWF_UNCACHED);
		KUNIT_EXPECT_TRUE_MSG(test, ret == -ENOMEM ||
				      (ret > 0 && ret <= SWEEP_LEN),
				      "point %u: %zd", n, ret);
		if (ret > 0)
			KUNIT_EXPECT_MEMEQ_MSG(test, buf,
					       utfs_pattern_buf(test, ret, 0, 5),
					       ret, "point %u", n);
		/* What the read brought in, it dropped, failure or not. */
		KUNIT_EXPECT_EQ_MSG(test, 0UL, file->f_mapping->nrpages,
				    "point %u", n);
		expect_folios_released(test, file, n);
		expect_next_write_works(test, file, n);
	}
	kunit_info(test, "swept %u read allocation points", points);
}

static struct kunit_case uncached_fault_sweep_cases[] = {
	KUNIT_CASE_PARAM(write_allocation_sweep, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(write_writeback_sweep, utfs_paths_gen_params),
	KUNIT_CASE(read_allocation_sweep),
	{}
};

static struct kunit_suite uncached_fault_sweep_suite = {
	.name = "uncached_fault_sweep",
	.test_cases = uncached_fault_sweep_cases,
};
kunit_test_suite(uncached_fault_sweep_suite);
