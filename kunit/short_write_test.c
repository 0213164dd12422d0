// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_short_write: an uncached write whose user buffer ends in a
 * fault, at every kind of position of a folio: its first byte, its
 * second, a sector in, half-way, its last byte, and (large folios) a page
 * boundary inside it; in the first, second and last folio of the write;
 * from a folio-aligned start and an unaligned one; on both write paths;
 * on a new file, on a file whose data is on the disk and nothing cached,
 * on the same with the last folio of the write cached before, and with a
 * write one byte longer, into a folio cached before that no stop lets it
 * look up (the part it did not reach is then that byte or more).  The
 * large-folio cases (folios of 64 KiB) exist where large folios do: in
 * x86_64 ('make check-arch'), not under UML.
 *
 * The buffer is user memory (kunit_vm_mmap()) whose pages past the stop
 * are unmapped, so the copy stops at that byte as it does for a program
 * whose buffer runs into an unmapped page.  [A1]: the write returns the
 * bytes before the stop (EFAULT if none), and what it wrote is written
 * back and dropped; [W1]: unless a folio of the chunk was cached before
 * the call, in the part the write reached or in the part it did not:
 * then the chunk stays, clean.  Either way nothing is dirty, locked or
 * under writeback after the call.
 *
 * Fails before the fix to the short-chunk rule: the rule asked the page
 * cache about "the part the write did not reach" from the stop on, where
 * the folio the write stopped in, its own, is cached; every stop inside
 * a folio then kept the chunk cached (small folios: offsets 1 to the
 * folio's end; large folios: every stop that is not a folio's first
 * byte, page boundaries inside it included).
 */
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <kunit/test.h>

#include "testfs.h"

#define SW_FOLIOS	4	/* the write is 4 folios long */
#define SW_LARGE	(16 * PAGE_SIZE)
#define SW_OLD		51	/* the disk's data before the write */
#define SW_NEW		52	/* the write's */

enum sw_file {
	SW_NEW_FILE, SW_ON_DISK, SW_LAST_CACHED, SW_TAIL_CACHED, SW_NR_FILES
};

static const char *const sw_file_names[SW_NR_FILES] = {
	"new", "on_disk", "last_cached", "tail_cached"
};

struct sw_case {
	enum utfs_path path;
	enum sw_file file;
	bool large;
	loff_t pos;		/* where the write starts */
	loff_t stop;		/* the first byte it cannot copy */
};

/* Offsets in a folio the write may stop at (large folios: all of them). */
static const size_t sw_offsets[] = {
	0, 1, 512, PAGE_SIZE / 2, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1,
	SW_LARGE / 2, SW_LARGE - 1
};

/* SW_FOLIOS: the first byte of the tail folio, the write's last byte. */
static const unsigned int sw_stop_folios[] = { 0, 1, SW_FOLIOS - 1, SW_FOLIOS };

#define NR_SW_CASES	(2 * SW_NR_FILES * 2 * 2 * \
			 ARRAY_SIZE(sw_stop_folios) * ARRAY_SIZE(sw_offsets))
static struct sw_case sw_cases[NR_SW_CASES];

static size_t sw_folio_size(const struct sw_case *c)
{
	return c->large ? SW_LARGE : PAGE_SIZE;
}

static bool sw_case_make(unsigned int i, struct sw_case *c)
{
	size_t off = sw_offsets[i % ARRAY_SIZE(sw_offsets)], fsize;
	unsigned int stop_folio;

	i /= ARRAY_SIZE(sw_offsets);
	stop_folio = sw_stop_folios[i % ARRAY_SIZE(sw_stop_folios)];
	i /= ARRAY_SIZE(sw_stop_folios);
	c->pos = i % 2 ? 100 : 0;
	i /= 2;
	c->large = i % 2;
	i /= 2;
	c->file = i % SW_NR_FILES;
	c->path = i / SW_NR_FILES ? UTFS_GENERIC : UTFS_IOMAP;
	fsize = sw_folio_size(c);
	c->stop = stop_folio * fsize + off;
	/*
	 * Large folios (x86_64 only: UML has no transparent huge pages)
	 * from 0 only; each offset once per folio size.
	 */
	if (c->large && (c->pos || !IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE)))
		return false;
	/* A fifth large folio would not fit in the file. */
	if (c->large && c->file == SW_TAIL_CACHED)
		return false;
	if (stop_folio == SW_FOLIOS && (c->file != SW_TAIL_CACHED || off))
		return false;
	return off < fsize && c->stop >= c->pos;
}

/* The next case after @prev on @path. */
static const void *sw_next(const void *prev, char *desc, enum utfs_path path)
{
	unsigned int i = utfs_case_index(prev, sw_cases,
					 sizeof(*sw_cases));
	const struct sw_case *c;

	for (; i < NR_SW_CASES; i++) {
		c = &sw_cases[i];
		if (!sw_case_make(i, &sw_cases[i]) || c->path != path)
			continue;
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s.%s.pos_%lld.stop_%lld",
			 sw_file_names[c->file], c->large ? "large" : "small",
			 c->pos, c->stop);
		return c;
	}
	return NULL;
}

