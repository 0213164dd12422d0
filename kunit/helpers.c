// SPDX-License-Identifier: GPL-2.0
/*
 * What only the tests use of uncached_testfs: the event log and counters
 * read back, data patterns and expectations on the disk and the page
 * cache, I/O helpers, parameters, and the forced failure.  It builds on
 * the filesystem (testfs.c), which uses nothing of it.
 *
 * Whatever a helper starts or changes for a case (a buffer, held
 * writeback, asynchronous writeback) is undone by a KUnit action that it
 * registers right after the thing exists: a case that fails at any
 * assertion leaves nothing behind (tools/rules/kunit-actions.py).
 */
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/uio.h>

#include "testfs.h"

unsigned int utfs_count_events(struct utfs_inode *ui,
			       enum utfs_event_type type)
{
	unsigned int i, n = 0;

	for (i = 0; i < ui->nr_events; i++)
		n += ui->events[i].type == type;
	return n;
}

const struct utfs_event *utfs_find_event(struct utfs_inode *ui,
					 enum utfs_event_type type,
					 unsigned int nth)
{
	unsigned int i;

	for (i = 0; i < ui->nr_events; i++)
		if (ui->events[i].type == type && !nth--)
			return &ui->events[i];
	return NULL;
}

void utfs_reset_stats(struct utfs_inode *ui)
{
	spin_lock(&ui->lock);
	memset(&ui->stats, 0, sizeof(ui->stats));
	ui->nr_events = 0;
	spin_unlock(&ui->lock);
}

void utfs_fill_disk(struct utfs_inode *ui, loff_t pos, const void *buf,
		    size_t len)
{
	memcpy(ui->disk + pos, buf, len);
	utfs_set_extent(ui, pos >> PAGE_SHIFT,
			DIV_ROUND_UP(pos + len, PAGE_SIZE) - (pos >> PAGE_SHIFT),
			UTFS_WRITTEN);
	if (pos + len > i_size_read(&ui->vfs_inode))
		i_size_write(&ui->vfs_inode, pos + len);
}

void utfs_pattern(void *buf, size_t len, loff_t pos, u8 seed)
{
	u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (u8)((pos + i) * 7 + ((pos + i) >> PAGE_SHIFT) + seed);
}

/*
 * uncached_kunit.force_fail=1: the assertion each suite names with
 * UTFS_ASSERT_NOT_FORCED() fails, to show what a failing case leaves.
 */
bool utfs_force_fail;
module_param_named(force_fail, utfs_force_fail, bool, 0444);
MODULE_PARM_DESC(force_fail, "make one assertion of every suite fail");

static void utfs_kvfree(void *buf)
{
	kvfree(buf);
}

static void *utfs_kvmalloc(struct kunit *test, size_t len, gfp_t gfp)
{
	void *buf = kvmalloc(len, gfp);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, utfs_kvfree, buf));
	return buf;
}

/**
 * utfs_kvzalloc() - A zeroed buffer that lives until the case ends.
 * @test: the case
 * @len: its size; kvmalloc(): a write of several chunks needs more than
 *	kmalloc gives
 *
 * Return: the buffer; the case fails at once if there is no memory.
 */
void *utfs_kvzalloc(struct kunit *test, size_t len)
{
	return utfs_kvmalloc(test, len, GFP_KERNEL | __GFP_ZERO);
}

void *utfs_pattern_buf(struct kunit *test, size_t len, loff_t pos, u8 seed)
{
	void *buf = utfs_kvmalloc(test, len, GFP_KERNEL);

	utfs_pattern(buf, len, pos, seed);
	return buf;
}

/**
 * utfs_pwrite_pattern() - Write utfs_pattern() to a file.
 * @test: the case, whose buffer holds the pattern
 * @file: the file
 * @pos: where, in the file and in the pattern
 * @len: how much
 * @seed: the pattern's seed
 * @flags: RWF_* flags of the write
 *
 * Return: what the write returned.
 */
ssize_t utfs_pwrite_pattern(struct kunit *test, struct file *file,
			    loff_t pos, size_t len, u8 seed, rwf_t flags)
{
	return utfs_pwrite(file, utfs_pattern_buf(test, len, pos, seed), len,
			   pos, flags);
}

void utfs_expect_disk(struct kunit *test, struct utfs_inode *ui, loff_t pos,
		      size_t len, u8 seed)
{
	u8 *want = utfs_pattern_buf(test, len, pos, seed);
	size_t i;

	/* The first difference, rather than a hex dump of megabytes. */
	for (i = 0; i < len && ui->disk[pos + i] == want[i]; i++)
		;
	KUNIT_EXPECT_EQ_MSG(test, len, i,
			    "disk at %lld, %zu bytes: differs at %lld", pos,
			    len, pos + i);
}

