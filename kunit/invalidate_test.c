// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_invalidation: an uncached write drops the range from the page
 * cache only when it found none of it cached.  Folios cached before the
 * write are someone else's working set: they stay, uptodate with the new
 * data.  A failed invalidation does not fail the write.  The iomap and
 * generic_perform_write() paths behave the same.
 */
#include <linux/pagemap.h>
#include <kunit/test.h>

#include "testfs.h"

/*
 * Nothing cached before: nothing cached after, data on the disk, and it
 * reads back right through the cache.  With @async_writeback, writeback
 * completes after ->writepages returns, as on a real device.
 */
static void write_to_empty_cache(struct kunit *test, bool async_writeback)
{
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 8 * PAGE_SIZE;

	ui->faults.async_writeback = async_writeback;
	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 1, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	utfs_expect_disk(test, ui, 0, len, 1);
	utfs_cache_range(test, file, 0, len);
	utfs_expect_cache(test, file, 0, len, 1);
}

static void nothing_cached_nothing_left(struct kunit *test)
{
	write_to_empty_cache(test, false);
}

/* The write waits for writeback that completes later: nothing on return. */
static void nothing_cached_async_writeback(struct kunit *test)
{
	write_to_empty_cache(test, true);
}

/* Unaligned: the partial folios at both ends are dropped too. */
static void unaligned_nothing_left(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 4 * PAGE_SIZE;
	loff_t pos = 100;

	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, 6 * PAGE_SIZE, 0, 2),
		       6 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, pos, len, 3, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	/* ->iomap_begin was told each time (IOMAP_UNCACHED). */
	if (*path == UTFS_IOMAP)
		KUNIT_EXPECT_GT(test, ui->stats.mappings, 0U);
	KUNIT_EXPECT_EQ(test, ui->stats.mappings, ui->stats.uncached_mappings);
	utfs_expect_disk(test, ui, 0, pos, 2);
	utfs_expect_disk(test, ui, pos, len, 3);
	utfs_expect_disk(test, ui, pos + len, 6 * PAGE_SIZE - pos - len, 2);
}

/* Invalidation fails (->release_folio refuses): the write succeeds. */
static void failed_invalidation_ignored(struct kunit *test)
{
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 2 * PAGE_SIZE;

	ui->faults.keep_folios = true;
	KUNIT_EXPECT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 6, RWF_UNCACHED));
	/* It was tried, it failed, and that is fine. */
	KUNIT_EXPECT_GT(test, ui->stats.release_refused, 0U);
	KUNIT_EXPECT_EQ(test, 2U, utfs_cached_folios(file, 0, len));
	utfs_expect_cache(test, file, 0, len, 6);
	utfs_expect_disk(test, ui, 0, len, 6);
}

/* A plain buffered write of the same range leaves it cached and dirty. */
static void plain_write_is_cached(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 2 * PAGE_SIZE;

	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 7, 0));
	KUNIT_EXPECT_EQ(test, 2UL, file->f_mapping->nrpages);
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.writebacks);
	KUNIT_EXPECT_TRUE(test, mapping_tagged(file->f_mapping,
					       PAGECACHE_TAG_DIRTY));
	/* ->iomap_begin was not told of an uncached write. */
	if (*path == UTFS_IOMAP)
		KUNIT_EXPECT_GT(test, ui->stats.mappings, 0U);
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.uncached_mappings);
}

/*
 * Cached folios just before and just after the written range stay, and
 * do not count as found by the write: its own folios are dropped.
 */
static void cached_neighbours_not_counted(struct kunit *test)
{
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 2 * PAGE_SIZE;

	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, 4 * PAGE_SIZE, 0, 8),
		       4 * PAGE_SIZE);
	utfs_cache_range(test, file, 0, PAGE_SIZE);
	utfs_cache_range(test, file, 3 * PAGE_SIZE, PAGE_SIZE);

	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, PAGE_SIZE, len, 9, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 0U, utfs_cached_folios(file, PAGE_SIZE, len));
	KUNIT_EXPECT_EQ(test, 1U, utfs_cached_folios(file, 0, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 1U, utfs_cached_folios(file, 3 * PAGE_SIZE,
						     PAGE_SIZE));
	utfs_expect_disk(test, ui, PAGE_SIZE, len, 9);
}

