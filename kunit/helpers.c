// SPDX-License-Identifier: GPL-2.0
/*
 * What only the tests use of uncached_testfs: the event log and counters
 * read back, data patterns and expectations on the disk and the page
 * cache, I/O helpers, parameters, and fault injection into the page cache
 * (filemap_add_folio() through a KUnit static stub).  The filesystem
 * itself is in testfs.c.
 */
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/uio.h>
#include <kunit/static_stub.h>

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

static void utfs_kvfree(void *buf)
{
	kvfree(buf);
}

/* kvmalloc: a write of several chunks needs more than kmalloc gives. */
void *utfs_pattern_buf(struct kunit *test, size_t len, loff_t pos, u8 seed)
{
	void *buf = kvmalloc(len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, utfs_kvfree,
							    buf));
	utfs_pattern(buf, len, pos, seed);
	return buf;
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
	loff_t off;

	KUNIT_ASSERT_NOT_NULL(test, got);
	for (off = pos; off < pos + len; off += PAGE_SIZE) {
		struct folio *folio = filemap_get_folio(file->f_mapping,
							off >> PAGE_SHIFT);

		if (IS_ERR(folio))
			continue;
		KUNIT_EXPECT_TRUE(test, folio_test_uptodate(folio));
		memcpy_from_folio(got, folio, offset_in_folio(folio, off),
				  PAGE_SIZE);
		KUNIT_EXPECT_MEMEQ_MSG(test, got, want + (off - pos), PAGE_SIZE,
				       "cached folio at %lld", off);
		folio_put(folio);
	}
}

void utfs_expect_settled(struct kunit *test, struct file *file,
			 const char *what)
{
	struct address_space *mapping = file->f_mapping;
	struct utfs_inode *ui = utfs_file_inode(file);
	unsigned long nrpages = 0;
	pgoff_t index;

	lru_add_drain();	/* the LRU add batch holds references too */
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
		 * a large folio), and ours.
		 */
		KUNIT_EXPECT_EQ_MSG(test,
				    folio_nr_pages(folio) +
				    folio_mapcount(folio) +
				    folio_test_private(folio) + 1,
				    (long)folio_ref_count(folio),
				    "%s, folio %lu references", what, index);
		index = folio_next_index(folio) - 1;
		folio_put(folio);
	}
	KUNIT_EXPECT_EQ_MSG(test, nrpages, mapping->nrpages,
			    "%s: page count of the mapping", what);
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

static int utfs_add_folio_stub(struct address_space *mapping,
			       struct folio *folio, pgoff_t index, gfp_t gfp)
{
	struct kunit *test = kunit_get_current_test();
	struct utfs_inode *ui;
	int ret;

	if (mapping->host->i_sb->s_magic == UTFS_MAGIC) {
		ui = UTFS_I(mapping->host);
		spin_lock(&ui->lock);
		ui->stats.add_folio_calls++;
		ret = ui->faults.alloc_error;
		if (ui->stats.add_folio_calls <= ui->faults.alloc_error_after ||
		    (ui->faults.alloc_error_times &&
		     ui->stats.alloc_failures >= ui->faults.alloc_error_times))
			ret = 0;
		if (ret)
			ui->stats.alloc_failures++;
		spin_unlock(&ui->lock);
		if (ret)
			return ret;
	}
	/* Anything else goes to the real filemap_add_folio(). */
	kunit_deactivate_static_stub(test, filemap_add_folio);
	ret = filemap_add_folio(mapping, folio, index, gfp);
	kunit_activate_static_stub(test, filemap_add_folio, utfs_add_folio_stub);
	return ret;
}

void utfs_inject_alloc_error(struct kunit *test, struct utfs_inode *ui,
			     int error)
{
	ui->faults.alloc_error = error;
	kunit_activate_static_stub(test, filemap_add_folio, utfs_add_folio_stub);
}

void utfs_release_writeback(struct utfs_inode *ui, pgoff_t end)
{
	WRITE_ONCE(ui->faults.wb_released, end);
	wake_up_all(&ui->wb_hold);
}

unsigned int utfs_cached_folios(struct file *file, loff_t pos, size_t len)
{
	pgoff_t index, last = (pos + len - 1) >> PAGE_SHIFT;
	unsigned int n = 0;

	for (index = pos >> PAGE_SHIFT; index <= last; index++) {
		struct folio *folio = filemap_get_folio(file->f_mapping, index);

		if (!IS_ERR(folio)) {
			n++;
			folio_put(folio);
		}
	}
	return n;
}
