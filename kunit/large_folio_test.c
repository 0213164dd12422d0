// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_large_folio: uncached writes and reads of a file whose mapping
 * takes large folios, as XFS's does: folios of several orders, a large
 * folio straddling the start or the end of the request, partly cached,
 * dirty, or created by the same write.  Each case asserts that the I/O
 * really met a large folio of the order it names, so that a kernel which
 * silently fell back to small folios fails.  Large folios need
 * CONFIG_TRANSPARENT_HUGEPAGE, which UML cannot have: there every case is
 * skipped, saying so; 'make check-arch' runs them in x86_64 under QEMU.
 */
#include <linux/pagemap.h>
#include <linux/swap.h>
#include <kunit/test.h>

#include "testfs.h"

/* A large folio's worth: 64 KiB, order 4 with 4 KiB pages. */
#define LF_SIZE		(16 * PAGE_SIZE)
#define LF_ORDER	4

static struct file *large_folio_file(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;

	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE))
		kunit_skip(test,
			   "no large folios without CONFIG_TRANSPARENT_HUGEPAGE ('make check-arch')");
	return utfs_new_large_folio_file(test, *path);
}

/* The order of the folio cached at @pos, or -1 if none is. */
static int cached_order(struct file *file, loff_t pos)
{
	struct folio *folio = filemap_get_folio(file->f_mapping,
						pos >> PAGE_SHIFT);
	int order;

	if (IS_ERR(folio))
		return -1;
	order = folio_order(folio);
	folio_put(folio);
	return order;
}

/* A clean large folio of [pos, pos + LF_SIZE), holding seed's pattern. */
static void cache_large_folio(struct kunit *test, struct file *file,
			      loff_t pos, u8 seed)
{
	KUNIT_ASSERT_EQ(test, (ssize_t)LF_SIZE,
			utfs_pwrite_pattern(test, file, pos, LF_SIZE, seed, 0));
	KUNIT_ASSERT_EQ(test, 0, vfs_fsync_range(file, pos, pos + LF_SIZE - 1,
						 0));
	KUNIT_ASSERT_EQ_MSG(test, LF_ORDER, cached_order(file, pos),
			    "the page cache did not use a large folio");
	utfs_reset_stats(utfs_file_inode(file));
}

/* @len bytes at @pos of the file read back hold seed's pattern. */
static void expect_file(struct kunit *test, struct file *file, loff_t pos,
			size_t len, u8 seed)
{
	u8 *got = kunit_kmalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_EXPECT_EQ(test, (ssize_t)len, utfs_pread(file, got, len, pos, 0));
	KUNIT_EXPECT_MEMEQ_MSG(test, got, utfs_pattern_buf(test, len, pos, seed),
			       len, "file at %lld", pos);
}

/*
 * An uncached write from the second page on creates folios of orders 0,
 * 1, 2, 3 and 4 as the position aligns, and drops them all, each written
 * back whole.  The write starts at EOF (the first page a hole): one past
 * EOF has its first chunk dropped again at the end, which would hide a
 * chunk that wrongly kept itself.
 */
static void write_creates_folios_of_several_orders(struct kunit *test)
{
	struct file *file = large_folio_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	const size_t len = 3 * LF_SIZE - PAGE_SIZE;

	i_size_write(file_inode(file), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, PAGE_SIZE, len, 1, RWF_UNCACHED));
	UTFS_ASSERT_NOT_FORCED(test);
	KUNIT_EXPECT_EQ_MSG(test, GENMASK(LF_ORDER, 0),
			    ui->stats.orders_created & GENMASK(LF_ORDER, 0),
			    "orders created: %#x", ui->stats.orders_created);
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.orders_found);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	utfs_expect_disk(test, ui, PAGE_SIZE, len, 1);
	utfs_expect_settled(test, file, "after the write");
}

/*
 * A clean large folio cached at [0, LF_SIZE), and an uncached write of
 * [LF_SIZE / 2, LF_SIZE * 3 / 2): the write found it, so the chunk stays
 * cached, the large folio with its order, each byte with its own write.
 */