/*
 * A ->get_folio that does not get its folios from iomap_get_folio(): iomap
 * cannot tell found from created, and must keep the range rather than
 * drop a folio that was cached before.
 */
static void get_folio_bypassing_iomap_keeps_cache(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 2 * PAGE_SIZE;

	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, len, 0, 10), len);
	utfs_cache_range(test, file, PAGE_SIZE, PAGE_SIZE);
	ui->faults.bypass_iomap_get_folio = true;

	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 11, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 1U, utfs_cached_folios(file, PAGE_SIZE,
						     PAGE_SIZE));
	utfs_expect_cache(test, file, 0, len, 11);
	utfs_expect_disk(test, ui, 0, len, 11);
}

/* Ending an uncached write of nothing touches nothing, even unaligned. */
static void end_uncached_write_of_nothing(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct address_space *mapping = file->f_mapping;
	struct utfs_inode *ui = utfs_file_inode(file);

	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, PAGE_SIZE, 0, 12),
		       PAGE_SIZE);
	utfs_cache_range(test, file, 0, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, 0,
			filemap_end_uncached_write(mapping, 100, 0,
						   filemap_sample_wb_err(mapping),
						   false));
	KUNIT_EXPECT_EQ(test, 1U, utfs_cached_folios(file, 0, PAGE_SIZE));
}

/*
 * A filesystem with no ->get_folio: iomap_get_folio() is called by iomap
 * itself, and the write is uncached as with one that wraps it.
 */
static void no_get_folio_same_rules(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 4 * PAGE_SIZE;

	ui->faults.no_get_folio = true;
	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 13, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	utfs_expect_disk(test, ui, 0, len, 13);

	/* Whole folios over written blocks: nothing to read in. */
	utfs_cache_range(test, file, PAGE_SIZE, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 14, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 4U, utfs_cached_folios(file, 0, len));
	utfs_expect_cache(test, file, 0, len, 14);
	utfs_expect_disk(test, ui, 0, len, 14);
}

struct precached_param {
	const char *name;
	enum utfs_path path;
	enum utfs_precached state;
};

static const struct precached_param precached_params[] = {
	{ "iomap_clean", UTFS_IOMAP, UTFS_CLEAN },
	{ "iomap_dirty", UTFS_IOMAP, UTFS_DIRTY },
	{ "iomap_under_writeback", UTFS_IOMAP, UTFS_UNDER_WRITEBACK },
	{ "iomap_not_uptodate", UTFS_IOMAP, UTFS_NOT_UPTODATE },
	{ "generic_clean", UTFS_GENERIC, UTFS_CLEAN },
	{ "generic_dirty", UTFS_GENERIC, UTFS_DIRTY },
	{ "generic_under_writeback", UTFS_GENERIC, UTFS_UNDER_WRITEBACK },
	{ "generic_not_uptodate", UTFS_GENERIC, UTFS_NOT_UPTODATE },
};

static void precached_desc(const struct precached_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(precached, precached_params, precached_desc);

/*
 * A folio of the range is cached before the write, clean, dirty, under
 * writeback or not uptodate: the range stays cached, clean, holding the
 * new data, and the new data is on the disk.
 */
static void precached_folio_in_any_state(struct kunit *test)
{
	const struct precached_param *p = test->param_value;
	struct file *file = utfs_new_file(test, p->path);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 3 * PAGE_SIZE;

	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, len, 0, 21), len);
	utfs_precache(test, file, 1, p->state, 20);
	UTFS_ASSERT_NOT_FORCED(test);

	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 22, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 3U, utfs_cached_folios(file, 0, len));
	utfs_expect_cache(test, file, 0, len, 22);
	utfs_expect_disk(test, ui, 0, len, 22);
	KUNIT_EXPECT_FALSE(test, mapping_tagged(file->f_mapping,
						PAGECACHE_TAG_DIRTY));
	KUNIT_EXPECT_FALSE(test, mapping_tagged(file->f_mapping,
						PAGECACHE_TAG_WRITEBACK));
}