void utfs_expect_cache(struct kunit *test, struct file *file, loff_t pos,
		       size_t len, u8 seed)
{
	u8 *want = utfs_pattern_buf(test, len, pos, seed);
	u8 *got = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	loff_t off, end = pos + len;

	KUNIT_ASSERT_NOT_NULL(test, got);
	/* Page by page, from pos: the first and last may be partial. */
	for (off = pos; off < end; off = (off | (PAGE_SIZE - 1)) + 1) {
		size_t n = min_t(loff_t, end - off,
				 PAGE_SIZE - offset_in_page(off));
		struct folio *folio = filemap_get_folio(file->f_mapping,
							off >> PAGE_SHIFT);

		if (IS_ERR(folio)) {
			KUNIT_FAIL(test, "folio at %lld not cached", off);
			continue;
		}
		KUNIT_EXPECT_TRUE_MSG(test, folio_test_uptodate(folio),
				      "folio at %lld not uptodate", off);
		memcpy_from_folio(got, folio, offset_in_folio(folio, off), n);
		KUNIT_EXPECT_MEMEQ_MSG(test, got, want + (off - pos), n,
				       "cached folio at %lld", off);
		folio_put(folio);
	}
}

/*
 * @ui is the file's, not taken from @folio->mapping: a folio that a broken
 * design drops meanwhile has none, and fails the count instead.
 */
static long utfs_settled_refs(struct utfs_inode *ui, struct folio *folio)
{
	unsigned int i, tracked = 0;

	/* faults.track_folios: the filesystem's own. */
	for (i = 0; i < ui->nr_tracked; i++)
		tracked += ui->tracked[i] == folio;
	return folio_nr_pages(folio) + folio_mapcount(folio) +
	       folio_test_private(folio) + tracked + 1;
}

/*
 * Wait for the reads of @file's folios still going on (the asynchronous
 * kind: an uncached read's readahead past its request, or a plain one's).
 */
void utfs_wait_reads(struct file *file)
{
	struct utfs_inode *ui = utfs_file_inode(file);
	pgoff_t index;

	for (index = 0; index < ui->nr_blocks; index++) {
		struct folio *folio = filemap_get_folio(file->f_mapping, index);

		if (IS_ERR(folio))
			continue;
		folio_wait_locked(folio);
		index = folio_next_index(folio) - 1;
		folio_put(folio);
	}
}

void utfs_expect_settled(struct kunit *test, struct file *file,
			 const char *what)
{
	struct address_space *mapping = file->f_mapping;
	struct utfs_inode *ui = utfs_file_inode(file);
	unsigned long nrpages = 0;
	unsigned int tries;
	pgoff_t index;

	lru_add_drain_all();	/* the LRU add batches, of every CPU, hold references */
	for (index = 0; index < ui->nr_blocks; index++) {
		struct folio *folio = filemap_get_folio(mapping, index);

		if (IS_ERR(folio))
			continue;
		/* A large folio once, at its first index. */
		index = folio->index;
		nrpages += folio_nr_pages(folio);
		KUNIT_EXPECT_FALSE_MSG(test, folio_test_locked(folio),
				       "%s, folio %lu locked", what, index);
		KUNIT_EXPECT_FALSE_MSG(test, folio_test_writeback(folio),
				       "%s, folio %lu under writeback", what,
				       index);
		/*
		 * The page cache's references, its mappings', the one
		 * folio_attach_private() takes (iomap's per-block state of
		 * a large folio), and ours.  With several CPUs another
		 * may hold one for a moment (the flusher's batch, a worker
		 * that just ended the folio's I/O): settled means it lets
		 * go within a tenth of a second.
		 */
		for (tries = 0; tries < 20 && folio_ref_count(folio) !=
		     utfs_settled_refs(ui, folio); tries++) {
			usleep_range(5000, 6000);
			lru_add_drain_all();
		}
		KUNIT_EXPECT_EQ_MSG(test, utfs_settled_refs(ui, folio),
				    (long)folio_ref_count(folio),
				    "%s, folio %lu references", what, index);
		index = folio_next_index(folio) - 1;
		folio_put(folio);
	}
	KUNIT_EXPECT_EQ_MSG(test, nrpages, mapping->nrpages,
			    "%s: page count of the mapping", what);
	KUNIT_EXPECT_EQ_MSG(test, 0U, ui->stats.wb_orphans,
			    "%s: folios dropped from the page cache under writeback",
			    what);
}

