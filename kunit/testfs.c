// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_testfs: the filesystem the RWF_UNCACHED suites run against.
 *
 * Each inode has an extent table with one entry per PAGE_SIZE block
 * (hole, delalloc, written, unwritten), a RAM "disk" at the same offsets
 * as the file, and a validity cookie that every change of the extent
 * table bumps, as XFS bumps if_seq.  Buffered writes go through the real
 * iomap_file_buffered_write() (or generic_perform_write() for the
 * UTFS_GENERIC files), writeback copies folios to the disk, converts
 * delalloc and unwritten blocks to written, and trims the speculative
 * delalloc beyond EOF that ->iomap_begin hands out.
 *
 * It reads top-down as a filesystem: the inode and its extent table, the
 * iomap operations, the address space operations, the file operations,
 * the super block, and the mount and files the tests open.  What only the
 * tests use (reading the counters back, patterns and expectations, I/O
 * helpers) is in helpers.c, which builds on this file; the fault hooks
 * the filesystem calls (fail_nth, the lookups' injected failures) and the
 * kernel's fault injection knobs they need are here.
 */
#include <linux/backing-dev.h>
#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs_context.h>
#include <linux/highmem.h>
#include <linux/hrtimer.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <linux/writeback.h>

#include <kunit/test-bug.h>

#include "testfs.h"

/* inode and extent table */

static void utfs_log(struct utfs_inode *ui, enum utfs_event_type type,
		     loff_t pos, u64 len, enum utfs_extent_type extent)
{
	struct utfs_event *ev;

	spin_lock(&ui->lock);
	if (ui->nr_events < UTFS_MAX_EVENTS) {
		ev = &ui->events[ui->nr_events++];
		ev->type = type;
		ev->pos = pos;
		ev->len = len;
		ev->extent = extent;
	}
	spin_unlock(&ui->lock);
}

void utfs_set_extent(struct utfs_inode *ui, unsigned int first,
		     unsigned int nr, enum utfs_extent_type type)
{
	spin_lock(&ui->lock);
	memset(&ui->extent[first], type, nr);
	ui->seq++;
	spin_unlock(&ui->lock);
}

/*
 * Fill a locked, !uptodate folio from the disk (written blocks) or zeroes,
 * block by block: a large folio may span blocks of several kinds.
 */
static void utfs_fill_folio(struct utfs_inode *ui, struct folio *folio)
{
	loff_t pos = folio_pos(folio);
	size_t off;

	for (off = 0; off < folio_size(folio); off += PAGE_SIZE) {
		unsigned int blk = (pos + off) >> PAGE_SHIFT;

		if (blk < ui->nr_blocks && ui->extent[blk] == UTFS_WRITTEN)
			memcpy_to_folio(folio, off, ui->disk + pos + off,
					PAGE_SIZE);
		else
			folio_zero_range(folio, off, PAGE_SIZE);
	}
	folio_mark_uptodate(folio);
}

/* Whether reading @folio from the disk fails (faults.read_error). */
static bool utfs_read_fails(struct utfs_inode *ui, struct folio *folio)
{
	loff_t pos = folio_pos(folio), end = pos + folio_size(folio);
	struct utfs_faults *f = &ui->faults;
	bool fail;

	spin_lock(&ui->lock);
	fail = f->read_error && end > f->read_error_from &&
	       (!f->read_error_to || pos < f->read_error_to);
	if (fail)
		ui->stats.read_errors++;
	spin_unlock(&ui->lock);
	return fail;
}

/* Whether a folio of @pos is cached: seen by us, not the code under test. */
static bool utfs_is_cached(struct address_space *mapping, loff_t pos)
{
	struct folio *folio = filemap_get_folio(mapping, pos >> PAGE_SHIFT);

	if (IS_ERR(folio))
		return false;
	folio_put(folio);
	return true;
}

/* With faults.track_folios: a reference to @folio, checked at eviction. */
static void utfs_track_folio(struct utfs_inode *ui, struct folio *folio)
{
	unsigned int i;

	if (!ui->faults.track_folios)
		return;
	spin_lock(&ui->lock);
	for (i = 0; i < ui->nr_tracked && ui->tracked[i] != folio; i++)
		;
	if (i == ui->nr_tracked && i < UTFS_MAX_TRACKED) {
		folio_get(folio);
		ui->tracked[ui->nr_tracked++] = folio;
	} else if (i == ui->nr_tracked) {
		ui->tracked_overflow = true;
	}
	spin_unlock(&ui->lock);
}

/* The orders of the folios a write found cached, or brought in. */
static void utfs_note_order(struct utfs_inode *ui, struct folio *folio,
			    bool cached)
{
	unsigned int bit = BIT(folio_order(folio));

	spin_lock(&ui->lock);
	if (cached)
		ui->stats.orders_found |= bit;
	else
		ui->stats.orders_created |= bit;
	spin_unlock(&ui->lock);
	utfs_track_folio(ui, folio);
}

/*
 * At eviction, each tracked folio is out of the page cache: the reference
 * the filesystem holds must be the last (the LRU batches drained).
 */
static void utfs_put_tracked(struct kunit *test, struct utfs_inode *ui)
{
	unsigned int i, tries;

	if (test && ui->tracked_overflow)
		KUNIT_FAIL(test, "more than %d folios to track", UTFS_MAX_TRACKED);
	for (i = 0; i < ui->nr_tracked; i++) {
		struct folio *folio = ui->tracked[i];

		/* Reclaim or compaction may hold one for a moment. */
		for (tries = 0; tries < 20 && folio_ref_count(folio) != 1;
		     tries++) {
			lru_add_drain_all();
			if (folio_ref_count(folio) != 1)
				usleep_range(5000, 6000);
		}
		if (test && folio_ref_count(folio) != 1)
			KUNIT_FAIL(test, "folio %lu: %d references left after eviction, 1 expected",
				   folio->index, folio_ref_count(folio));
		folio_put(folio);
	}
	ui->nr_tracked = 0;
	ui->tracked_overflow = false;
}

/* iomap operations */

/* The page cache the write holds, sampled at each folio it reaches. */
static void utfs_sample_nrpages(struct utfs_inode *ui)
{
	unsigned long nr = READ_ONCE(ui->vfs_inode.i_mapping->nrpages);

	spin_lock(&ui->lock);
	ui->stats.max_nrpages = max(ui->stats.max_nrpages, nr);
	spin_unlock(&ui->lock);
}

static struct folio *utfs_get_folio(struct iomap_iter *iter, loff_t pos,
				    unsigned int len)
{
	struct utfs_inode *ui = UTFS_I(iter->inode);
	struct folio *folio;
	unsigned int pending;
	bool cached;

	utfs_sample_nrpages(ui);
	/* Observe the cache ourselves rather than trust the code under test. */
	cached = utfs_is_cached(iter->inode->i_mapping, pos);

	spin_lock(&ui->lock);
	if (cached)
		ui->stats.folios_found++;
	else
		ui->stats.folios_created++;
	/* Simulate a mapping change behind the writer's back. */
	if (ui->faults.bump_cookie_at &&
	    ui->stats.folios_found + ui->stats.folios_created ==
	    ui->faults.bump_cookie_at)
		ui->seq++;
	spin_unlock(&ui->lock);

	pending = utfs_lookup_begin(ui, pos);
	if (ui->faults.bypass_iomap_get_folio)
		folio = __filemap_get_folio(iter->inode->i_mapping,
					    pos >> PAGE_SHIFT, FGP_WRITEBEGIN,
					    mapping_gfp_mask(iter->inode->i_mapping));
	else
		folio = iomap_get_folio(iter, pos, len);
	utfs_lookup_end(ui, pos, pending, folio);
	if (IS_ERR(folio))
		return folio;
	utfs_note_order(ui, folio, cached);
	if (!folio_test_uptodate(folio))
		utfs_fill_folio(ui, folio);
	return folio;
}

static bool utfs_iomap_valid(struct inode *inode, const struct iomap *iomap)
{
	struct utfs_inode *ui = UTFS_I(inode);

	if (iomap->validity_cookie == READ_ONCE(ui->seq))
		return true;
	spin_lock(&ui->lock);
	ui->stats.stale++;
	spin_unlock(&ui->lock);
	utfs_log(ui, UTFS_EV_STALE, iomap->offset, iomap->length, 0);
	return false;
}

static const struct iomap_folio_ops utfs_folio_ops = {
	.get_folio	= utfs_get_folio,
	.iomap_valid	= utfs_iomap_valid,
};

/* Without ->get_folio: only writes that need no read may use it. */
static const struct iomap_folio_ops utfs_folio_ops_no_get_folio = {
	.iomap_valid	= utfs_iomap_valid,
};

static const u16 utfs_iomap_type[] = {
	[UTFS_HOLE]		= IOMAP_HOLE,
	[UTFS_DELALLOC]		= IOMAP_DELALLOC,
	[UTFS_WRITTEN]		= IOMAP_MAPPED,
	[UTFS_UNWRITTEN]	= IOMAP_UNWRITTEN,
};

/* Turn holes into delalloc for a write; returns true if any changed. */
static bool utfs_alloc_delalloc(struct utfs_inode *ui, unsigned int first,
				unsigned int last)
{
	bool changed = false;
	unsigned int b;

	for (b = first; b < last; b++) {
		if (ui->extent[b] == UTFS_HOLE) {
			ui->extent[b] = UTFS_DELALLOC;
			changed = true;
		}
	}
	return changed;
}

static int utfs_iomap_begin(struct inode *inode, loff_t pos, loff_t length,
			    unsigned int flags, struct iomap *iomap,
			    struct iomap *srcmap)
{
	struct utfs_inode *ui = UTFS_I(inode);
	unsigned int first = pos >> PAGE_SHIFT, last, b;
	enum utfs_extent_type type;
	bool new = false;

	if (ui->faults.begin_error && pos >= ui->faults.begin_error_from)
		return ui->faults.begin_error;
	if (pos >= (loff_t)ui->nr_blocks << PAGE_SHIFT)
		return -EFBIG;
	last = min_t(u64, DIV_ROUND_UP(pos + length, PAGE_SIZE),
		     ui->nr_blocks);

	spin_lock(&ui->lock);
	if (flags & IOMAP_WRITE) {
		new = utfs_alloc_delalloc(ui, first, last);
		/* Extending writes get speculative delalloc beyond EOF. */
		if (pos + length >= i_size_read(inode))
			new |= utfs_alloc_delalloc(ui, last,
					min(last + UTFS_PREALLOC_BLOCKS,
					    ui->nr_blocks));
		if (new)
			ui->seq++;
	}
	type = ui->extent[first];
	for (b = first + 1; b < last && ui->extent[b] == type; b++)
		;
	iomap->offset = (loff_t)first << PAGE_SHIFT;
	iomap->length = (u64)(b - first) << PAGE_SHIFT;
	iomap->type = utfs_iomap_type[type];
	iomap->addr = (type == UTFS_WRITTEN || type == UTFS_UNWRITTEN) ?
		      iomap->offset : IOMAP_NULL_ADDR;
	iomap->flags = new ? IOMAP_F_NEW : 0;
	iomap->validity_cookie = ui->seq;
	iomap->folio_ops = ui->faults.no_get_folio ?
			   &utfs_folio_ops_no_get_folio : &utfs_folio_ops;
	ui->stats.mappings++;
#ifdef CONFIG_UNCACHED_KUNIT_BEHAVIOUR
	if (flags & IOMAP_UNCACHED)
		ui->stats.uncached_mappings++;
#endif
	ui->lookups_in_mapping = 0;
	spin_unlock(&ui->lock);

	utfs_log(ui, UTFS_EV_BEGIN, iomap->offset, iomap->length, type);
	return 0;
}

static int utfs_iomap_end(struct inode *inode, loff_t pos, loff_t length,
			  ssize_t written, unsigned int flags,
			  struct iomap *iomap)
{
	utfs_log(UTFS_I(inode), UTFS_EV_END, pos, length, 0);
	return 0;
}

static const struct iomap_ops utfs_iomap_ops = {
	.iomap_begin	= utfs_iomap_begin,
	.iomap_end	= utfs_iomap_end,
};

/*
 * The device: I/O that completes later (faults.async_read and
 * async_writeback), as a device's does, ending in task context from a
 * worker queued by an hrtimer (the "completion interrupt"; not a delayed
 * work, so that the latency is not rounded up to UML's HZ=100 jiffies).
 * The task that waits for it sleeps meanwhile, and other threads run.
 */
#define UTFS_IO_LATENCY_MS	1

struct utfs_async_io {
	struct hrtimer timer;
	struct work_struct work;
	struct utfs_inode *ui;
	struct folio *folio;
	bool read;
	u32 crc;	/* a write's data when its writeback started */
};

static int utfs_end_write_folio(struct utfs_inode *ui, struct folio *folio);

/* Fill a folio under read, or not if its read fails, and unlock it. */
static void utfs_end_read_folio(struct utfs_inode *ui, struct folio *folio)
{
	if (!utfs_read_fails(ui, folio))
		utfs_fill_folio(ui, folio);
	folio_unlock(folio);
}

/*
 * A checksum of a folio's data, for mappings that need stable pages
 * during writeback: what writeback started with must be what it writes.
 */
static u32 utfs_folio_crc(struct folio *folio)
{
	u32 crc = 0;
	size_t off;

	for (off = 0; off < folio_size(folio); off += PAGE_SIZE) {
		void *p = kmap_local_folio(folio, off);

		crc = crc32_le(crc, p, PAGE_SIZE);
		kunmap_local(p);
	}
	return crc;
}

static void utfs_async_io_fn(struct work_struct *work)
{
	struct utfs_async_io *io = container_of(work, struct utfs_async_io, work);
	struct utfs_inode *ui = io->ui;
	struct folio *folio = io->folio;

	if (io->read) {
		if (READ_ONCE(ui->faults.hold_reads) &&
		    folio->index >= ui->faults.hold_read_from &&
		    folio->index < ui->faults.hold_read_to) {
			spin_lock(&ui->lock);
			ui->stats.reads_held++;
			spin_unlock(&ui->lock);
			wait_event(ui->wb_hold, !READ_ONCE(ui->faults.hold_reads));
		}
		utfs_end_read_folio(ui, folio);
	} else {
		wait_event(ui->wb_hold, !READ_ONCE(ui->faults.hold_writeback) ||
			   folio->index < READ_ONCE(ui->faults.wb_released));
		/* Not folio->mapping: a folio dropped under writeback has none. */
		if (mapping_stable_writes(ui->vfs_inode.i_mapping) &&
		    utfs_folio_crc(folio) != io->crc) {
			spin_lock(&ui->lock);
			ui->stats.unstable_writes++;
			spin_unlock(&ui->lock);
		}
		utfs_end_write_folio(ui, folio);
	}
	folio_put(folio);
	kfree(io);
}

static enum hrtimer_restart utfs_async_io_timer(struct hrtimer *timer)
{
	struct utfs_async_io *io = container_of(timer, struct utfs_async_io,
						timer);

	schedule_work(&io->work);
	return HRTIMER_NORESTART;
}

/* End the read (@read) or the writeback of a locked folio later. */
static void utfs_complete_later(struct utfs_inode *ui, struct folio *folio,
				bool read)
{
	struct utfs_async_io *io = kmalloc(sizeof(*io), GFP_NOFS | __GFP_NOFAIL);

	io->ui = ui;
	io->folio = folio;
	io->read = read;
	if (!read && mapping_stable_writes(folio->mapping))
		io->crc = utfs_folio_crc(folio);
	folio_get(folio);
	INIT_WORK(&io->work, utfs_async_io_fn);
	hrtimer_init(&io->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	io->timer.function = utfs_async_io_timer;
	hrtimer_start(&io->timer, ms_to_ktime(UTFS_IO_LATENCY_MS),
		      HRTIMER_MODE_REL);
}

/* address_space operations */

static int utfs_read_folio(struct file *file, struct folio *folio)
{
	struct utfs_inode *ui = UTFS_I(folio->mapping->host);

	spin_lock(&ui->lock);
	ui->stats.folios_read++;
	spin_unlock(&ui->lock);
	/* A failed read leaves the folio !uptodate: the caller sees -EIO. */
	if (READ_ONCE(ui->faults.async_read))
		utfs_complete_later(ui, folio, true);
	else
		utfs_end_read_folio(ui, folio);
	return 0;
}

static void utfs_readahead(struct readahead_control *rac)
{
	struct utfs_inode *ui = UTFS_I(rac->mapping->host);
	struct folio *folio;
	bool hold;

	if (ui->faults.expand_readahead) {
		loff_t unit = (loff_t)ui->faults.expand_readahead << PAGE_SHIFT;
		loff_t start = round_down(readahead_pos(rac), unit);
		loff_t end = round_up(readahead_pos(rac) +
				      readahead_length(rac), unit);

		end = min(end, round_up(i_size_read(rac->mapping->host),
					PAGE_SIZE));
		readahead_expand(rac, start, end - start);
	}
	spin_lock(&ui->lock);
	ui->stats.readaheads++;
	ui->stats.folios_read += readahead_count(rac);
	hold = ui->stats.readaheads == ui->faults.hold_readahead;
	ui->stats.readahead_held += hold;
	spin_unlock(&ui->lock);
	/* Held with its folios locked in the page cache, not yet read. */
	if (hold)
		wait_event(ui->wb_hold, !READ_ONCE(ui->faults.hold_readahead));
	utfs_log(ui, UTFS_EV_READAHEAD, readahead_pos(rac),
		 readahead_length(rac), 0);
	while ((folio = readahead_folio(rac))) {
		if (READ_ONCE(ui->faults.async_read))
			utfs_complete_later(ui, folio, true);
		else
			utfs_end_read_folio(ui, folio);
	}
	/* The reader's next allocations: they run in its task, after this. */
	if (ui->faults.fail_nth_after_readahead)
		utfs_fail_nth(ui->faults.fail_nth_after_readahead);
}

/* Called on every invalidation (AS_RELEASE_ALWAYS): may refuse it. */
static bool utfs_release_folio(struct folio *folio, gfp_t gfp)
{
	struct utfs_inode *ui = UTFS_I(folio->mapping->host);
	bool keep = READ_ONCE(ui->faults.keep_folios);

	if (keep || folio_test_dirty(folio)) {
		spin_lock(&ui->lock);
		if (keep)
			ui->stats.release_refused++;
		else
			ui->stats.release_dirty++;
		spin_unlock(&ui->lock);
	}
	return !keep && iomap_release_folio(folio, gfp);
}

/* The writeback of the folio at @pos fails (faults.wb_error). */
static bool utfs_wb_fails(const struct utfs_faults *f, loff_t pos)
{
	return f->wb_error && pos >= f->wb_error_from &&
	       (!f->wb_error_to || pos < f->wb_error_to);
}

/*
 * Copy a folio under writeback to the disk, and end its writeback.
 * Returns the injected error, if any.
 */
static int utfs_end_write_folio(struct utfs_inode *ui, struct folio *folio)
{
	struct address_space *mapping = folio->mapping;
	loff_t pos = folio_pos(folio);
	unsigned int blk = pos >> PAGE_SHIFT;
	unsigned int end = blk + folio_nr_pages(folio);
	int error = 0;

	spin_lock(&ui->lock);
	if (utfs_wb_fails(&ui->faults, pos)) {
		error = ui->faults.wb_error;
	} else {
		memcpy_from_folio(ui->disk + pos, folio, 0, folio_size(folio));
		for (; blk < end; blk++) {
			if (ui->extent[blk] != UTFS_WRITTEN) {
				ui->extent[blk] = UTFS_WRITTEN;
				ui->seq++;
			}
		}
		ui->stats.folios_written++;
	}
	if (!mapping)
		ui->stats.wb_orphans++;
	spin_unlock(&ui->lock);

	if (error)
		mapping_set_error(ui->vfs_inode.i_mapping, error);
	if (READ_ONCE(ui->faults.end_writeback_locked)) {
		spin_lock(&ui->wb_end_lock);
		folio_end_writeback(folio);
		spin_unlock(&ui->wb_end_lock);
	} else {
		folio_end_writeback(folio);
	}
	return error;
}

/*
 * Write one locked folio; it is unlocked on return.  With async_writeback
 * its writeback ends later, from a worker, as a device completes I/O;
 * with redirty, it is put back dirty instead, as a filesystem that cannot
 * write it now does.
 */
static int utfs_write_folio(struct utfs_inode *ui, struct folio *folio,
			    struct writeback_control *wbc)
{
	if (ui->faults.redirty) {
		ui->faults.redirty--;
		folio_redirty_for_writepage(wbc, folio);
		folio_unlock(folio);
		return 0;
	}
	folio_start_writeback(folio);
	if (!ui->faults.async_writeback ||
	    (ui->faults.wb_error_sync &&
	     utfs_wb_fails(&ui->faults, folio_pos(folio)))) {
		folio_unlock(folio);
		return utfs_end_write_folio(ui, folio);
	}
	utfs_complete_later(ui, folio, false);
	folio_unlock(folio);
	return 0;
}

/* Trim speculative delalloc beyond EOF, as XFS does after writeback. */
static void utfs_trim_eofblocks(struct utfs_inode *ui)
{
	unsigned int b = DIV_ROUND_UP(i_size_read(&ui->vfs_inode), PAGE_SIZE);
	bool changed = false;

	spin_lock(&ui->lock);
	for (; b < ui->nr_blocks; b++) {
		if (ui->extent[b] == UTFS_DELALLOC) {
			ui->extent[b] = UTFS_HOLE;
			changed = true;
		}
	}
	if (changed)
		ui->seq++;
	spin_unlock(&ui->lock);
}

static int utfs_writepages(struct address_space *mapping,
			   struct writeback_control *wbc)
{
	struct utfs_inode *ui = UTFS_I(mapping->host);
	struct folio *folio = NULL;
	int error = 0, ret = 0;

	spin_lock(&ui->lock);
	ui->stats.writebacks++;
	spin_unlock(&ui->lock);
	utfs_log(ui, UTFS_EV_WRITEBACK, wbc->range_start,
		 wbc->range_end - wbc->range_start + 1, 0);

	/* As iomap_writepages() does, the first synchronous error is returned. */
	while ((folio = writeback_iter(mapping, wbc, folio, &error))) {
		int err = utfs_write_folio(ui, folio, wbc);

		if (!ret)
			ret = err;
	}
	utfs_trim_eofblocks(ui);
	/* Another file's fsync() consumes the error before the writer looks. */
	if (ui->faults.fsync_after_writeback) {
		struct file *other = ui->faults.fsync_after_writeback;

		filemap_fdatawait_keep_errors(mapping);
		if (file_check_and_advance_wb_err(other)) {
			spin_lock(&ui->lock);
			ui->stats.errors_consumed++;
			spin_unlock(&ui->lock);
		}
	}
	return error ? error : ret;
}

/* ->write_begin and ->write_end for generic_perform_write() */
static int utfs_write_begin(struct file *file, struct address_space *mapping,
			    loff_t pos, unsigned int len, struct folio **foliop,
			    void **fsdata)
{
	struct utfs_inode *ui = UTFS_I(mapping->host);
	unsigned int blk = pos >> PAGE_SHIFT, pending;
	struct folio *folio;
	bool cached;

	if (blk >= ui->nr_blocks)
		return -EFBIG;
	if (ui->faults.begin_error && pos >= ui->faults.begin_error_from)
		return ui->faults.begin_error;
	utfs_sample_nrpages(ui);
	cached = utfs_is_cached(mapping, pos);
	/* A large folio where the mapping allows them, as iomap asks. */
	pending = utfs_lookup_begin(ui, pos);
	folio = __filemap_get_folio(mapping, pos >> PAGE_SHIFT,
				    FGP_WRITEBEGIN | fgf_set_order(len),
				    mapping_gfp_mask(mapping));
	utfs_lookup_end(ui, pos, pending, folio);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	utfs_note_order(ui, folio, cached);
	if (!folio_test_uptodate(folio))
		utfs_fill_folio(ui, folio);

	spin_lock(&ui->lock);
	if (utfs_alloc_delalloc(ui, folio->index,
				min_t(pgoff_t, folio_next_index(folio),
				      ui->nr_blocks)))
		ui->seq++;
	spin_unlock(&ui->lock);

	*foliop = folio;
	return 0;
}

/*
 * faults.zero_eof on the generic files: ext4 zeroes the rest of the EOF
 * block, [@size, @pos), when a write extends the file past it.
 */
static void utfs_zero_eof_block(struct address_space *mapping, loff_t size,
				loff_t pos)
{
	struct folio *folio;
	size_t off;

	if (!(size & (PAGE_SIZE - 1)))
		return;
	folio = __filemap_get_folio(mapping, size >> PAGE_SHIFT,
				    FGP_LOCK | FGP_CREAT,
				    mapping_gfp_mask(mapping));
	if (IS_ERR(folio))
		return;
	utfs_track_folio(UTFS_I(mapping->host), folio);
	if (!folio_test_uptodate(folio))
		utfs_fill_folio(UTFS_I(mapping->host), folio);
	off = offset_in_folio(folio, size);
	folio_zero_range(folio, off,
			 min_t(loff_t, round_up(size, PAGE_SIZE), pos) - size);
	folio_mark_dirty(folio);
	folio_unlock(folio);
	folio_put(folio);
}

static int utfs_write_end(struct file *file, struct address_space *mapping,
			  loff_t pos, unsigned int len, unsigned int copied,
			  struct folio *folio, void *fsdata)
{
	struct inode *inode = mapping->host;
	loff_t size = inode->i_size;

	if (pos + copied > inode->i_size)
		i_size_write(inode, pos + copied);
	folio_mark_dirty(folio);
	folio_unlock(folio);
	folio_put(folio);
	if (UTFS_I(inode)->faults.zero_eof && copied && pos > size)
		utfs_zero_eof_block(mapping, size, pos);
	return copied;
}

/* O_DIRECT: the first direct_bytes go straight to the disk, the rest falls back. */
static ssize_t utfs_direct_IO(struct kiocb *iocb, struct iov_iter *iter)
{
	struct utfs_inode *ui = UTFS_I(file_inode(iocb->ki_filp));
	size_t len = min(iov_iter_count(iter), ui->faults.direct_bytes);
	loff_t pos = iocb->ki_pos;

	if (iov_iter_rw(iter) != WRITE || !len)
		return 0;
	if (copy_from_iter(ui->disk + pos, len, iter) != len)
		return -EFAULT;
	utfs_set_extent(ui, pos >> PAGE_SHIFT,
			DIV_ROUND_UP(pos + len, PAGE_SIZE) - (pos >> PAGE_SHIFT),
			UTFS_WRITTEN);
	if (pos + len > i_size_read(&ui->vfs_inode))
		i_size_write(&ui->vfs_inode, pos + len);
	return len;
}

static const struct address_space_operations utfs_aops = {
	.read_folio		= utfs_read_folio,
	.readahead		= utfs_readahead,
	.direct_IO		= utfs_direct_IO,
	.writepages		= utfs_writepages,
	.dirty_folio		= filemap_dirty_folio,
	.write_begin		= utfs_write_begin,
	.write_end		= utfs_write_end,
	.release_folio		= utfs_release_folio,
	.invalidate_folio	= iomap_invalidate_folio,
	.migrate_folio		= filemap_migrate_folio,
};

/* file operations */

/*
 * O_DIRECT on the iomap files: faults.direct_bytes of it directly.  None:
 * -ENOTBLK, and the whole write falls back as XFS's does.  Some: the rest
 * falls back through direct_write_fallback(), which writes it back and
 * invalidates it itself, as gfs2 and the generic path do.
 */
static ssize_t utfs_iomap_direct_write(struct kiocb *iocb,
				       struct iov_iter *from)
{
	struct utfs_inode *ui = UTFS_I(file_inode(iocb->ki_filp));
	ssize_t ret;

	if (!ui->faults.direct_bytes)
		return -ENOTBLK;
	ret = utfs_direct_IO(iocb, from);
	if (ret <= 0)
		return ret;
	iocb->ki_pos += ret;
	if (!iov_iter_count(from))
		return ret;
	return direct_write_fallback(iocb, from, ret,
				     iomap_file_buffered_write(iocb, from,
							       &utfs_iomap_ops,
							       NULL));
}

#ifdef CONFIG_UNCACHED_KUNIT_BEHAVIOUR
/*
 * As xfs_file_buffered_write(): with faults.zero_eof, zero from EOF up to
 * a write that starts beyond it first; an uncached write notes what was
 * cached before that, and has the zeroing written back and dropped with
 * it.
 */
static ssize_t utfs_iomap_buffered_write(struct kiocb *iocb,
					 struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	loff_t size = i_size_read(inode);
	struct uncached_eof eof = { };
	ssize_t ret;

	if (iocb->ki_flags & IOCB_UNCACHED)
		filemap_uncached_eof_begin(iocb, iov_iter_count(from), &eof);
	if (UTFS_I(inode)->faults.zero_eof && iocb->ki_pos > size) {
		ret = iomap_zero_range(inode, size, iocb->ki_pos - size, NULL,
				       &utfs_iomap_ops);
		if (ret)
			goto out;
	}
	ret = iomap_file_buffered_write(iocb, from, &utfs_iomap_ops, NULL);
out:
	if (iocb->ki_flags & IOCB_UNCACHED)
		ret = filemap_uncached_eof_end(iocb, &eof, ret);
	return ret;
}
#else
/* make bisect's steps, before the helpers: a plain buffered write. */
static ssize_t utfs_iomap_buffered_write(struct kiocb *iocb,
					 struct iov_iter *from)
{
	return iomap_file_buffered_write(iocb, from, &utfs_iomap_ops, NULL);
}
#endif

static ssize_t utfs_iomap_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret;

	inode_lock(inode);
	ret = generic_write_checks(iocb, from);
	if (ret <= 0)
		goto out;
	if (iocb->ki_flags & IOCB_DIRECT) {
		ret = utfs_iomap_direct_write(iocb, from);
		if (ret != -ENOTBLK)
			goto out;
		/* As XFS does: the whole write falls back, uncached if asked. */
		if (iocb->ki_flags & IOCB_UNCACHED)
			iocb->ki_flags &= ~IOCB_DIRECT;
	}
	ret = utfs_iomap_buffered_write(iocb, from);
out:
	inode_unlock(inode);
	if (ret > 0)
		ret = generic_write_sync(iocb, ret);
	return ret;
}

static int utfs_fsync(struct file *file, loff_t start, loff_t end,
		      int datasync)
{
	return file_write_and_wait_range(file, start, end);
}

/*
 * Truncate: the page cache first (truncate_setsize() waits for writeback
 * of what it drops), then the disk beyond the new EOF, zeroed and made a
 * hole, so that growing the file again reads zeroes there, as on a real
 * filesystem.  Called with i_rwsem held, as every size change is.
 */
static int utfs_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
			struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	struct utfs_inode *ui = UTFS_I(inode);
	int error;

	error = setattr_prepare(idmap, dentry, attr);
	if (error)
		return error;
	if (attr->ia_valid & ATTR_SIZE) {
		loff_t size = attr->ia_size;
		loff_t disk_size = (loff_t)ui->nr_blocks << PAGE_SHIFT;
		unsigned int blk = DIV_ROUND_UP(size, PAGE_SIZE);

		if (size > disk_size)
			return -EFBIG;
		truncate_setsize(inode, size);
		spin_lock(&ui->lock);
		memset(ui->disk + size, 0, disk_size - size);
		for (; blk < ui->nr_blocks; blk++)
			ui->extent[blk] = UTFS_HOLE;
		ui->seq++;
		spin_unlock(&ui->lock);
	}
	setattr_copy(idmap, inode, attr);
	return 0;
}

