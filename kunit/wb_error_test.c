// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_writeback_error: when the writeback of an uncached write fails,
 * the write returns the error (as an O_DSYNC write returns its sync's
 * error), the error stays visible to a later fsync() on any file of the
 * inode (errseq), and the range is not dropped from the page cache.
 */
#include <linux/fs.h>
#include <linux/pagemap.h>
#include <kunit/test.h>

#include "testfs.h"

struct wb_error_param {
	const char *name;
	enum utfs_path path;
	int error;
	rwf_t flags;
};

static const struct wb_error_param wb_error_params[] = {
	{ "iomap_eio", UTFS_IOMAP, -EIO, RWF_UNCACHED },
	{ "iomap_enospc", UTFS_IOMAP, -ENOSPC, RWF_UNCACHED },
	{ "iomap_eio_dsync", UTFS_IOMAP, -EIO, RWF_UNCACHED | RWF_DSYNC },
	{ "generic_eio", UTFS_GENERIC, -EIO, RWF_UNCACHED },
	{ "generic_enospc", UTFS_GENERIC, -ENOSPC, RWF_UNCACHED },
};

static void wb_error_param_desc(const struct wb_error_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}
KUNIT_ARRAY_PARAM(wb_error, wb_error_params, wb_error_param_desc);

/* The write returns the writeback error and keeps the range cached. */
static void writeback_error_returned(struct kunit *test)
{
	const struct wb_error_param *p = test->param_value;
	struct file *file = utfs_new_file(test, p->path);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 2 * PAGE_SIZE;

	ui->faults.wb_error = p->error;
	KUNIT_EXPECT_EQ(test, (ssize_t)p->error,
			utfs_pwrite(file, utfs_pattern_buf(test, len, 0, 1),
				    len, 0, p->flags));
	/* The data reached the page cache: the file grew, ki_pos moved. */
	KUNIT_EXPECT_EQ(test, (loff_t)len, i_size_read(file_inode(file)));
	/* Not invalidated: the only copy of the data is in the cache. */
	KUNIT_EXPECT_EQ(test, 2U, utfs_cached_folios(file, 0, len));
	utfs_expect_cache(test, file, 0, len, 1);
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.folios_written);
}

/* A later fsync() on any file of the inode reports it, once per file. */
static void later_fsync_reports_error(struct kunit *test)
{
	const struct wb_error_param *p = test->param_value;
	struct file *file = utfs_new_file(test, p->path);
	struct file *other = utfs_reopen(test, file, p->path);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = PAGE_SIZE;

	ui->faults.wb_error = p->error;
	KUNIT_EXPECT_EQ(test, (ssize_t)p->error,
			utfs_pwrite(file, utfs_pattern_buf(test, len, 0, 2),
				    len, 0, p->flags));
	ui->faults.wb_error = 0;
	KUNIT_EXPECT_EQ(test, p->error, vfs_fsync(other, 0));
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(other, 0));
	/* The writer's own file too: the write did not consume the error. */
	KUNIT_EXPECT_EQ(test, p->error, vfs_fsync(file, 0));
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
}

/*
 * Two mappings, and writeback of the second one fails: the error is
 * returned, the first mapping's data did reach the disk, and nothing is
 * dropped from the cache.
 */
static void error_in_second_mapping(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 4 * PAGE_SIZE, half = 2 * PAGE_SIZE;

	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, half, 0, 3), half);
	utfs_reset_stats(ui);
	ui->faults.wb_error = -EIO;
	ui->faults.wb_error_from = half;

	KUNIT_EXPECT_EQ(test, -EIO,
			utfs_pwrite(file, utfs_pattern_buf(test, len, 0, 4),
				    len, 0, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 2U, ui->stats.mappings);
	KUNIT_EXPECT_EQ(test, 2U, ui->stats.folios_written);
	utfs_expect_disk(test, ui, 0, half, 4);
	KUNIT_EXPECT_EQ(test, 4U, utfs_cached_folios(file, 0, len));
	utfs_expect_cache(test, file, 0, len, 4);
}

/*
 * Once the fault clears, the same write succeeds and reaches the disk.
 * The first failure is still reported, once, by fsync(): succeeding
 * later does not make the error disappear.
 */