static const void *sw_iomap_gen(const void *prev, char *desc)
{
	return sw_next(prev, desc, UTFS_IOMAP);
}

static const void *sw_generic_gen(const void *prev, char *desc)
{
	return sw_next(prev, desc, UTFS_GENERIC);
}

/*
 * A user buffer for a write of @len bytes at @pos whose first @k bytes
 * hold the write's data and whose byte @k is the first of an unmapped page.
 */
static const void __user *sw_buffer(struct kunit *test, size_t len, size_t k,
				    loff_t pos)
{
	size_t mapped = round_up(k, PAGE_SIZE);
	size_t total = mapped + round_up(len, PAGE_SIZE);
	unsigned long base;
	char __user *buf;

	base = kunit_vm_mmap(test, NULL, 0, total, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE_MSG(test, !base || IS_ERR_VALUE(base),
			       "no user memory for the buffer");
	buf = (char __user *)base + mapped - k;
	if (k)
		KUNIT_ASSERT_EQ(test, 0UL,
				copy_to_user(buf, utfs_pattern_buf(test, k, pos,
								   SW_NEW),
					     k));
	KUNIT_ASSERT_EQ(test, 0, vm_munmap(base + mapped, total - mapped));
	return buf;
}

static void sw_run(struct kunit *test)
{
	const struct sw_case *c = test->param_value;
	bool tail = c->file == SW_TAIL_CACHED;
	size_t fsize = sw_folio_size(c), len = SW_FOLIOS * fsize - c->pos + tail;
	size_t k = c->stop - c->pos, size = (SW_FOLIOS + tail) * fsize;
	loff_t last = (SW_FOLIOS - !tail) * fsize, end = c->pos + k, p = c->pos;
	const void __user *buf;
	struct utfs_inode *ui;
	struct iov_iter iter;
	struct file *file;
	bool kept;
	ssize_t ret;

	file = c->large ? utfs_new_large_folio_file(test, c->path) :
			  utfs_new_file(test, c->path);
	ui = utfs_file_inode(file);
	if (c->file != SW_NEW_FILE)
		utfs_fill_disk(ui, 0, utfs_pattern_buf(test, size, 0, SW_OLD),
			       size);
	if (c->file == SW_LAST_CACHED || tail)
		utfs_cache_range(test, file, last, fsize);
	utfs_reset_stats(ui);

	buf = sw_buffer(test, len, k, c->pos);
	iov_iter_ubuf(&iter, ITER_SOURCE, (void __user *)buf, len);
	ret = vfs_iter_write(file, &iter, &p, RWF_UNCACHED);
	UTFS_ASSERT_NOT_FORCED(test);

	/* [A1] The bytes before the stop, or the error if there are none. */
	KUNIT_EXPECT_EQ(test, k ? (ssize_t)k : -EFAULT, ret);
	if (k) {
		utfs_expect_disk(test, ui, c->pos, k, SW_NEW);
		KUNIT_EXPECT_EQ(test, c->file == SW_NEW_FILE ? end :
				(loff_t)size, i_size_read(file_inode(file)));
	}
	if (c->file != SW_NEW_FILE)
		utfs_expect_disk(test, ui, end, size - end, SW_OLD);
	if (c->large && k)
		KUNIT_EXPECT_NE_MSG(test, 0U, ui->stats.orders_created & ~1U,
				    "the write created no large folio");
	utfs_expect_settled(test, file, "after the write");

	/*
	 * [W1] The chunk stays if a folio of it was cached before: the last
	 * one, reached or not.  Otherwise nothing the write brought in is.
	 */
	kept = c->file == SW_LAST_CACHED || tail;
	KUNIT_EXPECT_EQ_MSG(test, kept, utfs_cached_folios(file, last, fsize) != 0,
			    "the folio cached before the write");
	if (!kept)
		KUNIT_EXPECT_EQ_MSG(test, 0U, utfs_cached_folios(file, 0, size),
				    "pages cached after the write, nothing before");
	else if (k)
		utfs_expect_cache(test, file, c->pos, k, SW_NEW);
}

/* The iomap write path: iomap_file_buffered_write(). */
static void short_write_iomap(struct kunit *test)
{
	sw_run(test);
}

/* The other write path: generic_perform_write(). */
static void short_write_generic(struct kunit *test)
{
	sw_run(test);
}

/*
 * A write past EOF whose buffer faults at its first byte, or later: the
 * file system zeroes from EOF up to the write first (faults.zero_eof: XFS's
 * way on the iomap files, before the copy; ext4's on the generic ones,
 * after a copy), and stale blocks past EOF with it (iomap).  [W1]: that
 * zeroing is the write's, and nothing it dirtied is dirty after the call,
 * the old EOF folio gone, whether the write copied something or nothing
 * (-EFAULT, i_size where it was).  A write at EOF zeroes nothing, and the
 * EOF folio cached before it stays.  Before the fix, a write that copied
 * nothing left the zeroed EOF folio dirty.  [E1] If the zeroed EOF folio's
 * writeback fails, that folio stays cached; the write that copied
 * something returns the error (so its file's next fsync() does not), one
 * that copied nothing its own error, leaving -EIO to its file's next
 * fsync().
 */
struct swe_case {
	enum utfs_path path;
	bool stale;
	bool at_eof;		/* at EOF, the EOF folio cached before */
	bool wb_error;		/* the EOF folio's writeback fails */
	size_t copied;
};

/*
 * iomap, generic, iomap with stale blocks; at EOF: iomap, generic; iomap
 * with the EOF folio's writeback failing
 */
static struct swe_case swe_cases[6 * 3];

static const void *swe_gen(const void *prev, char *desc)
{
	static const size_t copied[] = { 0, 1, PAGE_SIZE + 1 };
	unsigned int i;
	struct swe_case *e = UTFS_NEXT_CASE(prev, swe_cases, &i);

	if (!e)
		return NULL;
	e->copied = copied[i % 3];
	e->path = i / 3 == 1 || i / 3 == 4 ? UTFS_GENERIC : UTFS_IOMAP;
	e->stale = i / 3 == 2;
	e->at_eof = i / 3 == 3 || i / 3 == 4;
	e->wb_error = i / 3 == 5;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s%s%s%s.copied_%zu",
		 e->path == UTFS_IOMAP ? "iomap" : "generic",
		 e->stale ? ".stale" : "", e->at_eof ? ".at_eof_cached" : "",
		 e->wb_error ? ".eof_wb_error" : "", e->copied);
	return e;
}