static const struct inode_operations utfs_file_iops = {
	.setattr	= utfs_setattr,
};

/* What every test file has; they differ in write path and opt-in. */
#define UTFS_FOPS_COMMON					\
	.llseek		= generic_file_llseek,			\
	.read_iter	= generic_file_read_iter,		\
	.splice_read	= filemap_splice_read,			\
	.splice_write	= iter_file_splice_write,		\
	.mmap		= generic_file_mmap,			\
	.fsync		= utfs_fsync

static const struct file_operations utfs_fops[] = {
	[UTFS_IOMAP] = {
		UTFS_FOPS_COMMON,
		.write_iter	= utfs_iomap_write_iter,
		/* WASYNC: RWF_NOWAIT writes get past generic_write_checks() */
		.fop_flags	= FOP_UNCACHED | FOP_BUFFER_WASYNC,
	},
	[UTFS_GENERIC] = {
		UTFS_FOPS_COMMON,
		.write_iter	= generic_file_write_iter,
		.fop_flags	= FOP_UNCACHED | FOP_BUFFER_WASYNC,
	},
	[UTFS_NOT_OPTED_IN] = {
		UTFS_FOPS_COMMON,
		.write_iter	= utfs_iomap_write_iter,
	},
};

/* superblock */

static struct inode *utfs_alloc_inode(struct super_block *sb)
{
	struct utfs_inode *ui = kzalloc(sizeof(*ui), GFP_KERNEL);