static const enum utfs_path utfs_both_paths[] = { UTFS_IOMAP, UTFS_GENERIC };

static void utfs_path_desc(const enum utfs_path *path, char *desc)
{
	strscpy(desc, *path == UTFS_IOMAP ? "iomap" : "generic",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(utfs_path, utfs_both_paths, utfs_path_desc);

const void *utfs_paths_gen_params(const void *prev, char *desc)
{
	return utfs_path_gen_params(prev, desc);
}

struct file *utfs_new_param_file(struct kunit *test)
{
	return utfs_new_file(test, *(const enum utfs_path *)test->param_value);
}

ssize_t utfs_pwrite(struct file *file, const void *buf, size_t len,
		    loff_t pos, rwf_t flags)
{
	return utfs_pwrite_pos(file, buf, len, &pos, flags);
}

ssize_t utfs_pwrite_pos(struct file *file, const void *buf, size_t len,
			loff_t *pos, rwf_t flags)
{
	struct kvec kv = { .iov_base = (void *)buf, .iov_len = len };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_SOURCE, &kv, 1, len);
	return vfs_iter_write(file, &iter, pos, flags);
}

ssize_t utfs_pread(struct file *file, void *buf, size_t len, loff_t pos,
		   rwf_t flags)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_DEST, &kv, 1, len);
	return vfs_iter_read(file, &iter, &pos, flags);
}

void utfs_cache_range(struct kunit *test, struct file *file, loff_t pos,
		      size_t len)
{
	pgoff_t index, last = (pos + len - 1) >> PAGE_SHIFT;

	/* One folio at a time, no readahead beyond the range. */
	for (index = pos >> PAGE_SHIFT; index <= last; index++) {
		struct folio *folio = read_mapping_folio(file->f_mapping,
							 index, file);

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, folio);
		folio_put(folio);
	}
	KUNIT_ASSERT_EQ(test, last - (pos >> PAGE_SHIFT) + 1,
			utfs_cached_folios(file, pos, len));
}

static void utfs_release_all_writeback(void *ui)
{
	utfs_release_writeback(ui, ULONG_MAX);
}

/**
 * utfs_hold_writeback() - Hold the file's writeback until released.
 * @test: the case
 * @ui: the file's inode
 *
 * Writeback ends later, from a worker, and not before
 * utfs_release_writeback() lets it.  When the case ends, however it
 * ends, all of it is let go.
 */
void utfs_hold_writeback(struct kunit *test, struct utfs_inode *ui)
{
	ui->faults.async_writeback = true;
	ui->faults.hold_writeback = true;
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test,
						  utfs_release_all_writeback,
						  ui));
}

#define UTFS_WAIT_MS	2000

bool utfs_wait_for(unsigned int *counter, unsigned int n)
{
	unsigned int ms;

	for (ms = 0; READ_ONCE(*counter) < n; ms++) {
		if (ms == UTFS_WAIT_MS)
			return false;
		usleep_range(1000, 2000);
	}
	return true;
}

bool utfs_wait_uptodate(struct file *file, pgoff_t end)
{
	pgoff_t index = 0;
	unsigned int ms = 0;

	while (index < end) {
		struct folio *folio = filemap_get_folio(file->f_mapping, index);
		/*
		 * Read and unlocked (its reader is no longer waiting for it),
		 * or gone: dropped by the uncached read that copied it.
		 */
		bool ready = IS_ERR(folio) || (folio_test_uptodate(folio) &&
					       !folio_test_locked(folio));

		if (!IS_ERR(folio))
			folio_put(folio);
		if (ready) {
			index++;
			continue;
		}
		if (ms++ == UTFS_WAIT_MS)
			return false;
		usleep_range(1000, 2000);
	}
	return true;
}

bool utfs_wait_sleeping(struct task_struct *task)
{
	unsigned int ms;

	for (ms = 0; task_is_running(task); ms++) {
		if (ms == UTFS_WAIT_MS)
			return false;
		usleep_range(1000, 2000);
	}
	/* And still, a moment later: not between two sleeps. */
	usleep_range(10000, 20000);
	return !task_is_running(task);
}

void utfs_release_reads(struct utfs_inode *ui)
{
	WRITE_ONCE(ui->faults.hold_readahead, 0);
	WRITE_ONCE(ui->faults.hold_reads, false);
	wake_up_all(&ui->wb_hold);
}

static void utfs_release_reads_action(void *ui)
{
	utfs_release_reads(ui);
}