/*
 * A write that starts past EOF, on a file system that zeroes from EOF up
 * to it first (faults.zero_eof: XFS's way before the write on the iomap
 * files, ext4's in ->write_end() on the generic ones).  [W1]: the zeroing
 * is the write's, written back with it, and the old EOF folio goes with
 * it, unless a folio of [EOF, end of the write) was cached before; zeroed
 * folios wholly past the old EOF stay, clean; nothing is dirty; the gap
 * reads back as zeroes although the disk behind it held old data; a
 * folio cached past the write's end counts for nothing, and stays.
 * Stale: the file has written blocks past EOF up to the write, holding
 * old data (XFS zeroes them too; ext4 has none).  Each folio's presence
 * after the call is checked against eof_expect(), the rules as the man
 * text words them; the test filesystem checks at eviction that no folio
 * the write or the zeroing got lost a reference (faults.track_folios).
 * Before the zeroing counted as the write's, the iomap files kept the
 * chunk of a write that started in the EOF folio, and both paths left
 * the zeroed EOF folio dirty after a write that started beyond it.
 */
enum eof_cached {
	EOF_NONE,		/* nothing cached before */
	EOF_FOLIO,		/* the EOF folio (and the two before it) */
	EOF_BELOW,		/* the two folios before the EOF folio only */
	EOF_AFTER,		/* the folio after the write's last byte only */
	EOF_FOLIO_AFTER,	/* that one, and as EOF_FOLIO */
	NR_EOF_CACHED
};

/* Where the write starts, from EOF or in the folio after EOF's. */
enum eof_start {
	EOF_AT,			/* at EOF */
	EOF_PLUS_1,
	EOF_PLUS_100,
	EOF_PLUS_PAGE,
	EOF_PLUS_3_PAGES,	/* and 10 bytes */
	EOF_NEXT_FIRST,		/* the first byte of the folio after EOF's */
	EOF_NEXT_LAST,		/* its last byte */
	NR_EOF_STARTS
};

static const char *const eof_start_names[] = {
	"at_eof", "eof_plus_1", "eof_plus_100", "eof_plus_page",
	"eof_plus_3_pages", "next_folio_first", "next_folio_last",
};

struct eof_case {
	enum utfs_path path;
	bool stale;		/* written blocks past EOF (iomap only) */
	loff_t size;		/* EOF before the write */
	enum eof_start start;
	loff_t len;
	enum eof_cached cached;
};

/*
 * Sizes in the first folio, far from it (so that a lookup one shift off
 * finds another folio) and two chunks on (0 here: so that a chunk
 * boundary one chunk off is still in the file).
 */
static const loff_t eof_sizes[] = {
	100, PAGE_SIZE, PAGE_SIZE + 100, 16 * PAGE_SIZE + 100, 0,
};

static const loff_t eof_lens[] = { 1, 3 * PAGE_SIZE + 7 };

/* iomap, generic, iomap with stale blocks */
#define NR_EOF_CASES	(3 * ARRAY_SIZE(eof_sizes) * NR_EOF_STARTS * \
			 ARRAY_SIZE(eof_lens) * NR_EOF_CACHED)
static struct eof_case eof_cases[NR_EOF_CASES];