	if (!ui)
		return NULL;
	inode_init_once(&ui->vfs_inode);
	spin_lock_init(&ui->lock);
	spin_lock_init(&ui->wb_end_lock);
	init_waitqueue_head(&ui->wb_hold);
	return &ui->vfs_inode;
}

static void utfs_free_inode(struct inode *inode)
{
	struct utfs_inode *ui = UTFS_I(inode);

	vfree(ui->disk);
	kvfree(ui->extent);
	kfree(ui);
}

static void utfs_evict_inode(struct inode *inode)
{
	struct kunit *test = kunit_get_current_test();
	unsigned int orphans = READ_ONCE(UTFS_I(inode)->stats.wb_orphans);

	/* Every case's check, whether or not it looks at the stats. */
	if (test && orphans)
		KUNIT_FAIL(test, "%u folios dropped from the page cache under writeback",
			   orphans);
	truncate_inode_pages_final(&inode->i_data);
	utfs_put_tracked(test, UTFS_I(inode));
	clear_inode(inode);
}

static const struct super_operations utfs_sops = {
	.alloc_inode	= utfs_alloc_inode,
	.free_inode	= utfs_free_inode,
	.evict_inode	= utfs_evict_inode,
	.statfs		= simple_statfs,
};

static int utfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct inode *root;
	int error;

	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_maxbytes = MAX_LFS_FILESIZE;	/* each inode has its own limit */
	sb->s_magic = UTFS_MAGIC;
	sb->s_op = &utfs_sops;
	sb->s_time_gran = 1;
	/* A real bdi: the noop one cannot write back. */
	error = super_setup_bdi(sb);
	if (error)
		return error;

	root = new_inode(sb);
	if (!root)
		return -ENOMEM;
	root->i_ino = 1;
	root->i_mode = S_IFDIR | 0755;
	root->i_op = &simple_dir_inode_operations;
	root->i_fop = &simple_dir_operations;
	set_nlink(root, 2);
	sb->s_root = d_make_root(root);
	return sb->s_root ? 0 : -ENOMEM;
}

