// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_staleness: an uncached write never writes a folio through a
 * stale mapping.  Writeback (which converts delalloc, trims speculative
 * preallocation and bumps the validity cookie) runs once, after the last
 * ->iomap_end, so every mapping the write uses is the one ->iomap_begin
 * handed out; a mapping that does go stale behind the writer's back is
 * caught by ->iomap_valid and remapped.
 */
#include <linux/pagemap.h>
#include <kunit/test.h>

#include "testfs.h"

/* Index of the first event of a type, or -1. */
static int first_event(struct utfs_inode *ui, enum utfs_event_type type)
{
	unsigned int i;

	for (i = 0; i < ui->nr_events; i++)
		if (ui->events[i].type == type)
			return i;
	return -1;
}

static int last_event(struct utfs_inode *ui, enum utfs_event_type type)
{
	int i;

	for (i = ui->nr_events - 1; i >= 0; i--)
		if (ui->events[i].type == type)
			return i;
	return -1;
}

/* Writeback only after the write is done with all of its mappings. */
static void expect_writeback_after_last_mapping(struct kunit *test,
						struct utfs_inode *ui)
{
	KUNIT_ASSERT_LT(test, ui->nr_events, UTFS_MAX_EVENTS);
	KUNIT_EXPECT_GE(test, first_event(ui, UTFS_EV_WRITEBACK), 0);
	KUNIT_EXPECT_GT(test, first_event(ui, UTFS_EV_WRITEBACK),
			last_event(ui, UTFS_EV_END));
	KUNIT_EXPECT_GT(test, first_event(ui, UTFS_EV_WRITEBACK),
			last_event(ui, UTFS_EV_BEGIN));
}

/*
 * Written, hole and unwritten extents under one write: three mappings,
 * each used until its end, no stale mapping, one writeback pass after
 * the last ->iomap_end, and the speculative delalloc beyond EOF trimmed.
 */
static void write_spanning_mappings(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 6 * PAGE_SIZE;
	unsigned int b;

	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, 2 * PAGE_SIZE, 0, 1),
		       2 * PAGE_SIZE);
	utfs_set_extent(ui, 4, 2, UTFS_UNWRITTEN);
	utfs_reset_stats(ui);

	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 2, RWF_UNCACHED));

	KUNIT_EXPECT_EQ(test, 3U, ui->stats.mappings);
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.stale);
	KUNIT_EXPECT_EQ(test, 1U, ui->stats.writebacks);
	KUNIT_EXPECT_EQ(test, 6U, ui->stats.folios_written);
	expect_writeback_after_last_mapping(test, ui);

	utfs_expect_disk(test, ui, 0, len, 2);
	for (b = 0; b < 6; b++)
		KUNIT_EXPECT_EQ_MSG(test, UTFS_WRITTEN, ui->extent[b],
				    "block %u", b);
	for (b = 6; b < UTFS_MAX_BLOCKS; b++)
		KUNIT_EXPECT_EQ_MSG(test, UTFS_HOLE, ui->extent[b],
				    "block %u beyond EOF", b);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
}

/* A large write over one hole: one mapping, one ->writepages call. */
static void large_write_one_mapping(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 16 * PAGE_SIZE;

	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 3, RWF_UNCACHED));

	KUNIT_EXPECT_EQ(test, 1U, ui->stats.mappings);
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.stale);
	KUNIT_EXPECT_EQ(test, 1U, ui->stats.writebacks);
	KUNIT_EXPECT_EQ(test, 1U, utfs_count_events(ui, UTFS_EV_WRITEBACK));
	KUNIT_EXPECT_EQ(test, 16U, ui->stats.folios_written);
	expect_writeback_after_last_mapping(test, ui);
	utfs_expect_disk(test, ui, 0, len, 3);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
}

/*
 * The mapping goes stale behind the writer's back (the cookie is bumped
 * while the second folio is looked up): ->iomap_valid catches it, the
 * rest of the write is remapped, and the data is still right.
 */
static void stale_cookie_detected_and_remapped(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 4 * PAGE_SIZE;
	int stale, begin2;

	ui->faults.bump_cookie_at = 2;
	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 4, RWF_UNCACHED));

	KUNIT_EXPECT_EQ(test, 1U, ui->stats.stale);
	KUNIT_EXPECT_EQ(test, 2U, ui->stats.mappings);
	/* The remap starts at the folio whose lookup found it stale. */
	stale = first_event(ui, UTFS_EV_STALE);
	begin2 = last_event(ui, UTFS_EV_BEGIN);
	KUNIT_EXPECT_GE(test, stale, 0);
	KUNIT_EXPECT_GT(test, begin2, stale);
	KUNIT_EXPECT_EQ(test, (loff_t)PAGE_SIZE, ui->events[begin2].pos);
	expect_writeback_after_last_mapping(test, ui);
	utfs_expect_disk(test, ui, 0, len, 4);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
}