static void retry_after_fault_clears(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 2 * PAGE_SIZE;
	void *buf = utfs_pattern_buf(test, len, 0, 5);

	ui->faults.wb_error = -EIO;
	KUNIT_EXPECT_EQ(test, -EIO, utfs_pwrite(file, buf, len, 0,
						RWF_UNCACHED));
	ui->faults.wb_error = 0;
	KUNIT_EXPECT_EQ(test, (ssize_t)len, utfs_pwrite(file, buf, len, 0,
							RWF_UNCACHED));
	utfs_expect_disk(test, ui, 0, len, 5);
	KUNIT_EXPECT_EQ(test, 2U, ui->stats.folios_written);
	KUNIT_EXPECT_EQ(test, -EIO, vfs_fsync(file, 0));
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
}

/* Waiting for writeback would block: NOWAIT uncached writes get -EAGAIN. */
static void uncached_nowait_write_eagain(struct kunit *test)
{
	enum utfs_path paths[] = { UTFS_IOMAP, UTFS_GENERIC };
	char buf[16] = {};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		struct file *file = utfs_new_file(test, paths[i]);

		file->f_mode |= FMODE_NOWAIT;
		KUNIT_EXPECT_EQ_MSG(test, -EAGAIN,
				    utfs_pwrite(file, buf, sizeof(buf), 0,
						RWF_UNCACHED | RWF_NOWAIT),
				    "path %u", i);
		KUNIT_EXPECT_EQ(test, 0, i_size_read(file_inode(file)));
		KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	}
}

/*
 * Writeback completes later and fails (as a device's does: the error only
 * reaches the mapping), and another file's fsync() consumes the error, and
 * clears AS_EIO, between the write's writeback and its check: the write
 * still fails, keeps the range cached, and the writer's own fsync()
 * reports the error too.
 */
static void error_seen_by_other_fsync_still_fails(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_file(test, *path);
	struct file *other = utfs_reopen(test, file, *path);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 2 * PAGE_SIZE;

	ui->faults.async_writeback = true;
	ui->faults.wb_error = -EIO;
	ui->faults.fsync_after_writeback = other;
	KUNIT_EXPECT_EQ(test, (ssize_t)-EIO,
			utfs_pwrite(file, utfs_pattern_buf(test, len, 0, 6),
				    len, 0, RWF_UNCACHED));
	ui->faults.fsync_after_writeback = NULL;
	ui->faults.wb_error = 0;
	/* The other file's fsync() did see the error first. */
	KUNIT_EXPECT_EQ(test, 1U, ui->stats.errors_consumed);
	KUNIT_EXPECT_EQ(test, 2U, utfs_cached_folios(file, 0, len));
	utfs_expect_cache(test, file, 0, len, 6);
	KUNIT_EXPECT_EQ(test, -EIO, vfs_fsync(file, 0));
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(other, 0));
}

/* An error an fsync() already reported does not fail a later clean write. */
static void reported_error_does_not_fail_clean_write(struct kunit *test)
{
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);

	ui->faults.wb_error = -EIO;
	KUNIT_ASSERT_EQ(test, (ssize_t)PAGE_SIZE,
			utfs_pwrite(file, utfs_pattern_buf(test, PAGE_SIZE, 0, 7),
				    PAGE_SIZE, 0, 0));
	KUNIT_ASSERT_EQ(test, -EIO, vfs_fsync(file, 0));
	ui->faults.wb_error = 0;

	KUNIT_EXPECT_EQ(test, (ssize_t)PAGE_SIZE,
			utfs_pwrite(file,
				    utfs_pattern_buf(test, PAGE_SIZE, PAGE_SIZE, 8),
				    PAGE_SIZE, PAGE_SIZE, RWF_UNCACHED));
	utfs_expect_disk(test, ui, PAGE_SIZE, PAGE_SIZE, 8);
	KUNIT_EXPECT_EQ(test, 0U, utfs_cached_folios(file, PAGE_SIZE,
						     PAGE_SIZE));
}

