// SPDX-License-Identifier: GPL-2.0
/*
 * The model of what RWF_UNCACHED promises.  Each rule cites the paragraph
 * of fs/man/RWF_UNCACHED.txt it comes from ([W1], [R1], ...), so that a
 * reader can check the two against each other line by line; what the man
 * text leaves to the implementation (how an O_DIRECT fallback counts) is
 * from the iomap documentation of the series (fs/0007), cited as [doc].
 *
 * The file before the I/O: model_file.size bytes of written data with
 * seed MS_DISK, holes after; the folios a case names in the states it
 * gives them (MF_DIRTY and MF_WRITEBACK hold data of seed MS_DIRTY), every
 * other folio absent.  The I/O's data has seed MS_IO.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>

#include "model.h"

pgoff_t model_folio_of(const struct model_file *f, const struct model_case *c,
		       enum model_where w)
{
	loff_t boundary = (c->pos / f->chunk + 1) * f->chunk;

	switch (w) {
	case MW_FIRST:
		return c->pos >> PAGE_SHIFT;
	case MW_LAST:
		return (c->pos + c->len - 1) >> PAGE_SHIFT;
	case MW_BEFORE_BOUNDARY:
		return (boundary >> PAGE_SHIFT) - 1;
	default:
		return boundary >> PAGE_SHIFT;
	}
}

enum model_folio model_before(const struct model_file *f,
			      const struct model_case *c, pgoff_t index)
{
	enum model_where w;

	for (w = 0; w < MW_NR; w++)
		if (model_folio_of(f, c, w) == index)
			return c->state[w];
	return MF_ABSENT;
}

static bool has_data(enum model_folio s)
{
	return s == MF_CLEAN || s == MF_DIRTY || s == MF_WRITEBACK;
}

bool model_case_valid(const struct model_file *f, const struct model_case *c)
{
	enum model_where w, v;

	if (!c->len || c->pos + c->len > f->capacity)
		return false;
	for (w = 0; w < MW_NR; w++) {
		pgoff_t i = model_folio_of(f, c, w);

		if (((loff_t)i << PAGE_SHIFT) >= f->capacity)
			return false;
		/* Data of its own only inside the file: it would grow it. */
		if ((c->state[w] == MF_DIRTY || c->state[w] == MF_WRITEBACK) &&
		    ((loff_t)i << PAGE_SHIFT) >= f->size)
			return false;
		for (v = w + 1; v < MW_NR; v++)
			if (model_folio_of(f, c, v) == i &&
			    c->state[v] != c->state[w])
				return false;
	}
	if (c->fault == MX_NONE && c->fault_at != MW_FIRST)
		return false;
	/*
	 * Not a read that may not block with reads completing later: whether
	 * a read it started has ended when it looks is the device's timing.
	 */
	if (c->op == MO_READ)
		return (c->flags == MFL_NONE || c->flags == MFL_NOWAIT) &&
		       (c->fault == MX_NONE || c->fault >= MX_READ) &&
		       !(c->flags == MFL_NOWAIT && c->fault == MX_READ_ASYNC);
	if (c->fault >= MX_READ)
		return false;
	/* A writeback already going on completes when it completes. */
	if (c->fault >= MX_WB && c->fault <= MX_WB_OTHER_FSYNC &&
	    c->state[c->fault_at] == MF_WRITEBACK)
		return false;
	/*
	 * O_DIRECT: from a file with nothing cached (the direct path's own
	 * invalidation of what is cached is not the series'), faults of the
	 * write.
	 */
	if (c->flags == MFL_DIRECT) {
		for (w = 0; w < MW_NR; w++)
			if (c->state[w] != MF_ABSENT)
				return false;
		return c->fault == MX_NONE || c->fault == MX_ALLOC ||
		       c->fault == MX_ENOSPC || c->fault == MX_WB;
	}
	return true;
}

/* The folio a fault of the plan hits, if it is in [@first, @last]. */
static bool fault_in(const struct model_file *f, const struct model_case *c,
		     enum model_fault from, enum model_fault to, pgoff_t first,
		     pgoff_t last, pgoff_t *index)
{
	pgoff_t i = model_folio_of(f, c, c->fault_at);

	if (c->fault < from || c->fault > to || i < first || i > last)
		return false;
	*index = i;
	return true;
}