static loff_t eof_pos(const struct eof_case *c)
{
	static const loff_t gaps[] = {
		0, 1, 100, PAGE_SIZE, 3 * PAGE_SIZE + 10
	};
	loff_t next = round_down(c->size, PAGE_SIZE) + PAGE_SIZE;

	if (c->start == EOF_NEXT_FIRST)
		return next;
	if (c->start == EOF_NEXT_LAST)
		return next + PAGE_SIZE - 1;
	return c->size + gaps[c->start];
}

static const void *eof_gen(const void *prev, char *desc)
{
	static const char *const cached[] = {
		"", ".eof_cached", ".below_cached", ".after_cached",
		".eof_after_cached"
	};
	unsigned int i = utfs_case_index(prev, eof_cases, sizeof(*eof_cases));
	unsigned int n;
	struct eof_case *e;

	for (;; i++) {
		if (i >= NR_EOF_CASES)
			return NULL;
		e = &eof_cases[i];
		n = i;
		e->cached = n % NR_EOF_CACHED;
		n /= NR_EOF_CACHED;
		e->len = eof_lens[n % ARRAY_SIZE(eof_lens)];
		n /= ARRAY_SIZE(eof_lens);
		e->start = n % NR_EOF_STARTS;
		n /= NR_EOF_STARTS;
		e->size = eof_sizes[n % ARRAY_SIZE(eof_sizes)] ?:
			  2 * UNCACHED_WRITE_CHUNK + 100;
		n /= ARRAY_SIZE(eof_sizes);
		e->path = n == 1 ? UTFS_GENERIC : UTFS_IOMAP;
		e->stale = n == 2;
		/* EOF in the first folio: no folio below it to cache. */
		if (e->cached != EOF_BELOW || e->size > PAGE_SIZE)
			break;
	}
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s%s.size_%lld.%s.len_%lld%s",
		 e->path == UTFS_IOMAP ? "iomap" : "generic",
		 e->stale ? ".stale" : "", e->size, eof_start_names[e->start],
		 e->len, cached[e->cached]);
	return e;
}

/*
 * The folios cached after the write, by [W1]: @cached, the folios cached
 * before.  The zeroing brings in the folios of [size, pos) that have
 * blocks (the EOF block; stale, all), before the write on the iomap files,
 * after its first copy on the generic ones.  The write's one chunk stays
 * if a folio of it was cached when the write looked (iomap: the zeroing's
 * too).  Then, the zeroing being the write's: the write's chunk goes
 * unless a folio of it was cached before; the old EOF folio goes unless a
 * folio of [size, end) was.  A folio past the write's end counts for
 * neither.
 */
static void eof_expect(const struct eof_case *c, loff_t pos,
		       const unsigned long *cached, unsigned long *want,
		       unsigned long nbits)
{
	pgoff_t first = pos >> PAGE_SHIFT, last = (pos + c->len - 1) >> PAGE_SHIFT;
	pgoff_t eof = c->size >> PAGE_SHIFT, index;
	bool partial = offset_in_page(c->size), found = false, kept;
	bool zeroed_first = false, first_cached = false;

	bitmap_copy(want, cached, nbits);
	for (index = partial ? eof : DIV_ROUND_UP(c->size, PAGE_SIZE);
	     index <= last; index++)
		found |= test_bit(index, cached);
	if (pos > c->size) {
		pgoff_t to = (pos - 1) >> PAGE_SHIFT;

		for (index = eof; index <= to; index++) {
			if (!c->stale && !(partial && index == eof))
				continue;
			__set_bit(index, want);
			zeroed_first |= index == first;
		}
	}
	for (index = first; index <= last; index++)
		first_cached |= test_bit(index, cached);
	kept = first_cached || (c->path == UTFS_IOMAP && zeroed_first);
	if (kept)
		bitmap_set(want, first, last - first + 1);
	if (pos <= c->size)
		return;
	if (!first_cached)
		bitmap_clear(want, first, last - first + 1);
	if (partial && !found)
		__clear_bit(eof, want);
}