static int utfs_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, utfs_fill_super);
}

static const struct fs_context_operations utfs_context_ops = {
	.get_tree	= utfs_get_tree,
};

static int utfs_init_fs_context(struct fs_context *fc)
{
	fc->ops = &utfs_context_ops;
	return 0;
}

static struct file_system_type utfs_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "uncached_testfs",
	.init_fs_context	= utfs_init_fs_context,
	.kill_sb		= kill_anon_super,
};

/*
 * Fault injection.  The kernel's own: FAILSLAB and FAIL_PAGE_ALLOC with
 * their defaults changed as syzkaller changes them through debugfs
 * (allocations that may reclaim, highmem and order 0 may fail too; no
 * messages), then per task: fail_nth, which /proc/self/fail-nth sets, and
 * the task filter for "every allocation of this task fails".  KUnit has
 * no user space to write the debugfs files, so the values are set through
 * the variables the files show (their inodes' i_private).
 */
struct utfs_knob {
	const char *name;
	unsigned long value;
	size_t size;	/* of the variable: bool, u32, unsigned long, atomic_t */
};

static const struct utfs_knob utfs_knobs[] = {
	{ "failslab/ignore-gfp-wait", 0, sizeof(bool) },
	{ "failslab/verbose", 0, sizeof(unsigned long) },
	{ "failslab/task-filter", 1, sizeof(bool) },
	{ "failslab/probability", 100, sizeof(unsigned long) },
	{ "failslab/times", -1, sizeof(atomic_t) },
	{ "fail_page_alloc/ignore-gfp-wait", 0, sizeof(bool) },
	{ "fail_page_alloc/ignore-gfp-highmem", 0, sizeof(bool) },
	{ "fail_page_alloc/min-order", 0, sizeof(u32) },
	{ "fail_page_alloc/verbose", 0, sizeof(unsigned long) },
	{ "fail_page_alloc/task-filter", 1, sizeof(bool) },
	{ "fail_page_alloc/probability", 100, sizeof(unsigned long) },
	{ "fail_page_alloc/times", -1, sizeof(atomic_t) },
};