/* Any folio of [@start, @end) cached before the write: the named ones. */
static bool found_cached(const struct model_file *f, const struct model_case *c,
			 loff_t start, loff_t end)
{
	enum model_where w;

	for (w = 0; w < MW_NR; w++) {
		loff_t at = (loff_t)model_folio_of(f, c, w) << PAGE_SHIFT;

		if (c->state[w] != MF_ABSENT && at < end && at + PAGE_SIZE > start)
			return true;
	}
	return false;
}

static void add_writeback(struct model_result *r, loff_t start, loff_t end,
			  loff_t chunk_end, bool kept)
{
	if (r->nr_writebacks < ARRAY_SIZE(r->wb_start)) {
		r->wb_start[r->nr_writebacks] = start;
		r->wb_end[r->nr_writebacks] = end;
		r->wb_chunk_end[r->nr_writebacks] = chunk_end;
		r->kept[r->nr_writebacks] = kept;
	}
	r->nr_writebacks++;
}

/*
 * Where a write that runs out of space from @from on stops: iomap asks
 * for space once per mapping (->iomap_begin at the write's start, at each
 * chunk, and where the file's written part ends, [doc]); a filesystem of
 * ->write_begin once per folio.
 */
static loff_t space_stop(const struct model_file *f, const struct model_case *c,
			 loff_t from)
{
	loff_t end = c->pos + c->len, p, stop = LLONG_MAX;

	if (c->path == UTFS_GENERIC)
		return max(c->pos, from);
	if (c->pos >= from)
		return c->pos;
	if (f->size > c->pos && f->size < end && f->size >= from)
		stop = f->size;
	p = round_up(max(from, c->pos + 1), f->chunk);
	if (p < end)
		stop = min(stop, p);
	return stop;
}

static void model_write(const struct model_file *f, const struct model_case *c,
			struct model_result *r)
{
	const loff_t end = c->pos + c->len;
	pgoff_t at = ULONG_MAX, wb = ULONG_MAX;
	loff_t stop = LLONG_MAX, cs, ce;
	int stop_error = 0;

	/* [N1] RWF_NOWAIT: EAGAIN, since it would wait for writeback. */
	if (c->flags == MFL_NOWAIT) {
		r->ret = -EAGAIN;
		return;
	}
	/* [A1] Only a folio the write must create needs an allocation. */
	if (fault_in(f, c, MX_ALLOC, MX_ALLOC, c->pos >> PAGE_SHIFT,
		     (end - 1) >> PAGE_SHIFT, &at) &&
	    model_before(f, c, at) == MF_ABSENT) {
		stop = max_t(loff_t, c->pos, (loff_t)at << PAGE_SHIFT);
		stop_error = -ENOMEM;
	}
	/* [A1] Out of space, the write ends there as any buffered write. */
	if (fault_in(f, c, MX_ENOSPC, MX_ENOSPC, c->pos >> PAGE_SHIFT,
		     (end - 1) >> PAGE_SHIFT, &at)) {
		stop = space_stop(f, c, (loff_t)at << PAGE_SHIFT);
		stop_error = -ENOSPC;
	}
	fault_in(f, c, MX_WB, MX_WB_OTHER_FSYNC, c->pos >> PAGE_SHIFT,
		 (end - 1) >> PAGE_SHIFT, &wb);

	if (c->flags == MFL_DIRECT && c->path == UTFS_GENERIC) {
		/*
		 * [O1] The rest of the write falls back to buffered I/O
		 * (direct_write_fallback(), [doc]): written back as a whole
		 * before the call returns and dropped; a writeback error
		 * returns the bytes written directly (none here), or the
		 * error, with the file offset after them.
		 */
		r->direct_fallback = true;
		r->copied_end = min(stop, end);
		if (r->copied_end == c->pos) {
			r->ret = stop_error;
			return;
		}
		add_writeback(r, c->pos, r->copied_end, end, false);
		if (wb != ULONG_MAX) {
			r->ret = -EIO;
			r->fail_start = c->pos;
			r->fail_end = r->copied_end;
			r->wb_failed = wb;
		} else {
			r->ret = r->copied_end - c->pos;
			r->ki_pos = r->copied_end;
		}
		return;
	}