/* After a writeback error the file position is past the data copied. */
static void failed_write_moves_pos_by_copied(struct kunit *test)
{
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 3 * PAGE_SIZE;
	loff_t pos = 100;

	ui->faults.wb_error = -EIO;
	KUNIT_EXPECT_EQ(test, (ssize_t)-EIO,
			utfs_pwrite_pos(file, utfs_pattern_buf(test, len, pos, 9),
					len, &pos, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 100 + (loff_t)len, pos);
	KUNIT_EXPECT_EQ(test, 100 + (loff_t)len, i_size_read(file_inode(file)));
}

/*
 * O_DIRECT that falls back to buffered I/O for the rest of the write:
 * direct_write_fallback() writes back and drops the buffered part, and on
 * a writeback error reports the direct part only, with the position after
 * it.  RWF_UNCACHED changes none of that.
 */
static void direct_write_fallback_unchanged(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_GENERIC);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 4 * PAGE_SIZE;
	loff_t pos = 0;

	/* As opening with O_DIRECT would. */
	file->f_flags |= O_DIRECT;
	file->f_iocb_flags |= IOCB_DIRECT;
	ui->faults.direct_bytes = PAGE_SIZE;
	ui->faults.wb_error = -EIO;
	ui->faults.wb_error_from = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, (ssize_t)PAGE_SIZE,
			utfs_pwrite_pos(file, utfs_pattern_buf(test, len, 0, 10),
					len, &pos, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, (loff_t)PAGE_SIZE, pos);

	ui->faults.wb_error = 0;
	pos = 0;
	KUNIT_EXPECT_EQ(test, (ssize_t)len,
			utfs_pwrite_pos(file, utfs_pattern_buf(test, len, 0, 11),
					len, &pos, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, (loff_t)len, pos);
	utfs_expect_disk(test, ui, 0, len, 11);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
}

/*
 * Writeback that ends later, from a worker, as a real device's does: the
 * write waits for it, so it sees the error, and keeps the range cached.
 */
static void async_writeback_error_waited_for(struct kunit *test)
{
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 2 * PAGE_SIZE;

	ui->faults.async_writeback = true;
	ui->faults.wb_error = -EIO;
	KUNIT_EXPECT_EQ(test, (ssize_t)-EIO,
			utfs_pwrite(file, utfs_pattern_buf(test, len, 0, 12),
				    len, 0, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 2U, utfs_cached_folios(file, 0, len));
	utfs_expect_cache(test, file, 0, len, 12);

	ui->faults.wb_error = 0;
	KUNIT_EXPECT_EQ(test, (ssize_t)len,
			utfs_pwrite(file, utfs_pattern_buf(test, len, 0, 13),
				    len, 0, RWF_UNCACHED));
	utfs_expect_disk(test, ui, 0, len, 13);
}

/*
 * Writeback puts a folio back dirty (the filesystem could not write it
 * now): it is not dropped, its data is not lost, a later fsync() writes it.
 */
static void redirtied_folio_kept(struct kunit *test)
{
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 2 * PAGE_SIZE;

	ui->faults.redirty = 1;
	KUNIT_EXPECT_EQ(test, (ssize_t)len,
			utfs_pwrite(file, utfs_pattern_buf(test, len, 0, 14),
				    len, 0, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 1U, utfs_cached_folios(file, 0, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0U, utfs_cached_folios(file, PAGE_SIZE,
						     PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, mapping_tagged(file->f_mapping,
					       PAGECACHE_TAG_DIRTY));
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
	utfs_expect_disk(test, ui, 0, len, 14);
}

static struct kunit_case uncached_wb_error_cases[] = {
	KUNIT_CASE_PARAM(error_seen_by_other_fsync_still_fails,
			 utfs_paths_gen_params),
	KUNIT_CASE_PARAM(reported_error_does_not_fail_clean_write,
			 utfs_paths_gen_params),
	KUNIT_CASE_PARAM(failed_write_moves_pos_by_copied,
			 utfs_paths_gen_params),
	KUNIT_CASE(direct_write_fallback_unchanged),
	KUNIT_CASE_PARAM(async_writeback_error_waited_for,
			 utfs_paths_gen_params),
	KUNIT_CASE_PARAM(redirtied_folio_kept, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(writeback_error_returned, wb_error_gen_params),
	KUNIT_CASE_PARAM(later_fsync_reports_error, wb_error_gen_params),
	KUNIT_CASE(error_in_second_mapping),
	KUNIT_CASE(retry_after_fault_clears),
	KUNIT_CASE(uncached_nowait_write_eagain),
	{}
};

static struct kunit_suite uncached_wb_error_suite = {
	.name = "uncached_writeback_error",
	.test_cases = uncached_wb_error_cases,
};
kunit_test_suite(uncached_wb_error_suite);