/*
 * The knobs' variables, found at the first suite_init, and what they held
 * before: the last suite_exit (or a suite_init that fails after setting
 * them) puts that back.  The variables are the kernel's own and outlive
 * their debugfs files' lookups.
 */
static void *utfs_knob_vars[ARRAY_SIZE(utfs_knobs)];
static unsigned long utfs_knob_saved[ARRAY_SIZE(utfs_knobs)];

static unsigned long utfs_knob_get(const struct utfs_knob *k, void *var)
{
	if (k->size == sizeof(bool))
		return READ_ONCE(*(bool *)var);
	if (k->size == sizeof(u32))
		return READ_ONCE(*(u32 *)var);
	if (k->size == sizeof(atomic_t))
		return atomic_read(var);
	return READ_ONCE(*(unsigned long *)var);
}

static void utfs_knob_set(const struct utfs_knob *k, void *var,
			  unsigned long value)
{
	if (k->size == sizeof(bool))
		WRITE_ONCE(*(bool *)var, value);
	else if (k->size == sizeof(u32))
		WRITE_ONCE(*(u32 *)var, value);
	else if (k->size == sizeof(atomic_t))
		atomic_set(var, (int)value);
	else
		WRITE_ONCE(*(unsigned long *)var, value);
}

static int utfs_find_knob(struct vfsmount *mnt, unsigned int i)
{
	struct path path;
	int error;

	error = vfs_path_lookup(mnt->mnt_root, mnt, utfs_knobs[i].name, 0,
				&path);
	if (error) {
		pr_err("uncached_kunit: no %s in debugfs (needs FAULT_INJECTION_DEBUG_FS, FAILSLAB, FAIL_PAGE_ALLOC)\n",
		       utfs_knobs[i].name);
		return error;
	}
	utfs_knob_vars[i] = d_inode(path.dentry)->i_private;
	path_put(&path);
	return 0;
}