	/* [W1] Chunk by chunk; with O_DIRECT, the whole write falls back. */
	for (cs = c->pos; cs < end; cs = ce) {
		bool kept;

		ce = min(end, (cs / f->chunk + 1) * f->chunk);
		/*
		 * [W1] Unless some page of the chunk was already cached: the
		 * pages it reached, and, when it stopped short, those it did
		 * not reach.
		 */
		kept = found_cached(f, c, cs, ce);
		if (stop < ce) {
			/* [A1] The write ends there: what it wrote is written. */
			r->copied_end = max(cs, stop);
			if (r->copied_end > cs)
				add_writeback(r, cs, r->copied_end, ce, kept);
			break;
		}
		r->copied_end = ce;
		add_writeback(r, cs, ce, ce, kept);
		if (wb != ULONG_MAX && ((loff_t)wb << PAGE_SHIFT) < ce) {
			/* [E1] The write stops at that chunk, which stays. */
			r->ret = -EIO;
			r->fail_start = cs;
			r->fail_end = ce;
			r->wb_failed = wb;
			break;
		}
	}
	r->ki_pos = r->copied_end;
	if (r->ret)
		return;
	/* [A1] The bytes written before the failure, or its error. */
	r->ret = r->copied_end > c->pos ? r->copied_end - c->pos : stop_error;
}

static void model_read(const struct model_file *f, const struct model_case *c,
		       struct model_result *r)
{
	loff_t end = min_t(loff_t, c->pos + c->len, f->size);
	pgoff_t i, bad = ULONG_MAX;
	int error = 0;

	r->read_start = round_down(c->pos, PAGE_SIZE);
	r->read_stop = end;
	r->unread = ULONG_MAX;
	if (c->pos >= end)
		return;
	fault_in(f, c, MX_READ, MX_READ_ASYNC, c->pos >> PAGE_SHIFT,
		 (end - 1) >> PAGE_SHIFT, &bad);
	for (i = c->pos >> PAGE_SHIFT; (loff_t)i << PAGE_SHIFT < end; i++) {
		if (has_data(model_before(f, c, i)))
			continue;
		/*
		 * [N1] A read that may not block reads ahead as a blocking
		 * one does, and fails with EAGAIN where it would wait for a
		 * read: one it did not start (a folio cached, never read),
		 * or one that failed, which it does not retry.
		 */
		if (c->flags == MFL_NOWAIT &&
		    (i == bad || model_before(f, c, i) == MF_NOT_UPTODATE))
			error = -EAGAIN;
		else if (i == bad)
			error = -EIO;	/* [R1] failed part of the way */
		if (error) {
			r->read_stop = max_t(loff_t, c->pos, (loff_t)i << PAGE_SHIFT);
			r->unread = i;
			break;
		}
	}
	r->copied_end = r->read_stop;
	r->ret = r->read_stop > c->pos ? r->read_stop - c->pos : error;
	r->ki_pos = max_t(loff_t, c->pos, r->read_stop);
}

void model_run(const struct model_file *f, const struct model_case *c,
	       struct model_result *r)
{
	memset(r, 0, sizeof(*r));
	r->wb_failed = ULONG_MAX;
	r->ki_pos = c->pos;
	r->copied_end = c->pos;
	if (c->op == MO_READ)
		model_read(f, c, r);
	else
		model_write(f, c, r);
	r->iter_left = c->len - (r->copied_end - c->pos);
	if (r->direct_fallback && r->ret == -EIO)
		r->ki_pos = c->pos;
	r->i_size = max(f->size, c->op == MO_WRITE ? r->copied_end : 0);
	/*
	 * [E1] Reported by a later fsync() on any other file open before
	 * it, whoever else has seen it: the other file's fsync() right
	 * after the writeback saw it, and reports nothing more.  The write
	 * that returned it reported it to its own file; [O1] the error of
	 * direct_write_fallback() is O_DIRECT's, which does not.
	 */
	if (r->wb_failed != ULONG_MAX) {
		r->fsync_writer = r->direct_fallback ? -EIO : 0;
		r->fsync_other = c->fault == MX_WB_OTHER_FSYNC ? 0 : -EIO;
	}
}

/*
 * [R1] A read reads ahead as a buffered read does, and keeps, marked, what
 * it brought in and did not consume: the folios it read ahead past where
 * it stopped, and the one it stopped in.  All it consumed (read past, or
 * to EOF) it dropped; [N1] so does a read that may not block.
 */