static void write_past_eof(struct kunit *test)
{
	const struct eof_case *c = test->param_value;
	loff_t pos = eof_pos(c), end = pos + c->len;
	struct file *file = utfs_new_sized_file(test, c->path,
				max_t(loff_t, end + SZ_64K, UTFS_MAX_SIZE));
	struct utfs_inode *ui = utfs_file_inode(file);
	loff_t block = round_down(c->size - 1, PAGE_SIZE);
	loff_t from = max_t(loff_t, block - 2 * PAGE_SIZE, 0);
	loff_t block_end = round_up(c->stale ? pos : c->size, PAGE_SIZE);
	unsigned long nbits = DIV_ROUND_UP(end, PAGE_SIZE) + 1, *cached, *want;
	pgoff_t index;
	u8 *zeroes, *got;

	cached = kunit_kcalloc(test, BITS_TO_LONGS(nbits), sizeof(long),
			       GFP_KERNEL);
	want = kunit_kcalloc(test, BITS_TO_LONGS(nbits), sizeof(long),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cached);
	KUNIT_ASSERT_NOT_NULL(test, want);
	/*
	 * The blocks from two before EOF's on the disk, with old data past
	 * EOF in its block (stale: up to the write's first block): the
	 * zeroing's to hide.
	 */
	utfs_fill_disk(ui, from,
		       utfs_pattern_buf(test, block_end - from, from, 61),
		       block_end - from);
	/* Past the write's end, where a buffered read of it would not go. */
	if (c->cached == EOF_AFTER || c->cached == EOF_FOLIO_AFTER)
		utfs_cache_range(test, file, round_up(end, PAGE_SIZE),
				 PAGE_SIZE);
	i_size_write(file_inode(file), c->size);
	if (c->cached == EOF_FOLIO || c->cached == EOF_FOLIO_AFTER)
		utfs_cache_range(test, file, from, c->size - from);
	else if (c->cached == EOF_BELOW && block > from)
		utfs_cache_range(test, file, from, block - from);
	for (index = 0; index < nbits; index++)
		if (utfs_cached_folios(file, (loff_t)index << PAGE_SHIFT,
				       PAGE_SIZE))
			__set_bit(index, cached);
	eof_expect(c, pos, cached, want, nbits);

	utfs_reset_stats(ui);
	ui->faults.zero_eof = true;
	ui->faults.track_folios = true;
	KUNIT_ASSERT_EQ(test, (ssize_t)c->len,
			utfs_pwrite_pattern(test, file, pos, c->len, 62,
					    RWF_UNCACHED));

	utfs_expect_settled(test, file, "after the write");
	KUNIT_EXPECT_FALSE_MSG(test, mapping_tagged(file->f_mapping,
						    PAGECACHE_TAG_DIRTY),
			       "a folio dirty after the write");
	KUNIT_EXPECT_EQ(test, end, i_size_read(file_inode(file)));
	for (index = 0; index < nbits; index++) {
		bool is = utfs_cached_folios(file, (loff_t)index << PAGE_SHIFT,
					     PAGE_SIZE);

		KUNIT_EXPECT_EQ_MSG(test, test_bit(index, want), is,
				    "folio %lu cached after the write", index);
		if (test_bit(index, want) != is)
			break;
	}
	KUNIT_EXPECT_EQ(test, (unsigned int)bitmap_weight(want, nbits),
			utfs_cached_folios(file, 0, (loff_t)nbits << PAGE_SHIFT));
	utfs_expect_disk(test, ui, from, c->size - from, 61);
	utfs_expect_disk(test, ui, pos, c->len, 62);
	if (pos == c->size)
		return;
	zeroes = kunit_kzalloc(test, pos - c->size, GFP_KERNEL);
	got = kunit_kzalloc(test, pos - c->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, zeroes);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_EXPECT_MEMEQ_MSG(test, ui->disk + c->size, zeroes, pos - c->size,
			       "the gap on the disk");
	/* And through the page cache, what stayed cached or not. */
	KUNIT_EXPECT_EQ(test, (ssize_t)(pos - c->size),
			utfs_pread(file, got, pos - c->size, c->size, 0));
	KUNIT_EXPECT_MEMEQ_MSG(test, got, zeroes, pos - c->size,
			       "the gap, read");
}