void utfs_hold_reads(struct kunit *test, struct utfs_inode *ui, pgoff_t from,
		     pgoff_t to, unsigned int nth)
{
	ui->faults.hold_read_from = from;
	ui->faults.hold_read_to = to;
	ui->faults.hold_reads = from < to;
	ui->faults.async_read |= from < to;
	ui->faults.hold_readahead = nth;
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, utfs_release_reads_action,
						  ui));
}

static void utfs_sync_writeback(void *ui)
{
	((struct utfs_inode *)ui)->faults.async_writeback = false;
}

static void utfs_unhold_writeback(void *p)
{
	struct utfs_inode *ui = p;

	WRITE_ONCE(ui->faults.hold_writeback, false);
	WRITE_ONCE(ui->faults.wb_released, 0);
	wake_up_all(&ui->wb_hold);
}

/*
 * Start the writeback of a dirty folio; it ends later, from a worker.  It
 * is held until checked, however loaded the host: its end is a timer's.
 */
static void utfs_start_writeback(struct kunit *test, struct file *file,
				 pgoff_t index)
{
	struct utfs_inode *ui = utfs_file_inode(file);
	loff_t pos = (loff_t)index << PAGE_SHIFT;
	bool held = ui->faults.hold_writeback;
	struct folio *folio;

	/* Asynchronous for this writeback only, as the case had it after. */
	if (!ui->faults.async_writeback) {
		ui->faults.async_writeback = true;
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test,
							  utfs_sync_writeback,
							  ui));
	}
	if (!held) {
		ui->faults.hold_writeback = true;
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test,
							  utfs_unhold_writeback,
							  ui));
	}
	KUNIT_ASSERT_EQ(test, 0,
			filemap_fdatawrite_range(file->f_mapping, pos,
						 pos + PAGE_SIZE - 1));
	folio = filemap_get_folio(file->f_mapping, index);
	KUNIT_ASSERT_FALSE(test, IS_ERR(folio));
	KUNIT_EXPECT_TRUE(test, folio_test_writeback(folio));
	folio_put(folio);
	/* Let it end: a millisecond later, as any of the worker's. */
	if (!held)
		kunit_release_action(test, utfs_unhold_writeback, ui);
	kunit_release_action(test, utfs_sync_writeback, ui);
}

void utfs_precache(struct kunit *test, struct file *file, pgoff_t index,
		   enum utfs_precached state, u8 seed)
{
	loff_t pos = (loff_t)index << PAGE_SHIFT;
	struct folio *folio;

	switch (state) {
	case UTFS_CLEAN:
		utfs_cache_range(test, file, pos, PAGE_SIZE);
		break;
	case UTFS_DIRTY:
	case UTFS_UNDER_WRITEBACK:
		KUNIT_ASSERT_EQ(test, (ssize_t)PAGE_SIZE,
				utfs_pwrite_pattern(test, file, pos, PAGE_SIZE,
						    seed, 0));
		if (state == UTFS_UNDER_WRITEBACK)
			utfs_start_writeback(test, file, index);
		break;
	case UTFS_NOT_UPTODATE:
		folio = filemap_grab_folio(file->f_mapping, index);
		KUNIT_ASSERT_FALSE(test, IS_ERR(folio));
		KUNIT_EXPECT_FALSE(test, folio_test_uptodate(folio));
		folio_unlock(folio);
		folio_put(folio);
		break;
	}
}

void utfs_release_writeback(struct utfs_inode *ui, pgoff_t end)
{
	WRITE_ONCE(ui->faults.wb_released, end);
	wake_up_all(&ui->wb_hold);
}

static unsigned int count_cached(struct file *file, loff_t pos, size_t len,
				 bool marked)
{
	pgoff_t index, last = (pos + len - 1) >> PAGE_SHIFT;
	unsigned int n = 0;

	if (WARN_ON_ONCE(!len))
		return 0;
	for (index = pos >> PAGE_SHIFT; index <= last; index++) {
		struct folio *folio = filemap_get_folio(file->f_mapping, index);

		if (!IS_ERR(folio)) {
#ifdef CONFIG_UNCACHED_KUNIT_BEHAVIOUR
			n += !marked || folio_test_dropbehind(folio);
#else
			/* Before the read side's patch, nothing is marked. */
			n += !marked;
#endif
			folio_put(folio);
		}
	}
	return n;
}

unsigned int utfs_cached_folios(struct file *file, loff_t pos, size_t len)
{
	return count_cached(file, pos, len, false);
}

unsigned int utfs_marked_folios(struct file *file, loff_t pos, size_t len)
{
	return count_cached(file, pos, len, true);
}