bool model_read_ahead(const struct model_file *f, const struct model_case *c,
		      const struct model_result *r, pgoff_t index)
{
	loff_t end = (loff_t)(index + 1) << PAGE_SHIFT;

	if (c->op != MO_READ || model_before(f, c, index) != MF_ABSENT)
		return false;
	return index >= (c->pos >> PAGE_SHIFT) &&
	       !model_read_consumed(end, r->read_stop, f->size);
}

/* The chunk (index into wb_start) whose writeback covered byte @off. */
static int written_back(const struct model_result *r, loff_t off)
{
	unsigned int k;

	for (k = 0; k < min_t(unsigned int, r->nr_writebacks,
			      ARRAY_SIZE(r->wb_start)); k++)
		if (off >= r->wb_start[k] && off < r->wb_end[k])
			return k;
	return -1;
}

/* The I/O wrote into folio @index (a write's data reached it). */
static bool touched(const struct model_case *c, const struct model_result *r,
		    pgoff_t index)
{
	loff_t at = (loff_t)index << PAGE_SHIFT, end = at + PAGE_SIZE;

	return c->op == MO_WRITE && r->copied_end > c->pos &&
	       at < r->copied_end && end > c->pos;
}

enum model_folio model_after(const struct model_file *f,
			     const struct model_case *c,
			     const struct model_result *r, pgoff_t index)
{
	enum model_folio before = model_before(f, c, index);
	loff_t at = (loff_t)index << PAGE_SHIFT, end = at + PAGE_SIZE;
	int k;

	/* Writeback that was going on has completed. */
	if (before == MF_WRITEBACK)
		before = MF_CLEAN;
	if (c->op == MO_READ) {
		/*
		 * [R1] A folio cached before, never read, that the read
		 * needed: read, and kept.  What the read brought in and
		 * consumed it dropped; what it read ahead is
		 * model_read_ahead()'s.
		 */
		if (before == MF_NOT_UPTODATE && index < r->unread &&
		    at < r->read_stop && end > c->pos)
			return MF_CLEAN;
		return before;
	}
	if (!touched(c, r, index))
		return before;
	/* [E1] The chunk whose writeback failed stays cached. */
	if (end > r->fail_start && at < r->fail_end)
		return MF_CLEAN;
	if (r->direct_fallback)
		return MF_ABSENT;	/* [O1] */
	/* [W1] Dropped, unless the chunk found cached pages. */
	k = written_back(r, max(at, c->pos));
	return k >= 0 && r->kept[k] ? MF_CLEAN : MF_ABSENT;
}

/* What byte @off of its folio held before the I/O, cached or on disk. */
static enum model_seed before_byte(const struct model_file *f,
				   const struct model_case *c, loff_t off)
{
	enum model_folio s = model_before(f, c, off >> PAGE_SHIFT);

	if (s == MF_DIRTY || s == MF_WRITEBACK)
		return MS_DIRTY;
	return off < f->size ? MS_DISK : MS_ZERO;
}

enum model_seed model_cache_byte(const struct model_file *f,
				 const struct model_case *c,
				 const struct model_result *r, loff_t off)
{
	if (c->op == MO_WRITE && off >= c->pos && off < r->copied_end)
		return MS_IO;
	return before_byte(f, c, off);
}

enum model_seed model_disk_byte(const struct model_file *f,
				const struct model_case *c,
				const struct model_result *r, loff_t off)
{
	pgoff_t index = off >> PAGE_SHIFT;
	enum model_folio s = model_before(f, c, index);

	/* A written folio reached the disk whole, but the one that failed. */
	if (touched(c, r, index) && index != r->wb_failed)
		return model_cache_byte(f, c, r, off);
	if (s == MF_WRITEBACK)
		return MS_DIRTY;
	return off < f->size ? MS_DISK : MS_ZERO;
}

enum model_seed model_read_byte(const struct model_file *f,
				const struct model_case *c, loff_t off)
{
	return before_byte(f, c, off);
}

loff_t model_next_change(const struct model_file *f,
			 const struct model_case *c,
			 const struct model_result *r, loff_t off)
{
	loff_t at[] = { round_down(off, PAGE_SIZE) + PAGE_SIZE, c->pos,
			r->copied_end, f->size };
	loff_t next = at[0];
	unsigned int i;

	for (i = 1; i < ARRAY_SIZE(at); i++)
		if (at[i] > off && at[i] < next)
			next = at[i];
	return next;
}