/*
 * Two uncached writes in a row: the second maps what the first one's
 * writeback left (written blocks, trimmed preallocation), with a fresh
 * ->iomap_begin, and never sees a stale mapping.
 */
static void next_write_maps_after_writeback(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = 2 * PAGE_SIZE;

	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 5, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, UTFS_HOLE, ui->extent[2]);
	utfs_reset_stats(ui);

	/* Overwrite block 1 (now written) and extend into block 2. */
	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, PAGE_SIZE, len, 6, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.stale);
	KUNIT_EXPECT_EQ(test, 2U, ui->stats.mappings);
	KUNIT_ASSERT_GE(test, ui->nr_events, 1U);
	KUNIT_EXPECT_EQ(test, UTFS_EV_BEGIN, ui->events[0].type);
	KUNIT_EXPECT_EQ(test, UTFS_WRITTEN, ui->events[0].extent);
	expect_writeback_after_last_mapping(test, ui);
	utfs_expect_disk(test, ui, 0, PAGE_SIZE, 5);
	utfs_expect_disk(test, ui, PAGE_SIZE, len, 6);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
}

/*
 * A write of two and a half chunks, from an offset that is not chunk
 * aligned: one writeback per chunk, over exactly that chunk, after the
 * ->iomap_end of the chunk's mappings and before the next chunk is mapped;
 * no stale mapping; the page cache never holds more than a chunk.
 */
static void large_write_in_chunks(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	const size_t chunk = UNCACHED_WRITE_CHUNK;
	size_t len = 2 * chunk + chunk / 2;
	loff_t pos = PAGE_SIZE, start[3] = { pos, chunk, 2 * chunk };
	loff_t end[3] = { chunk, 2 * chunk, pos + len };
	struct file *file = utfs_new_sized_file(test, *path, 3 * chunk);
	struct utfs_inode *ui = utfs_file_inode(file);
	unsigned int k, i;

	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, pos, len, 7, RWF_UNCACHED));
	UTFS_ASSERT_NOT_FORCED(test);
	KUNIT_ASSERT_LT(test, ui->nr_events, UTFS_MAX_EVENTS);
	KUNIT_EXPECT_EQ(test, 3U, ui->stats.writebacks);
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.stale);
	KUNIT_EXPECT_LE(test, ui->stats.max_nrpages, chunk / PAGE_SIZE);
	for (k = 0; k < 3; k++) {
		const struct utfs_event *wb;

		wb = utfs_find_event(ui, UTFS_EV_WRITEBACK, k);
		KUNIT_ASSERT_NOT_NULL(test, wb);
		KUNIT_EXPECT_EQ_MSG(test, start[k], wb->pos, "chunk %u", k);
		KUNIT_EXPECT_EQ_MSG(test, end[k] - start[k], (loff_t)wb->len,
				    "chunk %u", k);
		/* The chunk's mappings before its writeback, the rest after. */
		for (i = 0; i < ui->nr_events; i++) {
			const struct utfs_event *ev = &ui->events[i];

			if (ev->type != UTFS_EV_BEGIN && ev->type != UTFS_EV_END)
				continue;
			KUNIT_EXPECT_EQ_MSG(test, ev->pos < end[k], ev < wb,
					    "mapping at %lld, chunk %u",
					    ev->pos, k);
		}
	}
	utfs_expect_disk(test, ui, pos, len, 7);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
}

static struct kunit_case uncached_staleness_cases[] = {
	KUNIT_CASE_PARAM(large_write_in_chunks, utfs_paths_gen_params),
	KUNIT_CASE(write_spanning_mappings),
	KUNIT_CASE(large_write_one_mapping),
	KUNIT_CASE(stale_cookie_detected_and_remapped),
	KUNIT_CASE(next_write_maps_after_writeback),
	{}
};

static struct kunit_suite uncached_staleness_suite = {
	.name = "uncached_staleness",
	.test_cases = uncached_staleness_cases,
	UTFS_SUITE_OPS,
};

kunit_test_suite(uncached_staleness_suite);