/* An internal mount of debugfs: KUnit runs before anyone mounts it. */
static struct vfsmount *utfs_mount_debugfs(void)
{
	struct file_system_type *type = get_fs_type("debugfs");
	struct vfsmount *mnt;

	if (!type)
		return ERR_PTR(-ENODEV);
	mnt = kern_mount(type);
	put_filesystem(type);
	return mnt;
}

/* Every knob found first: either all of them change, or none does. */
static int utfs_setup_fault_injection(void)
{
	struct vfsmount *mnt = utfs_mount_debugfs();
	unsigned int i;
	int error = 0;

	if (IS_ERR(mnt))
		return PTR_ERR(mnt);
	for (i = 0; i < ARRAY_SIZE(utfs_knobs) && !error; i++)
		error = utfs_find_knob(mnt, i);
	kern_unmount(mnt);
	if (error)
		return error;
	for (i = 0; i < ARRAY_SIZE(utfs_knobs); i++) {
		utfs_knob_saved[i] = utfs_knob_get(&utfs_knobs[i],
						   utfs_knob_vars[i]);
		utfs_knob_set(&utfs_knobs[i], utfs_knob_vars[i],
			      utfs_knobs[i].value);
	}
	return 0;
}

static void utfs_restore_fault_injection(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(utfs_knobs); i++)
		utfs_knob_set(&utfs_knobs[i], utfs_knob_vars[i],
			      utfs_knob_saved[i]);
}