static void large_folio_straddles_start(struct kunit *test)
{
	struct file *file = large_folio_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	const loff_t pos = LF_SIZE / 2;

	cache_large_folio(test, file, 0, 1);
	KUNIT_EXPECT_EQ(test, (ssize_t)LF_SIZE,
			utfs_pwrite_pattern(test, file, pos, LF_SIZE, 2, RWF_UNCACHED));
	KUNIT_EXPECT_TRUE(test, ui->stats.orders_found & BIT(LF_ORDER));
	KUNIT_EXPECT_EQ(test, LF_ORDER, cached_order(file, 0));
	KUNIT_EXPECT_FALSE(test, mapping_tagged(file->f_mapping,
						PAGECACHE_TAG_DIRTY));
	utfs_expect_disk(test, ui, 0, pos, 1);
	utfs_expect_disk(test, ui, pos, LF_SIZE, 2);
	utfs_expect_cache(test, file, pos, LF_SIZE, 2);
	expect_file(test, file, 0, pos, 1);
	utfs_expect_settled(test, file, "after the write");
}

/*
 * The same with the large folio at [LF_SIZE, 2 * LF_SIZE), straddling the
 * end of the write.
 */
static void large_folio_straddles_end(struct kunit *test)
{
	struct file *file = large_folio_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	const loff_t pos = LF_SIZE / 2;

	cache_large_folio(test, file, LF_SIZE, 1);
	KUNIT_EXPECT_EQ(test, (ssize_t)LF_SIZE,
			utfs_pwrite_pattern(test, file, pos, LF_SIZE, 2, RWF_UNCACHED));
	KUNIT_EXPECT_TRUE(test, ui->stats.orders_found & BIT(LF_ORDER));
	KUNIT_EXPECT_EQ(test, LF_ORDER, cached_order(file, LF_SIZE));
	KUNIT_EXPECT_FALSE(test, mapping_tagged(file->f_mapping,
						PAGECACHE_TAG_DIRTY));
	utfs_expect_disk(test, ui, pos, LF_SIZE, 2);
	utfs_expect_disk(test, ui, pos + LF_SIZE, LF_SIZE - pos, 1);
	expect_file(test, file, pos + LF_SIZE, LF_SIZE - pos, 1);
	utfs_expect_settled(test, file, "after the write");
}

/*
 * A dirty large folio, and an uncached write of a quarter inside it: the
 * write's writeback writes the whole folio, the other buffered write's
 * bytes with it, and leaves it cached and clean.
 */