static void short_write_past_eof(struct kunit *test)
{
	const struct swe_case *c = test->param_value;
	const loff_t size = 100, pos = c->at_eof ? size : 2 * PAGE_SIZE + 100;
	const size_t len = 2 * PAGE_SIZE, k = c->copied;
	struct file *file = utfs_new_file(test, c->path);
	struct utfs_inode *ui = utfs_file_inode(file);
	loff_t disk_end = c->stale ? round_up(pos, PAGE_SIZE) : PAGE_SIZE, p = pos;
	loff_t gap;
	struct iov_iter iter;
	u8 *zeroes;
	ssize_t ret;

	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, disk_end, 0, SW_OLD),
		       disk_end);
	i_size_write(file_inode(file), size);
	if (c->at_eof)
		utfs_cache_range(test, file, 0, PAGE_SIZE);
	utfs_reset_stats(ui);
	ui->faults.zero_eof = true;
	ui->faults.track_folios = true;
	if (c->wb_error) {
		ui->faults.wb_error = -EIO;
		ui->faults.wb_error_to = PAGE_SIZE;
	}
	iov_iter_ubuf(&iter, ITER_SOURCE,
		      (void __user *)sw_buffer(test, len, k, pos), len);
	ret = vfs_iter_write(file, &iter, &p, RWF_UNCACHED);
	UTFS_ASSERT_NOT_FORCED(test);

	KUNIT_EXPECT_EQ(test, !k ? -EFAULT : c->wb_error ? -EIO : (ssize_t)k,
			ret);
	utfs_expect_settled(test, file, "after the write");
	KUNIT_EXPECT_FALSE_MSG(test, mapping_tagged(file->f_mapping,
						    PAGECACHE_TAG_DIRTY),
			       "a folio dirty after the write");
	KUNIT_EXPECT_EQ(test, k ? pos + (loff_t)k : size,
			i_size_read(file_inode(file)));
	KUNIT_EXPECT_EQ_MSG(test, c->at_eof || c->wb_error ? 1U : 0U,
			    utfs_cached_folios(file, 0, PAGE_SIZE),
			    "the old EOF folio");
	utfs_expect_disk(test, ui, 0, size, SW_OLD);
	KUNIT_EXPECT_EQ_MSG(test, c->wb_error && !k ? -EIO : 0,
			    vfs_fsync(file, 0), "the file's next fsync()");
	if (!k)
		return;
	utfs_expect_disk(test, ui, pos, k, SW_NEW);
	if (pos == size)
		return;
	/* The gap on the disk, but for the EOF folio whose writeback failed */
	gap = c->wb_error ? PAGE_SIZE : size;
	zeroes = kunit_kzalloc(test, pos - gap, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, zeroes);
	KUNIT_EXPECT_MEMEQ_MSG(test, ui->disk + gap, zeroes, pos - gap,
			       "the gap on the disk");
}

static struct kunit_case uncached_short_write_cases[] = {
	KUNIT_CASE_PARAM(short_write_iomap, sw_iomap_gen),
	KUNIT_CASE_PARAM(short_write_generic, sw_generic_gen),
	KUNIT_CASE_PARAM(short_write_past_eof, swe_gen),
	{}
};

static struct kunit_suite uncached_short_write_suite = {
	.name = "uncached_short_write",
	.test_cases = uncached_short_write_cases,
	UTFS_SUITE_OPS,
};

kunit_test_suite(uncached_short_write_suite);