void utfs_fail_nth(unsigned int nth)
{
	WRITE_ONCE(current->fail_nth, nth);
}

unsigned int utfs_fail_nth_pending(void)
{
	return READ_ONCE(current->fail_nth);
}

void utfs_fail_allocations(bool fail)
{
	current->make_it_fail = fail;
}

/* The lookup of @pos makes its allocations fail (faults.fail_alloc_*). */
static bool utfs_lookup_fails(struct utfs_inode *ui, loff_t pos)
{
	struct utfs_faults *f = &ui->faults;
	bool fail = false;

	spin_lock(&ui->lock);
	ui->lookups_in_mapping++;
	if (f->fail_alloc_lookups && pos >> PAGE_SHIFT == f->fail_alloc_index) {
		if (f->fail_alloc_lookups != UINT_MAX)
			f->fail_alloc_lookups--;
		fail = true;
	}
	spin_unlock(&ui->lock);
	return fail;
}

/*
 * Around each folio lookup of a write: send faults.kill_at's SIGKILL, arm
 * faults.fail_alloc_*, and note a lookup that an injected failure (of
 * either kind) made fail.  Returns
 * the fail_nth count before the lookup, or UINT_MAX if it was armed here.
 */
unsigned int utfs_lookup_begin(struct utfs_inode *ui, loff_t pos)
{
	if (ui->faults.kill_at && pos >> PAGE_SHIFT == ui->faults.kill_at)
		send_sig(SIGKILL, current, 1);
	if (!utfs_lookup_fails(ui, pos))
		return utfs_fail_nth_pending();
	utfs_fail_allocations(true);
	return UINT_MAX;
}

