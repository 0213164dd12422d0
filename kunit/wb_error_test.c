// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_writeback_error: when the writeback of an uncached write fails,
 * the write returns the error (as an O_DSYNC write returns its sync's
 * error) and so reports it to its file, the error stays visible to a
 * later fsync() on any other file of the inode (errseq), and the range
 * is not dropped from the page cache.
 */
#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/workqueue.h>
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
			utfs_pwrite_pattern(test, file, 0, len, 1, p->flags));
	/* The data reached the page cache: the file grew, ki_pos moved. */
	KUNIT_EXPECT_EQ(test, (loff_t)len, i_size_read(file_inode(file)));
	/* Not invalidated: the only copy of the data is in the cache. */
	KUNIT_EXPECT_EQ(test, 2U, utfs_cached_folios(file, 0, len));
	utfs_expect_cache(test, file, 0, len, 1);
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.folios_written);
	/*
	 * Nor marked for a later uncached read to drop: the chunk is the
	 * write's, cached as [E1] says.
	 */
	KUNIT_EXPECT_EQ(test, 0U, utfs_marked_folios(file, 0, len));
	KUNIT_EXPECT_EQ(test, (ssize_t)len,
			utfs_pread(file, utfs_kvzalloc(test, len), len, 0,
				   RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 2U, utfs_cached_folios(file, 0, len));
}

/*
 * A later fsync() on another file of the inode reports it, once; the
 * writer's own file has seen it, as after an O_DSYNC write.
 */
static void later_fsync_reports_error(struct kunit *test)
{
	const struct wb_error_param *p = test->param_value;
	struct file *file = utfs_new_file(test, p->path);
	struct file *other = utfs_reopen(test, file, p->path);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = PAGE_SIZE;

	ui->faults.wb_error = p->error;
	KUNIT_EXPECT_EQ(test, (ssize_t)p->error,
			utfs_pwrite_pattern(test, file, 0, len, 2, p->flags));
	ui->faults.wb_error = 0;
	KUNIT_EXPECT_EQ(test, p->error, vfs_fsync(other, 0));
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(other, 0));
	/* The write reported it to its own file. */
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
}

/*
 * The program retries the write that failed, with RWF_DSYNC, and the
 * retry's data reaches the disk: the retry succeeds, since the first
 * write reported the error to the file (its generic_write_sync() would
 * report it a second time otherwise).  fsync() of the same file reports
 * nothing; another file open before the error reports it, once.
 */
static void dsync_retry_reports_once(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_file(test, *path);
	struct file *other = utfs_reopen(test, file, *path);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 2 * PAGE_SIZE;

	ui->faults.wb_error = -EIO;
	KUNIT_EXPECT_EQ(test, (ssize_t)-EIO,
			utfs_pwrite_pattern(test, file, 0, len, 9, RWF_UNCACHED));
	ui->faults.wb_error = 0;
	KUNIT_EXPECT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 9,
					    RWF_UNCACHED | RWF_DSYNC));
	utfs_expect_disk(test, ui, 0, len, 9);
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
	KUNIT_EXPECT_EQ(test, -EIO, vfs_fsync(other, 0));
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(other, 0));
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
			utfs_pwrite_pattern(test, file, 0, len, 4, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 2U, ui->stats.mappings);
	KUNIT_EXPECT_EQ(test, 2U, ui->stats.folios_written);
	utfs_expect_disk(test, ui, 0, half, 4);
	KUNIT_EXPECT_EQ(test, 4U, utfs_cached_folios(file, 0, len));
	utfs_expect_cache(test, file, 0, len, 4);
}

/*
 * Once the fault clears, the same write succeeds and reaches the disk.
 * The first failure is still reported, once, by fsync() of another file:
 * succeeding later does not make the error disappear.
 */
