// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_enomem_fallback: an uncached write looks each folio up without
 * creating it, falls back to creating it when it is not cached (once per
 * folio), and returns a genuine allocation failure of that fallback as an
 * error or a short write: no retry loop, nothing left locked or cached.
 * Allocations fail through the kernel's fault injection, in the lookups
 * of one folio (faults.fail_alloc_index).
 */
#include <linux/pagemap.h>
#include <kunit/test.h>

#include "testfs.h"

/* Nothing cached: every folio is created once, and dropped at the end. */
static void not_cached_falls_back_once_per_folio(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 4 * PAGE_SIZE;

	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 1, RWF_UNCACHED));
	/* One lookup per folio, each creating it, in one mapping. */
	KUNIT_EXPECT_EQ(test, 4U, ui->stats.folios_created);
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.folios_found);
	KUNIT_EXPECT_EQ(test, 1U, ui->stats.mappings);
	KUNIT_EXPECT_EQ(test, 4U, ui->lookups_in_mapping);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	utfs_expect_disk(test, ui, 0, len, 1);
}

/*
 * The folio cannot be allocated at all: the error, tried once, nothing
 * written or cached; once memory is back, the same write works.  The
 * generic_perform_write() path behaves the same.
 */
static void enomem_returns_error(struct kunit *test)
{
	struct file *file = utfs_new_param_file(test);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 2 * PAGE_SIZE;

	ui->faults.fail_alloc_index = 0;
	ui->faults.fail_alloc_lookups = UINT_MAX;
	UTFS_ASSERT_NOT_FORCED(test);
	KUNIT_EXPECT_EQ(test, -ENOMEM,
			utfs_pwrite_pattern(test, file, 0, len, 2, RWF_UNCACHED));
	/* Tried once, not again and again. */
	KUNIT_EXPECT_EQ(test, 1U, ui->stats.alloc_failed);
	KUNIT_EXPECT_EQ(test, 0, i_size_read(file_inode(file)));
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.writebacks);

	ui->faults.fail_alloc_lookups = 0;
	KUNIT_EXPECT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 2, RWF_UNCACHED));
	utfs_expect_disk(test, ui, 0, len, 2);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
}

/*
 * The first half is cached, the second is not and cannot be allocated:
 * a short write of the cached half, written back, with the rest of the
 * file as it was and the cached folios unlocked, uptodate and in place.
 */
static void enomem_midway_is_short_write(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 4 * PAGE_SIZE, half = 2 * PAGE_SIZE;
	unsigned int i;

	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, len, 0, 3), len);
	utfs_cache_range(test, file, 0, half);
	utfs_reset_stats(ui);

	ui->faults.fail_alloc_index = 2;
	ui->faults.fail_alloc_lookups = UINT_MAX;
	KUNIT_EXPECT_EQ(test, (ssize_t)half,
			utfs_pwrite_pattern(test, file, 0, len, 4, RWF_UNCACHED));
	/*
	 * Once in the first mapping, and once more when iomap maps the rest
	 * after the partial progress: that is iomap's iteration, not a retry.
	 */
	KUNIT_EXPECT_EQ(test, 2U, ui->stats.alloc_failed);
	utfs_expect_disk(test, ui, 0, half, 4);
	utfs_expect_disk(test, ui, half, half, 3);
	/* Pre-cached folios stay, hold the new data, and are unlocked. */
	KUNIT_EXPECT_EQ(test, 2U, utfs_cached_folios(file, 0, len));
	utfs_expect_cache(test, file, 0, half, 4);
	for (i = 0; i < 2; i++) {
		struct folio *folio = filemap_get_folio(file->f_mapping, i);

		KUNIT_ASSERT_FALSE(test, IS_ERR(folio));
		KUNIT_EXPECT_FALSE(test, folio_test_locked(folio));
		KUNIT_EXPECT_FALSE(test, folio_test_dirty(folio));
		folio_put(folio);
	}
}

/*
 * Half cached, half not: the cached folios are found, the others created;
 * since the write found cached folios, nothing is dropped.
 */
static void half_cached_half_not(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 4 * PAGE_SIZE;

	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, len, 0, 5), len);
	utfs_cache_range(test, file, 2 * PAGE_SIZE, 2 * PAGE_SIZE);
	utfs_reset_stats(ui);

	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 6, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 2U, ui->stats.folios_created);
	KUNIT_EXPECT_EQ(test, 2U, ui->stats.folios_found);
	KUNIT_EXPECT_EQ(test, 4U, utfs_cached_folios(file, 0, len));
	utfs_expect_cache(test, file, 0, len, 6);
	utfs_expect_disk(test, ui, 0, len, 6);
}

/*
 * The first lookup of an uncached write fails with an error other than
 * -ENOENT (-EAGAIN: IOMAP_NOWAIT, and the folio is locked): iomap_get_folio()
 * returns that error as it is, and records nothing.
 */
static void uncached_lookup_error_returned(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct iomap_iter iter = {
		.inode	= file_inode(file),
		.flags	= IOMAP_WRITE | IOMAP_UNCACHED | IOMAP_NOWAIT,
	};
	struct folio *locked, *folio;

	locked = filemap_grab_folio(file->f_mapping, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(locked));
	folio = iomap_get_folio(&iter, 0, PAGE_SIZE);
	folio_unlock(locked);
	folio_put(locked);
	KUNIT_EXPECT_PTR_EQ(test, ERR_PTR(-EAGAIN), folio);
	KUNIT_EXPECT_FALSE(test, iter.found_cached);
	KUNIT_EXPECT_EQ(test, 0, iter.uncached_pos);
}

static struct kunit_case uncached_fallback_cases[] = {
	KUNIT_CASE(uncached_lookup_error_returned),
	KUNIT_CASE(not_cached_falls_back_once_per_folio),
	KUNIT_CASE_PARAM(enomem_returns_error, utfs_paths_gen_params),
	KUNIT_CASE(enomem_midway_is_short_write),
	KUNIT_CASE(half_cached_half_not),
	{}
};

static struct kunit_suite uncached_fallback_suite = {
	.name = "uncached_enomem_fallback",
	.test_cases = uncached_fallback_cases,
	UTFS_SUITE_OPS,
};

kunit_test_suite(uncached_fallback_suite);