void utfs_lookup_end(struct utfs_inode *ui, loff_t pos, unsigned int pending,
		     struct folio *folio)
{
	bool injected = current->make_it_fail ||
			(pending && !utfs_fail_nth_pending());

	if (pending == UINT_MAX)
		utfs_fail_allocations(false);
	if (!IS_ERR(folio) || !injected)
		return;
	spin_lock(&ui->lock);
	if (!ui->stats.alloc_failed++) {
		ui->stats.alloc_failed_pos = pos;
		ui->stats.alloc_failed_first_in_mapping =
			ui->lookups_in_mapping == 1;
	}
	spin_unlock(&ui->lock);
}

/*
 * One kern_mount for every suite, from the first suite_init to the last
 * suite_exit; each suite's files hold references of their own.
 */
static DEFINE_MUTEX(utfs_mnt_lock);
static unsigned int utfs_mnt_users;
static struct vfsmount *utfs_mnt;

int utfs_suite_init(struct kunit_suite *suite)
{
	struct vfsmount *mnt;
	int error = 0;

	mutex_lock(&utfs_mnt_lock);
	if (!utfs_mnt_users) {
		error = utfs_setup_fault_injection();
		mnt = error ? ERR_PTR(error) : kern_mount(&utfs_fs_type);
		if (!error && IS_ERR(mnt)) {
			/* KUnit runs no suite_exit for a failed suite_init. */
			utfs_restore_fault_injection();
			error = PTR_ERR(mnt);
		} else if (!error) {
			utfs_mnt = mnt;
		}
	}
	if (!error)
		utfs_mnt_users++;
	mutex_unlock(&utfs_mnt_lock);
	return error;
}

void utfs_suite_exit(struct kunit_suite *suite)
{
	mutex_lock(&utfs_mnt_lock);
	if (!--utfs_mnt_users) {
		kern_unmount(utfs_mnt);
		utfs_mnt = NULL;
		utfs_restore_fault_injection();
	}
	mutex_unlock(&utfs_mnt_lock);
}

static struct vfsmount *utfs_get_mnt(struct kunit *test)
{
	struct vfsmount *mnt = READ_ONCE(utfs_mnt);

	KUNIT_ASSERT_NOT_NULL_MSG(test, mnt, "the suite has no UTFS_SUITE_OPS");
	return mnt;
}

static void utfs_close(void *file)
{
	/* Now, not from a workqueue: the inode is evicted before the next test. */
	__fput_sync(file);
}

static struct file *utfs_open(struct kunit *test, struct inode *inode,
			      enum utfs_path path)
{
	struct file *file;

	file = alloc_file_pseudo(inode, utfs_get_mnt(test), "utfs", O_RDWR,
				 &utfs_fops[path]);
	if (IS_ERR(file))
		iput(inode);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	/* As do_dentry_open() does: readahead works as on any regular file. */
	file_ra_state_init(&file->f_ra, file->f_mapping);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, utfs_close, file));
	return file;
}

static struct file *utfs_create(struct kunit *test, enum utfs_path path,
				loff_t size, bool large_folios)
{
	struct vfsmount *mnt = utfs_get_mnt(test);
	unsigned int nr_blocks = DIV_ROUND_UP(size, PAGE_SIZE);
	struct utfs_inode *ui;
	struct inode *inode;

	inode = new_inode(mnt->mnt_sb);
	KUNIT_ASSERT_NOT_NULL(test, inode);
	ui = UTFS_I(inode);
	ui->nr_blocks = nr_blocks;
	/* Owned by the inode: utfs_free_inode() frees them, iput() or not. */
	ui->disk = vzalloc((size_t)nr_blocks << PAGE_SHIFT);
	ui->extent = kvcalloc(nr_blocks, sizeof(*ui->extent), GFP_KERNEL);
	if (!ui->disk || !ui->extent) {
		/* utfs_free_inode() frees what there is, and ui with it. */
		iput(inode);
		KUNIT_FAIL_AND_ABORT(test, "no memory for a file of %u blocks",
				     nr_blocks);
	}

	inode->i_ino = get_next_ino();
	inode->i_mode = S_IFREG | 0600;
	inode->i_op = &utfs_file_iops;
	inode->i_mapping->a_ops = &utfs_aops;
	mapping_set_release_always(inode->i_mapping);
	if (large_folios)
		mapping_set_large_folios(inode->i_mapping);
	inode->i_fop = &utfs_fops[path];
	return utfs_open(test, inode, path);
}

struct file *utfs_new_sized_file(struct kunit *test, enum utfs_path path,
				 loff_t size)
{
	return utfs_create(test, path, size, false);
}

struct file *utfs_new_plain_file(struct kunit *test, enum utfs_path path,
				 loff_t size)
{
	struct file *file = utfs_create(test, path, size, false);

	mapping_clear_release_always(file->f_mapping);
	return file;
}

struct file *utfs_new_file(struct kunit *test, enum utfs_path path)
{
	return utfs_create(test, path, UTFS_MAX_SIZE, false);
}

struct file *utfs_new_large_folio_file(struct kunit *test,
				       enum utfs_path path)
{
	return utfs_create(test, path, UTFS_MAX_SIZE, true);
}

struct file *utfs_reopen(struct kunit *test, struct file *file,
			 enum utfs_path path)
{
	struct inode *inode = file_inode(file);

	ihold(inode);
	return utfs_open(test, inode, path);
}

MODULE_DESCRIPTION("KUnit tests for uncached buffered I/O (RWF_UNCACHED)");
MODULE_LICENSE("GPL");