static void retry_after_fault_clears(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct file *other = utfs_reopen(test, file, UTFS_IOMAP);
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
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
	KUNIT_EXPECT_EQ(test, -EIO, vfs_fsync(other, 0));
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(other, 0));
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
 * still fails and keeps the range cached; it reported the error to its
 * own file, whose fsync() reports nothing more.
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
			utfs_pwrite_pattern(test, file, 0, len, 6, RWF_UNCACHED));
	ui->faults.fsync_after_writeback = NULL;
	ui->faults.wb_error = 0;
	/* The other file's fsync() did see the error first. */
	KUNIT_EXPECT_EQ(test, 1U, ui->stats.errors_consumed);
	KUNIT_EXPECT_EQ(test, 2U, utfs_cached_folios(file, 0, len));
	utfs_expect_cache(test, file, 0, len, 6);
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(other, 0));
}

/* An error an fsync() already reported does not fail a later clean write. */
static void reported_error_does_not_fail_clean_write(struct kunit *test)
{
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);

	ui->faults.wb_error = -EIO;
	KUNIT_ASSERT_EQ(test, (ssize_t)PAGE_SIZE,
			utfs_pwrite_pattern(test, file, 0, PAGE_SIZE, 7, 0));
	KUNIT_ASSERT_EQ(test, -EIO, vfs_fsync(file, 0));
	ui->faults.wb_error = 0;

	KUNIT_EXPECT_EQ(test, (ssize_t)PAGE_SIZE,
			utfs_pwrite_pattern(test, file, PAGE_SIZE, PAGE_SIZE, 8, RWF_UNCACHED));
	utfs_expect_disk(test, ui, PAGE_SIZE, PAGE_SIZE, 8);
	KUNIT_EXPECT_EQ(test, 0U, utfs_cached_folios(file, PAGE_SIZE,
						     PAGE_SIZE));
}

/*
 * After a writeback error ki_pos is past the data copied (and the file
 * grew), as after an O_DSYNC write whose sync failed; the position that
 * write(2) stores (kernel_write()'s, by the same rule) does not move,
 * since the VFS stores it only for a result that is not negative.
 */