static void dirty_large_folio_partly_overwritten(struct kunit *test)
{
	struct file *file = large_folio_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	const loff_t pos = LF_SIZE / 4;

	KUNIT_ASSERT_EQ(test, (ssize_t)LF_SIZE,
			utfs_pwrite_pattern(test, file, 0, LF_SIZE, 1, 0));
	KUNIT_ASSERT_EQ(test, LF_ORDER, cached_order(file, 0));
	KUNIT_EXPECT_EQ(test, (ssize_t)pos,
			utfs_pwrite_pattern(test, file, pos, pos, 2, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, LF_ORDER, cached_order(file, 0));
	KUNIT_EXPECT_FALSE(test, mapping_tagged(file->f_mapping,
						PAGECACHE_TAG_DIRTY));
	utfs_expect_disk(test, ui, 0, pos, 1);
	utfs_expect_disk(test, ui, pos, pos, 2);
	utfs_expect_disk(test, ui, 2 * pos, LF_SIZE - 2 * pos, 1);
	utfs_expect_settled(test, file, "after the write");
}

/* The end of the folio cached at @index, or 0 if none is. */
static loff_t cached_folio_end(struct file *file, pgoff_t index)
{
	struct folio *folio = filemap_get_folio(file->f_mapping, index);
	loff_t end;

	if (IS_ERR(folio))
		return 0;
	end = folio_pos(folio) + folio_size(folio);
	folio_put(folio);
	return end;
}

static struct file *file_with_large_folio(struct kunit *test, u8 *want)
{
	struct file *file = large_folio_file(test);

	utfs_fill_disk(utfs_file_inode(file), 0, want, 3 * LF_SIZE);
	cache_large_folio(test, file, LF_SIZE, 1);
	return file;
}

/*
 * A clean large folio cached at [LF_SIZE, 2 * LF_SIZE) of a file of three,
 * and an uncached read of [from, to) around or into it, and the same read,
 * plain, of a twin file: the data is right, the large folio stays with its
 * order, unmarked, and what else stays cached ([R1]) is marked, in folios
 * that end past the read (read ahead, or the one it ended in), and past
 * the read the same pages as the plain read's.
 */
static void read_with_large_folio(struct kunit *test, loff_t from, loff_t to)
{
	u8 *want = utfs_pattern_buf(test, 3 * LF_SIZE, 0, 3);
	struct file *file = file_with_large_folio(test, want);
	struct file *plain = file_with_large_folio(test, want);
	u8 *got = kunit_kmalloc(test, to - from, GFP_KERNEL);
	pgoff_t index;

	KUNIT_ASSERT_NOT_NULL(test, got);
	utfs_pattern(want + LF_SIZE, LF_SIZE, LF_SIZE, 1);
	KUNIT_EXPECT_EQ(test, (ssize_t)(to - from),
			utfs_pread(file, got, to - from, from, RWF_UNCACHED));
	KUNIT_EXPECT_MEMEQ(test, got, want + from, to - from);
	KUNIT_EXPECT_EQ(test, (ssize_t)(to - from),
			utfs_pread(plain, got, to - from, from, 0));
	KUNIT_EXPECT_EQ(test, LF_ORDER, cached_order(file, LF_SIZE));
	KUNIT_EXPECT_EQ(test, 0U, utfs_marked_folios(file, LF_SIZE, LF_SIZE));
	for (index = 0; index < 3 * LF_SIZE / PAGE_SIZE; index++) {
		loff_t at = (loff_t)index << PAGE_SHIFT;
		loff_t end = cached_folio_end(file, index);

		if (at >= LF_SIZE && at < 2 * LF_SIZE)
			continue;
		if (end)
			KUNIT_EXPECT_TRUE_MSG(test, end > to &&
					      utfs_marked_folios(file, at, PAGE_SIZE),
					      "page %lu: cached, in a folio ending at %lld",
					      index, end);
		if (at >= to)
			KUNIT_EXPECT_EQ_MSG(test, !!cached_folio_end(plain, index),
					    !!end, "page %lu, the plain read's", index);
	}
	utfs_expect_settled(test, file, "after the read");
}

static void read_around_large_folio(struct kunit *test)
{
	read_with_large_folio(test, 0, 3 * LF_SIZE);
}

static void read_starts_inside_large_folio(struct kunit *test)
{
	read_with_large_folio(test, LF_SIZE + LF_SIZE / 2,
			      2 * LF_SIZE + LF_SIZE / 2);
}

static void read_ends_inside_large_folio(struct kunit *test)
{
	read_with_large_folio(test, LF_SIZE / 2, LF_SIZE + LF_SIZE / 2);
}

/*
 * [R1] A marked large folio that is split stays marked in every part that
 * stays cached, so that the uncached read that consumes them drops them.
 * Uncached reads of the file's head, in 64 KiB calls, until readahead has
 * brought in a marked large folio past them; a truncate into that folio
 * splits it (truncate_inode_partial_folio()); the parts below the new EOF
 * must all be marked, and a read to EOF leaves nothing.  Upstream's
 * RWF_DONTCACHE lost the mark in the split once
 * (kunit/designs/dropbehind/bugs/04); mutant 84 plants that bug here.
 */
static void split_keeps_mark(struct kunit *test)
{
	struct file *file = large_folio_file(test);
	u8 *want = utfs_pattern_buf(test, UTFS_MAX_SIZE, 0, 9);
	u8 *got = kunit_kmalloc(test, UTFS_MAX_SIZE, GFP_KERNEL);
	struct folio *folio = NULL;
	loff_t pos = 0, at, start = 0, end;
	pgoff_t index;

	KUNIT_ASSERT_NOT_NULL(test, got);
	utfs_fill_disk(utfs_file_inode(file), 0, want, UTFS_MAX_SIZE);
	while (!folio && pos + LF_SIZE < UTFS_MAX_SIZE) {
		KUNIT_ASSERT_EQ(test, (ssize_t)LF_SIZE,
				utfs_pread(file, got, LF_SIZE, pos, RWF_UNCACHED));
		pos += LF_SIZE;
		for (index = pos >> PAGE_SHIFT; !folio &&
		     index < UTFS_MAX_SIZE >> PAGE_SHIFT; index++) {
			folio = filemap_get_folio(file->f_mapping, index);
			if (IS_ERR(folio)) {
				folio = NULL;
				continue;
			}
			start = folio_pos(folio);
			if (folio_order(folio) < 2 || start < pos ||
			    !folio_test_dropbehind(folio)) {
				index = folio_next_index(folio) - 1;
				folio_put(folio);
				folio = NULL;
			}
		}
	}
	KUNIT_ASSERT_NOT_NULL_MSG(test, folio,
				  "readahead brought in no marked folio of order 2 or more");
	end = start + folio_size(folio);
	folio_put(folio);
	/* A folio still on a CPU's LRU batch has a reference: not split. */
	lru_add_drain_all();
	at = start + (end - start) / 2 + 100;
	KUNIT_ASSERT_EQ(test, 0, vfs_truncate(&file->f_path, at));
	folio = filemap_get_folio(file->f_mapping, start >> PAGE_SHIFT);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(folio),
			       "the truncate dropped the folio instead of splitting it");
	end -= folio_size(folio);
	folio_put(folio);
	KUNIT_ASSERT_GT_MSG(test, end, start, "the truncate did not split the folio");
	KUNIT_EXPECT_EQ_MSG(test, utfs_cached_folios(file, start, at - start),
			    utfs_marked_folios(file, start, at - start),
			    "the parts of a marked folio below EOF after its split");
	KUNIT_EXPECT_GT(test, utfs_cached_folios(file, start, at - start), 0U);
	/* The uncached read to EOF drops them all. */
	KUNIT_EXPECT_EQ(test, (ssize_t)(at - pos),
			utfs_pread(file, got, at - pos, pos, RWF_UNCACHED));
	KUNIT_EXPECT_MEMEQ(test, got, want + pos, at - pos);
	KUNIT_EXPECT_EQ(test, 0U, utfs_cached_folios(file, pos, at - pos));
	utfs_expect_settled(test, file, "after the split and the read");
}