/*
 * The zeroed EOF folio's writeback fails, after the write's own data
 * reached the disk: [E1], the write returns the error, reported to its
 * file (its next fsync() is clean) and not to one open before it (whose
 * fsync() reports it once).
 */
static void write_past_eof_wb_error(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct file *other = utfs_reopen(test, file, *path);
	loff_t size = 100, pos = 2 * PAGE_SIZE;

	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, PAGE_SIZE, 0, 61),
		       PAGE_SIZE);
	i_size_write(file_inode(file), size);
	ui->faults.zero_eof = true;
	ui->faults.wb_error = -EIO;
	ui->faults.wb_error_to = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, (ssize_t)-EIO,
			utfs_pwrite_pattern(test, file, pos, PAGE_SIZE, 62,
					    RWF_UNCACHED));
	UTFS_ASSERT_NOT_FORCED(test);
	utfs_expect_disk(test, ui, pos, PAGE_SIZE, 62);
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
	KUNIT_EXPECT_EQ(test, -EIO, vfs_fsync(other, 0));
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(other, 0));
}

/*
 * The series passes invalidate_complete_folio2() a gfp mask for
 * ->release_folio(); invalidate_inode_pages2_range()'s callers (direct
 * I/O's invalidation among them) still get 0 when every folio of the
 * range went, and -EBUSY when one could not go: a dirty folio the file
 * system has no ->launder_folio for.
 */
static const enum utfs_precached inv2_states[] = { UTFS_CLEAN, UTFS_DIRTY };

static void inv2_state_desc(const enum utfs_precached *state, char *desc)
{
	strscpy(desc, *state == UTFS_CLEAN ? "clean" : "one_dirty",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(inv2_state, inv2_states, inv2_state_desc);

static void invalidate_pages2_result(struct kunit *test)
{
	const enum utfs_precached *state = test->param_value;
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct address_space *mapping = file->f_mapping;
	pgoff_t index;

	for (index = 0; index < 3; index++)
		utfs_precache(test, file, index, index == 1 ? *state : UTFS_CLEAN,
			      27);
	KUNIT_EXPECT_EQ(test, *state == UTFS_CLEAN ? 0 : -EBUSY,
			invalidate_inode_pages2_range(mapping, 0, 2));
	KUNIT_EXPECT_EQ(test, *state == UTFS_CLEAN ? 0UL : 1UL,
			mapping->nrpages);
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
}

static struct kunit_case uncached_invalidation_cases[] = {
	KUNIT_CASE_PARAM(precached_folio_in_any_state, precached_gen_params),
	KUNIT_CASE(no_get_folio_same_rules),
	KUNIT_CASE_PARAM(cached_neighbours_not_counted, utfs_paths_gen_params),
	KUNIT_CASE(get_folio_bypassing_iomap_keeps_cache),
	KUNIT_CASE(end_uncached_write_of_nothing),
	KUNIT_CASE_PARAM(nothing_cached_nothing_left, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(nothing_cached_async_writeback, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(unaligned_nothing_left, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(failed_invalidation_ignored, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(plain_write_is_cached, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(write_past_eof, eof_gen),
	KUNIT_CASE_PARAM(invalidate_pages2_result, inv2_state_gen_params),
	KUNIT_CASE_PARAM(write_past_eof_wb_error, utfs_paths_gen_params),
	{}
};

static struct kunit_suite uncached_invalidation_suite = {
	.name = "uncached_invalidation",
	.test_cases = uncached_invalidation_cases,
	UTFS_SUITE_OPS,
};

kunit_test_suite(uncached_invalidation_suite);