static void failed_write_ki_pos_past_copied(struct kunit *test)
{
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 3 * PAGE_SIZE;
	void *buf = utfs_pattern_buf(test, len, 100, 9);
	loff_t pos = 100;

	ui->faults.wb_error = -EIO;
	KUNIT_EXPECT_EQ(test, (ssize_t)-EIO,
			utfs_pwrite_pos(file, buf, len, &pos, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 100 + (loff_t)len, pos);
	KUNIT_EXPECT_EQ(test, 100 + (loff_t)len, i_size_read(file_inode(file)));

	/* write(2) takes no flags: put this one on the file's iocbs. */
	file->f_iocb_flags |= IOCB_UNCACHED;
	pos = 100;
	KUNIT_EXPECT_EQ(test, (ssize_t)-EIO, kernel_write(file, buf, len, &pos));
	KUNIT_EXPECT_EQ(test, (loff_t)100, pos);
	file->f_iocb_flags &= ~IOCB_UNCACHED;
}

struct direct_param {
	const char *name;
	enum utfs_path path;
	size_t direct_bytes;	/* written directly; the rest falls back */
	bool wb_error;		/* writeback of the buffered part fails */
};

#define DIRECT_LEN	(4 * PAGE_SIZE)

static const struct direct_param direct_params[] = {
	{ "iomap_whole_fallback", UTFS_IOMAP, 0, false },
	{ "iomap_whole_fallback_wb_error", UTFS_IOMAP, 0, true },
	{ "iomap_partial_fallback", UTFS_IOMAP, PAGE_SIZE, false },
	{ "iomap_partial_fallback_wb_error", UTFS_IOMAP, PAGE_SIZE, true },
	{ "iomap_all_direct", UTFS_IOMAP, DIRECT_LEN, false },
	{ "generic_whole_fallback", UTFS_GENERIC, 0, false },
	{ "generic_whole_fallback_wb_error", UTFS_GENERIC, 0, true },
	{ "generic_partial_fallback", UTFS_GENERIC, PAGE_SIZE, false },
	{ "generic_partial_fallback_wb_error", UTFS_GENERIC, PAGE_SIZE, true },
};

static void direct_desc(const struct direct_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(direct, direct_params, direct_desc);

/*
 * An O_DIRECT | RWF_UNCACHED write whose rest, or whole, falls back to
 * buffered I/O: the whole write as XFS falls back (-ENOTBLK), the rest of
 * a short direct write through direct_write_fallback(), on both paths.
 * Nothing of it stays dirty in the page cache; when it succeeds nothing
 * of it stays cached at all.  A writeback error in the buffered part:
 * the bytes written directly, with the position after them, or the error
 * if there were none.
 */
static void direct_uncached_never_dirty(struct kunit *test)
{
	const struct direct_param *p = test->param_value;
	struct file *file = utfs_new_file(test, p->path);
	struct utfs_inode *ui = utfs_file_inode(file);
	loff_t pos = 0;
	ssize_t want;

	/* As opening with O_DIRECT would. */
	file->f_flags |= O_DIRECT;
	file->f_iocb_flags |= IOCB_DIRECT;
	ui->faults.direct_bytes = p->direct_bytes;
	if (p->wb_error)
		ui->faults.wb_error = -EIO;
	want = !p->wb_error ? DIRECT_LEN :
	       p->direct_bytes ? (ssize_t)p->direct_bytes : -EIO;
	KUNIT_EXPECT_EQ(test, want,
			utfs_pwrite_pos(file,
					utfs_pattern_buf(test, DIRECT_LEN, 0, 10),
					DIRECT_LEN, &pos, RWF_UNCACHED));
	if (want > 0)
		KUNIT_EXPECT_EQ(test, (loff_t)want, pos);
	KUNIT_EXPECT_FALSE(test, mapping_tagged(file->f_mapping,
						PAGECACHE_TAG_DIRTY));
	KUNIT_EXPECT_FALSE(test, mapping_tagged(file->f_mapping,
						PAGECACHE_TAG_WRITEBACK));
	utfs_expect_settled(test, file, "after the write");
	if (p->wb_error) {
		ui->faults.wb_error = 0;
		/*
		 * [E1] XFS's whole fallback is an uncached write, which
		 * reported the error to its file; [O1] the error of
		 * direct_write_fallback() is O_DIRECT's, which does not.
		 */
		KUNIT_EXPECT_EQ(test, p->path == UTFS_IOMAP && !p->direct_bytes ? 0 : -EIO,
				vfs_fsync(file, 0));
		return;
	}
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	utfs_expect_disk(test, ui, 0, DIRECT_LEN, 10);
}

/*
 * Without RWF_UNCACHED nothing changes: XFS's buffered fallback of an
 * O_DIRECT write leaves it dirty in the page cache, as before.
 */
static void direct_plain_fallback_unchanged(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);

	file->f_flags |= O_DIRECT;
	file->f_iocb_flags |= IOCB_DIRECT;
	KUNIT_EXPECT_EQ(test, (ssize_t)DIRECT_LEN,
			utfs_pwrite_pattern(test, file, 0, DIRECT_LEN, 11, 0));
	KUNIT_EXPECT_EQ(test, DIRECT_LEN / PAGE_SIZE, file->f_mapping->nrpages);
	KUNIT_EXPECT_TRUE(test, mapping_tagged(file->f_mapping,
					       PAGECACHE_TAG_DIRTY));
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
			utfs_pwrite_pattern(test, file, 0, len, 12, RWF_UNCACHED));
	UTFS_ASSERT_NOT_FORCED(test);
	KUNIT_EXPECT_EQ(test, 2U, utfs_cached_folios(file, 0, len));
	utfs_expect_cache(test, file, 0, len, 12);

	ui->faults.wb_error = 0;
	KUNIT_EXPECT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 13, RWF_UNCACHED));
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
			utfs_pwrite_pattern(test, file, 0, len, 14, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 1U, utfs_cached_folios(file, 0, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0U, utfs_cached_folios(file, PAGE_SIZE,
						     PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, mapping_tagged(file->f_mapping,
					       PAGECACHE_TAG_DIRTY));
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
	utfs_expect_disk(test, ui, 0, len, 14);
}

/*
 * A device refuses a folio's writeback at once (->writepages returns
 * -EIO) while the writeback of the folio before it is still in flight:
 * the write returns the error without waiting for that writeback, as
 * filemap_write_and_wait_range() does, for an -EIO may mean the rest never
 * completes; the range stays cached.  A watchdog lets the held writeback
 * go after 10 s: a write that waited for it is caught by that.
 */
struct wb_watchdog {
	struct delayed_work work;
	struct utfs_inode *ui;
	bool fired;
};

static void wb_watchdog_fire(struct work_struct *work)
{
	struct wb_watchdog *w = container_of(to_delayed_work(work),
					     struct wb_watchdog, work);

	WRITE_ONCE(w->fired, true);
	utfs_release_writeback(w->ui, ULONG_MAX);
}

static void wb_watchdog_cancel(void *w)
{
	cancel_delayed_work_sync(&((struct wb_watchdog *)w)->work);
}

static void eio_without_waiting(struct kunit *test, size_t first,
				size_t len)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_sized_file(test, *path, len);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct wb_watchdog *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	ssize_t ret;

	KUNIT_ASSERT_NOT_NULL(test, w);
	utfs_hold_writeback(test, ui);
	ui->faults.wb_error = -EIO;
	ui->faults.wb_error_from = PAGE_SIZE;
	ui->faults.wb_error_sync = true;
	w->ui = ui;
	INIT_DELAYED_WORK(&w->work, wb_watchdog_fire);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, wb_watchdog_cancel, w));
	schedule_delayed_work(&w->work, 10 * HZ);

	ret = utfs_pwrite_pattern(test, file, 0, len, 15, RWF_UNCACHED);
	KUNIT_EXPECT_TRUE_MSG(test, mapping_tagged(file->f_mapping,
						   PAGECACHE_TAG_WRITEBACK),
			      "the first folio's writeback ended before the write returned");
	wb_watchdog_cancel(w);
	KUNIT_EXPECT_FALSE_MSG(test, READ_ONCE(w->fired),
			       "the write waited for writeback after -EIO");
	KUNIT_EXPECT_EQ(test, (ssize_t)-EIO, ret);
	UTFS_ASSERT_NOT_FORCED(test);

	utfs_release_writeback(ui, ULONG_MAX);
	filemap_fdatawait_keep_errors(file->f_mapping);
	KUNIT_EXPECT_EQ(test, (unsigned int)(first >> PAGE_SHIFT),
			utfs_cached_folios(file, 0, len));
	utfs_expect_disk(test, ui, 0, PAGE_SIZE, 15);
}