/*
 * Writeback of a large folio the uncached write created fails: the error
 * is returned, and the folio stays cached, whole, with the data.
 */
static void writeback_error_in_large_folio(struct kunit *test)
{
	struct file *file = large_folio_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);

	ui->faults.wb_error = -EIO;
	KUNIT_EXPECT_EQ(test, (ssize_t)-EIO,
			utfs_pwrite_pattern(test, file, 0, LF_SIZE, 1, RWF_UNCACHED));
	ui->faults.wb_error = 0;
	KUNIT_EXPECT_TRUE(test, ui->stats.orders_created & BIT(LF_ORDER));
	KUNIT_EXPECT_EQ(test, LF_ORDER, cached_order(file, 0));
	utfs_expect_cache(test, file, 0, LF_SIZE, 1);
	utfs_expect_settled(test, file, "after the write");
}

static struct kunit_case uncached_large_folio_cases[] = {
	KUNIT_CASE_PARAM(write_creates_folios_of_several_orders,
			 utfs_paths_gen_params),
	KUNIT_CASE_PARAM(large_folio_straddles_start, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(large_folio_straddles_end, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(dirty_large_folio_partly_overwritten,
			 utfs_paths_gen_params),
	KUNIT_CASE_PARAM(read_around_large_folio, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(read_starts_inside_large_folio, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(read_ends_inside_large_folio, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(writeback_error_in_large_folio, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(split_keeps_mark, utfs_paths_gen_params),
	{}
};

static struct kunit_suite uncached_large_folio_suite = {
	.name = "uncached_large_folio",
	.test_cases = uncached_large_folio_cases,
	UTFS_SUITE_OPS,
};

kunit_test_suite(uncached_large_folio_suite);