/* The write's only chunk, whose writeback is left till after the lock. */
static void eio_returned_without_waiting(struct kunit *test)
{
	eio_without_waiting(test, 2 * PAGE_SIZE, 2 * PAGE_SIZE);
}

/*
 * The first of two chunks, written back under the lock: the write stops
 * there with the error, and the second chunk is never copied.
 */
static void eio_in_first_chunk_returned_without_waiting(struct kunit *test)
{
	eio_without_waiting(test, UNCACHED_WRITE_CHUNK,
			    UNCACHED_WRITE_CHUNK + PAGE_SIZE);
}

static struct kunit_case uncached_wb_error_cases[] = {
	KUNIT_CASE_PARAM(error_seen_by_other_fsync_still_fails,
			 utfs_paths_gen_params),
	KUNIT_CASE_PARAM(reported_error_does_not_fail_clean_write,
			 utfs_paths_gen_params),
	KUNIT_CASE_PARAM(failed_write_ki_pos_past_copied,
			 utfs_paths_gen_params),
	KUNIT_CASE_PARAM(direct_uncached_never_dirty, direct_gen_params),
	KUNIT_CASE(direct_plain_fallback_unchanged),
	KUNIT_CASE_PARAM(async_writeback_error_waited_for,
			 utfs_paths_gen_params),
	KUNIT_CASE_PARAM(redirtied_folio_kept, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(eio_returned_without_waiting, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(eio_in_first_chunk_returned_without_waiting,
			 utfs_paths_gen_params),
	KUNIT_CASE_PARAM(dsync_retry_reports_once, utfs_paths_gen_params),
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
	UTFS_SUITE_OPS,
};

kunit_test_suite(uncached_wb_error_suite);
