// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_read: an uncached read returns the data, reads ahead as a plain
 * read does, marks what it brings in (PG_dropbehind) and drops each marked
 * folio as it consumes it; what stays is marked: its readahead past the
 * request and the folio it ended in.  Folios that were cached before it
 * stay, unmarked.  (Sequences, several readers, faults at each folio and
 * signals: uncached_history.)
 */
#include <linux/fadvise.h>
#include <linux/migrate.h>
#include <linux/mm_inline.h>
#include <linux/mman.h>
#include <linux/slab.h>
#include <linux/splice.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/uaccess.h>
#include <kunit/test.h>

#include "testfs.h"
#include "internal.h"	/* mm/: folio_isolate_lru() */

#define READ_FILE_BLOCKS	16

static struct file *file_on_disk(struct kunit *test, u8 seed)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	size_t size = READ_FILE_BLOCKS * PAGE_SIZE;

	utfs_fill_disk(utfs_file_inode(file), 0,
		       utfs_pattern_buf(test, size, 0, seed), size);
	utfs_reset_stats(utfs_file_inode(file));
	return file;
}

static void expect_read(struct kunit *test, struct file *file, loff_t pos,
			size_t len, rwf_t flags, u8 seed)
{
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pread(file, buf, len, pos, flags));
	KUNIT_EXPECT_MEMEQ(test, buf, utfs_pattern_buf(test, len, pos, seed),
			   len);
}

/*
 * expect_read() with the reader's @nth allocation failing (the kernel's
 * fault injection): buffers are allocated first, so that the count starts
 * with the read's own.  The failure must have happened.
 */
static void expect_read_failing_nth(struct kunit *test, struct file *file,
				    loff_t pos, size_t len, rwf_t flags,
				    u8 seed, unsigned int nth)
{
	u8 *want = utfs_pattern_buf(test, len, pos, seed);
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	ssize_t ret;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	utfs_fail_nth(nth);
	ret = utfs_pread(file, buf, len, pos, flags);
	KUNIT_EXPECT_EQ_MSG(test, 0U, utfs_fail_nth_pending(),
			    "the read made fewer than %u allocations", nth);
	utfs_fail_nth(0);
	KUNIT_ASSERT_EQ(test, (ssize_t)len, ret);
	KUNIT_EXPECT_MEMEQ(test, buf, want, len);
}

/*
 * Every folio cached in [@from, EOF) is marked; none is cached below @from
 * but the @kept unmarked ones the case cached itself.
 */
static void expect_marked_from(struct kunit *test, struct file *file,
			       pgoff_t from, unsigned int kept)
{
	loff_t size = i_size_read(file_inode(file));
	loff_t at = (loff_t)from << PAGE_SHIFT;

	KUNIT_EXPECT_EQ_MSG(test, kept, at ? utfs_cached_folios(file, 0, at) : 0,
			    "cached below folio %lu", from);
	KUNIT_EXPECT_EQ_MSG(test, 0U, at ? utfs_marked_folios(file, 0, at) : 0,
			    "marked below folio %lu", from);
	if (at < size)
		KUNIT_EXPECT_EQ_MSG(test, utfs_cached_folios(file, at, size - at),
				    utfs_marked_folios(file, at, size - at),
				    "cached and not marked from folio %lu", from);
}

/*
 * Nothing cached: the data comes back, read ahead exactly as a plain read
 * of the same file reads it; what stays is that readahead past the
 * request, marked, which the next read consumes without reading it
 * again, leaving nothing.
 */
static void read_ahead_consumed(struct kunit *test)
{
	struct file *file = file_on_disk(test, 1);
	struct file *plain = file_on_disk(test, 1);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t size = READ_FILE_BLOCKS * PAGE_SIZE;

	expect_read(test, file, 0, 4 * PAGE_SIZE, RWF_UNCACHED, 1);
	expect_read(test, plain, 0, 4 * PAGE_SIZE, 0, 1);
	UTFS_ASSERT_NOT_FORCED(test);
	KUNIT_EXPECT_EQ(test, utfs_file_inode(plain)->stats.folios_read,
			ui->stats.folios_read);
	KUNIT_EXPECT_GT(test, ui->stats.folios_read, 4U);
	KUNIT_EXPECT_EQ(test, plain->f_mapping->nrpages - 4,
			file->f_mapping->nrpages);
	expect_marked_from(test, file, 4, 0);
	expect_read(test, file, 4 * PAGE_SIZE, size - 4 * PAGE_SIZE, RWF_UNCACHED, 1);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	KUNIT_EXPECT_EQ(test, (unsigned int)READ_FILE_BLOCKS, ui->stats.folios_read);
}

/*
 * Small reads at random offsets read only their own folio, as plain ones
 * do; each stays, marked, while the read needs only part of it.
 */
static void random_small_reads_read_themselves(struct kunit *test)
{
	struct file *file = file_on_disk(test, 2);
	struct utfs_inode *ui = utfs_file_inode(file);
	static const pgoff_t at[] = { 9, 3, 13, 6 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(at); i++) {
		expect_read(test, file, at[i] * PAGE_SIZE + 100, 10,
			    RWF_UNCACHED, 2);
		KUNIT_EXPECT_EQ_MSG(test, i + 1, ui->stats.folios_read,
				    "read %u, of folio %lu", i, at[i]);
		KUNIT_EXPECT_EQ(test, 1U,
				utfs_marked_folios(file, at[i] * PAGE_SIZE, PAGE_SIZE));
		expect_read(test, file, at[i] * PAGE_SIZE, PAGE_SIZE,
			    RWF_UNCACHED, 2);
		KUNIT_EXPECT_EQ(test, 0U,
				utfs_cached_folios(file, at[i] * PAGE_SIZE, PAGE_SIZE));
	}
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	KUNIT_EXPECT_EQ(test, (unsigned int)ARRAY_SIZE(at), ui->stats.folios_read);
}

/*
 * A plain read of an uncached read's readahead takes the mark off: it
 * stays, and the next uncached read of it finds it cached before, and
 * keeps it.  An uncached read of what is still marked drops it.
 */
static void plain_read_takes_mark_off(struct kunit *test)
{
	struct file *file = file_on_disk(test, 19);
	struct utfs_inode *ui = utfs_file_inode(file);

	expect_read(test, file, 0, 4 * PAGE_SIZE, RWF_UNCACHED, 19);
	KUNIT_ASSERT_EQ(test, 4U, utfs_marked_folios(file, 4 * PAGE_SIZE,
						     4 * PAGE_SIZE));
	expect_read(test, file, 4 * PAGE_SIZE, 2 * PAGE_SIZE, 0, 19);
	KUNIT_EXPECT_EQ(test, 2U, utfs_cached_folios(file, 4 * PAGE_SIZE,
						     2 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0U, utfs_marked_folios(file, 4 * PAGE_SIZE,
						     2 * PAGE_SIZE));
	utfs_reset_stats(ui);
	expect_read(test, file, 4 * PAGE_SIZE, 4 * PAGE_SIZE, RWF_UNCACHED, 19);
	KUNIT_EXPECT_EQ(test, 2U, utfs_cached_folios(file, 4 * PAGE_SIZE,
						     4 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.folios_read);
}

/*
 * A splice from the file, and a page fault that maps a folio (the fault
 * itself, or fault-around), use a folio an uncached read brought in ahead
 * as a plain read does: they take the mark off, and the folios stay
 * through the next uncached read of them.
 */
static void splice_and_fault_take_mark_off(struct kunit *test)
{
	struct file *file = file_on_disk(test, 20);
	struct file *out = utfs_new_file(test, UTFS_IOMAP);
	loff_t ipos = 4 * PAGE_SIZE, opos = 0;
	void __user *at;
	unsigned long addr;
	u8 byte;

	expect_read(test, file, 0, 4 * PAGE_SIZE, RWF_UNCACHED, 20);
	KUNIT_ASSERT_EQ(test, 4U, utfs_marked_folios(file, 4 * PAGE_SIZE,
						     4 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, (ssize_t)PAGE_SIZE,
			do_splice_direct(file, &ipos, out, &opos, PAGE_SIZE, 0));
	addr = kunit_vm_mmap(test, file, 0, READ_FILE_BLOCKS * PAGE_SIZE,
			     PROT_READ, MAP_SHARED, 0);
	KUNIT_ASSERT_NE(test, 0UL, addr);
	KUNIT_EXPECT_EQ(test, 0U, utfs_marked_folios(file, 4 * PAGE_SIZE,
						     PAGE_SIZE));
	/* A fault on folio 5; fault-around may map its neighbours. */
	at = (void __user *)(addr + 5 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, 0UL, copy_from_user(&byte, at, 1));
	KUNIT_EXPECT_EQ(test, 0U, utfs_marked_folios(file, 5 * PAGE_SIZE,
						     PAGE_SIZE));
	expect_read(test, file, 4 * PAGE_SIZE, 2 * PAGE_SIZE, RWF_UNCACHED, 20);
	KUNIT_EXPECT_EQ(test, 2U, utfs_cached_folios(file, 4 * PAGE_SIZE,
						     2 * PAGE_SIZE));
}

/*
 * Pre-cached folios stay; only the ones the read created are dropped.  (No
 * readahead, POSIX_FADV_RANDOM: what the read reads is only the request.)
 */
static void read_keeps_precached(struct kunit *test)
{
	struct file *file = file_on_disk(test, 3);
	struct utfs_inode *ui = utfs_file_inode(file);

	KUNIT_ASSERT_EQ(test, 0, vfs_fadvise(file, 0, 0, POSIX_FADV_RANDOM));
	utfs_cache_range(test, file, PAGE_SIZE, PAGE_SIZE);
	utfs_cache_range(test, file, 3 * PAGE_SIZE, PAGE_SIZE);
	utfs_reset_stats(ui);

	expect_read(test, file, 0, 4 * PAGE_SIZE, RWF_UNCACHED, 3);
	KUNIT_EXPECT_EQ(test, 2U, utfs_cached_folios(file, 0, 4 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 1U, utfs_cached_folios(file, PAGE_SIZE,
						     PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 1U, utfs_cached_folios(file, 3 * PAGE_SIZE,
						     PAGE_SIZE));
	/* Only the two missing folios were read from the disk. */
	KUNIT_EXPECT_EQ(test, 2U, ui->stats.folios_read);
}

/*
 * POSIX_FADV_RANDOM: no window, reading one folio reads exactly one folio,
 * and nothing stays; a plain read of it still reads ahead, and caches.
 */
static void random_read_no_window(struct kunit *test)
{
	struct file *file = file_on_disk(test, 4);
	struct utfs_inode *ui = utfs_file_inode(file);

	KUNIT_ASSERT_EQ(test, 0, vfs_fadvise(file, 0, 0, POSIX_FADV_RANDOM));
	expect_read(test, file, PAGE_SIZE, PAGE_SIZE, RWF_UNCACHED, 4);
	KUNIT_EXPECT_EQ(test, 1U, ui->stats.folios_read);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);

	KUNIT_ASSERT_EQ(test, 0, vfs_fadvise(file, 0, 0, POSIX_FADV_NORMAL));
	expect_read(test, file, 0, PAGE_SIZE, 0, 4);
	KUNIT_EXPECT_GT(test, ui->stats.folios_read, 2U);
	KUNIT_EXPECT_GT(test,
			utfs_cached_folios(file, 0, READ_FILE_BLOCKS * PAGE_SIZE),
			1U);
}

/*
 * A plain read leaves folios cached, one of them with the marker that
 * starts asynchronous readahead: an uncached read over them reads ahead
 * from there as a plain one does, each missing folio once, keeps the
 * plain read's folios, unmarked, and drops what it brought in.
 */
static void async_readahead_as_plain(struct kunit *test)
{
	struct file *file = file_on_disk(test, 6);
	struct file *plain = file_on_disk(test, 6);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t size = READ_FILE_BLOCKS * PAGE_SIZE;
	unsigned int cached, read;

	expect_read(test, file, 0, PAGE_SIZE, 0, 6);
	expect_read(test, plain, 0, PAGE_SIZE, 0, 6);
	cached = utfs_cached_folios(file, 0, size);
	read = ui->stats.folios_read;
	KUNIT_ASSERT_GT(test, cached, 1U);
	KUNIT_ASSERT_LT(test, cached, (unsigned int)READ_FILE_BLOCKS);

	expect_read(test, file, 0, size, RWF_UNCACHED, 6);
	expect_read(test, plain, 0, size, 0, 6);
	KUNIT_EXPECT_EQ(test, utfs_file_inode(plain)->stats.readaheads,
			ui->stats.readaheads);
	KUNIT_EXPECT_EQ(test, (unsigned int)READ_FILE_BLOCKS, ui->stats.folios_read);
	KUNIT_EXPECT_GT(test, ui->stats.folios_read, read);
	KUNIT_EXPECT_EQ(test, cached, utfs_cached_folios(file, 0, size));
	KUNIT_EXPECT_EQ(test, cached, utfs_cached_folios(file, 0, cached * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0U, utfs_marked_folios(file, 0, size));
}

/*
 * [N1] RWF_NOWAIT, with the file's reads still in flight (held): the read
 * fails with -EAGAIN, having started the readahead a blocking read would,
 * every folio of it marked; IOCB_NOIO (see nonblocking_uncached_read)
 * starts nothing.  The blocking read that follows, as io_uring's retry,
 * consumes them and, reading to EOF, leaves nothing cached.  Cached data
 * is returned without waiting.  Before the change, the first read brought
 * nothing in (the old [N1]), so "readahead started" fails on it.
 */
static void nowait_read_in_flight(struct kunit *test)
{
	struct file *file = file_on_disk(test, 7);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t size = READ_FILE_BLOCKS * PAGE_SIZE;
	char buf[16];

	file->f_mode |= FMODE_NOWAIT;
	utfs_hold_reads(test, ui, 0, READ_FILE_BLOCKS, 0);
	KUNIT_EXPECT_EQ(test, -EAGAIN,
			utfs_pread(file, buf, sizeof(buf), 0,
				   RWF_UNCACHED | RWF_NOWAIT));
	KUNIT_EXPECT_EQ(test, 1U, ui->stats.readaheads);
	KUNIT_EXPECT_GT(test, utfs_cached_folios(file, 0, size), 1U);
	KUNIT_EXPECT_EQ(test, utfs_cached_folios(file, 0, size),
			utfs_marked_folios(file, 0, size));
	utfs_release_reads(ui);
	utfs_wait_reads(file);
	expect_read(test, file, 0, size, RWF_UNCACHED, 7);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	/* Cached data is there without waiting. */
	utfs_cache_range(test, file, 0, PAGE_SIZE);
	expect_read(test, file, 0, PAGE_SIZE, RWF_UNCACHED | RWF_NOWAIT, 7);
}

/*
 * No folio can be allocated (every allocation of the reader fails): the
 * error, nothing read from the disk, nothing left behind.
 */
static void enomem_read(struct kunit *test)
{
	struct file *file = file_on_disk(test, 8);
	struct utfs_inode *ui = utfs_file_inode(file);
	char buf[16];
	ssize_t ret;

	utfs_fail_allocations(true);
	ret = utfs_pread(file, buf, sizeof(buf), 0, RWF_UNCACHED);
	utfs_fail_allocations(false);
	KUNIT_EXPECT_EQ(test, -ENOMEM, ret);
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.folios_read);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
}

/* splice has no RWF_UNCACHED: it reads through the cache as before. */
static void splice_read_unchanged(struct kunit *test)
{
	struct file *in = file_on_disk(test, 9);
	struct file *out = utfs_new_file(test, UTFS_IOMAP);
	size_t len = 2 * PAGE_SIZE;
	loff_t ipos = 0, opos = 0;

	KUNIT_EXPECT_EQ(test, (ssize_t)len,
			do_splice_direct(in, &ipos, out, &opos, len, 0));
	KUNIT_EXPECT_GE(test, utfs_cached_folios(in, 0, len), 2U);
	expect_read(test, out, 0, len, 0, 9);
}

/* Reading what an uncached write just wrote: from the disk, right. */
static void write_then_read_uncached(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_GENERIC);
	size_t len = 3 * PAGE_SIZE;

	KUNIT_ASSERT_EQ(test, (ssize_t)len,
			utfs_pwrite_pattern(test, file, 0, len, 5, RWF_UNCACHED | RWF_DSYNC));
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	expect_read(test, file, 0, len, RWF_UNCACHED, 5);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	utfs_expect_disk(test, utfs_file_inode(file), 0, len, 5);
}

/*
 * A plain read whose readahead cannot allocate (readahead does not retry
 * under memory pressure) reads its folio alone, and keeps it cached: only
 * uncached reads drop what they bring in.
 */
static void plain_read_after_readahead_enomem_caches(struct kunit *test)
{
	struct file *file = file_on_disk(test, 10);
	struct utfs_inode *ui = utfs_file_inode(file);

	/* The first allocation of a read is readahead's first folio. */
	expect_read_failing_nth(test, file, 0, PAGE_SIZE, 0, 10, 1);
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.readaheads);
	KUNIT_EXPECT_EQ(test, 1U, utfs_cached_folios(file, 0, PAGE_SIZE));
}

/*
 * The missing part of the request is read in batches that stop at the
 * next cached folio: here [0, 2), then [3, EOF), the request's rest and
 * its window, each one ->readahead of exactly that range; the window and
 * the cached folio stay, and after the next read only the cached folio.
 */
static void read_in_batches_around_cached(struct kunit *test)
{
	struct file *file = file_on_disk(test, 11);
	struct utfs_inode *ui = utfs_file_inode(file);
	const struct utfs_event *ra;

	utfs_cache_range(test, file, 2 * PAGE_SIZE, PAGE_SIZE);
	utfs_reset_stats(ui);

	expect_read(test, file, 0, 5 * PAGE_SIZE, RWF_UNCACHED, 11);
	KUNIT_EXPECT_EQ(test, 2U, ui->stats.readaheads);
	KUNIT_EXPECT_EQ(test, READ_FILE_BLOCKS - 1U, ui->stats.folios_read);
	ra = utfs_find_event(ui, UTFS_EV_READAHEAD, 0);
	KUNIT_ASSERT_NOT_NULL(test, ra);
	KUNIT_EXPECT_EQ(test, 0, ra->pos);
	KUNIT_EXPECT_EQ(test, 2 * PAGE_SIZE, ra->len);
	ra = utfs_find_event(ui, UTFS_EV_READAHEAD, 1);
	KUNIT_ASSERT_NOT_NULL(test, ra);
	KUNIT_EXPECT_EQ(test, 3 * PAGE_SIZE, ra->pos);
	KUNIT_EXPECT_EQ(test, (READ_FILE_BLOCKS - 3) * PAGE_SIZE, ra->len);
	KUNIT_EXPECT_EQ(test, READ_FILE_BLOCKS - 4UL, file->f_mapping->nrpages);
	expect_read(test, file, 5 * PAGE_SIZE, (READ_FILE_BLOCKS - 5) * PAGE_SIZE,
		    RWF_UNCACHED, 11);
	KUNIT_EXPECT_EQ(test, READ_FILE_BLOCKS - 1U, ui->stats.folios_read);
	KUNIT_EXPECT_EQ(test, 1UL, file->f_mapping->nrpages);
	KUNIT_EXPECT_EQ(test, 1U, utfs_cached_folios(file, 2 * PAGE_SIZE,
						     PAGE_SIZE));
}

/* A read of the whole file from cold: one ->readahead, nothing left. */
static void cold_read_one_readahead(struct kunit *test)
{
	struct file *file = file_on_disk(test, 12);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t size = READ_FILE_BLOCKS * PAGE_SIZE;

	expect_read(test, file, 0, size, RWF_UNCACHED, 12);
	KUNIT_EXPECT_EQ(test, 1U, ui->stats.readaheads);
	KUNIT_EXPECT_EQ(test, (unsigned int)READ_FILE_BLOCKS,
			ui->stats.folios_read);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
}

static const int nonblocking_read_flags[] = {
	IOCB_NOWAIT, IOCB_NOIO, IOCB_WAITQ
};

static void nonblocking_flag_desc(const int *flags, char *desc)
{
	strscpy(desc, *flags == IOCB_NOWAIT ? "nowait" :
		      *flags == IOCB_NOIO ? "noio" : "waitq",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(nonblocking, nonblocking_read_flags, nonblocking_flag_desc);

/*
 * A read with the kiocb flags @flags, which no RWF_ flag sets.  No
 * ki_waitq: an IOCB_WAITQ read that finds a folio locked would queue a
 * wake-up there, so such reads here only meet reads that end at once.
 */
static ssize_t read_kiocb_flags(struct file *file, void *buf, size_t len,
				int flags)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter iter;
	struct kiocb kiocb;

	init_sync_kiocb(&kiocb, file);
	kiocb.ki_flags |= flags;
	iov_iter_kvec(&iter, ITER_DEST, &kv, 1, len);
	return file->f_op->read_iter(&kiocb, &iter);
}

/* The same, uncached. */
static ssize_t read_kiocb(struct file *file, void *buf, size_t len, int flags)
{
	return read_kiocb_flags(file, buf, len, IOCB_UNCACHED | flags);
}

/*
 * [N1] An uncached read that may not block (io_uring's NOWAIT and WAITQ
 * attempts, IOCB_NOIO), of data not cached: IOCB_NOIO starts no I/O and
 * fails with -EAGAIN, as a plain IOCB_NOIO read; NOWAIT and WAITQ read
 * ahead as a plain read with the same flag does (here its reads end at
 * once, so they return the data), the same ->readahead calls and folios,
 * and keep, marked, only what they did not consume.  Cached data is
 * returned.  Before the change, NOWAIT and WAITQ failed with -EAGAIN and
 * brought nothing in, and io_uring retried them from io-wq.
 */
static void nonblocking_uncached_read(struct kunit *test)
{
	const int *flags = test->param_value;
	struct file *file = file_on_disk(test, 13);
	struct file *plain = file_on_disk(test, 13);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct utfs_inode *pi = utfs_file_inode(plain);
	size_t size = READ_FILE_BLOCKS * PAGE_SIZE;
	char buf[16], pbuf[16];
	ssize_t want = *flags == IOCB_NOIO ? -EAGAIN : (ssize_t)sizeof(buf);

	KUNIT_EXPECT_EQ(test, want, read_kiocb(file, buf, sizeof(buf), *flags));
	KUNIT_EXPECT_EQ(test, want, read_kiocb_flags(plain, pbuf, sizeof(pbuf),
						     *flags));
	if (want > 0)
		KUNIT_EXPECT_MEMEQ(test, buf,
				   utfs_pattern_buf(test, sizeof(buf), 0, 13),
				   sizeof(buf));
	KUNIT_EXPECT_EQ(test, pi->stats.readaheads, ui->stats.readaheads);
	KUNIT_EXPECT_EQ(test, pi->stats.folios_read, ui->stats.folios_read);
	KUNIT_EXPECT_EQ(test, utfs_cached_folios(plain, 0, size),
			utfs_cached_folios(file, 0, size));
	KUNIT_EXPECT_EQ(test, utfs_cached_folios(file, 0, size),
			utfs_marked_folios(file, 0, size));
	if (want > 0)
		KUNIT_EXPECT_GT(test, ui->stats.folios_read, 1U);
	else
		KUNIT_EXPECT_EQ(test, 0U, ui->stats.folios_read);

	utfs_cache_range(test, file, 0, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, (ssize_t)sizeof(buf),
			read_kiocb(file, buf, sizeof(buf), *flags));
	KUNIT_EXPECT_MEMEQ(test, buf,
			   utfs_pattern_buf(test, sizeof(buf), 0, 13),
			   sizeof(buf));
	KUNIT_EXPECT_EQ(test, 1U, utfs_cached_folios(file, 0, PAGE_SIZE));
}

/*
 * Readahead cannot allocate, the folio-at-a-time fallback can: the data,
 * read by the fallback, and nothing left cached.  (Every allocation
 * failing in turn, and readahead stopping part-way, are in
 * uncached_fault_sweep.)
 */
static void uncached_read_after_readahead_enomem(struct kunit *test)
{
	struct file *file = file_on_disk(test, 14);
	struct utfs_inode *ui = utfs_file_inode(file);

	expect_read_failing_nth(test, file, 0, PAGE_SIZE, RWF_UNCACHED, 14, 1);
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.readaheads);
	KUNIT_EXPECT_EQ(test, 1U, ui->stats.folios_read);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
}

struct read_error_param {
	const char *name;
	loff_t pos;		/* of the read, of READ_FILE_BLOCKS - pos bytes */
	unsigned int folio;	/* whose read fails */
	bool precached;		/* that folio was cached, not uptodate, before */
	bool no_readahead;	/* readahead cannot allocate: folio at a time */
	bool by_plain_read;	/* precached by a plain read that failed */
};

static const struct read_error_param read_error_params[] = {
	{ "first", 0, 0 },
	{ "first_unaligned", 100, 0 },
	{ "second", 0, 1 },
	{ "middle", 0, READ_FILE_BLOCKS / 2 },
	{ "middle_unaligned", 100, READ_FILE_BLOCKS / 2 },
	{ "last", 0, READ_FILE_BLOCKS - 1 },
	{ "precached_first", 0, 0, true },
	{ "precached_middle", 0, READ_FILE_BLOCKS / 2, true },
	{ "plain_failed_first", 0, 0, true, false, true },
	{ "plain_failed_middle", 0, READ_FILE_BLOCKS / 2, true, false, true },
	{ "first_no_readahead", 0, 0, false, true },
	{ "first_unaligned_no_readahead", 100, 0, false, true },
};

static void read_error_desc(const struct read_error_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(read_error, read_error_params, read_error_desc);

/*
 * The read of one folio fails (-EIO from the disk): the read returns the
 * data before it, or -EIO if it is the first; what the read brought in
 * before the failed folio it consumed and dropped; what stays of it is
 * marked, from the failed folio on (the one a read creates on its own
 * when readahead cannot allocate, too); a folio that was cached before,
 * not uptodate, stays, unmarked: one a plain read created for itself
 * and failed to read, too.  Once the disk reads again, a read to EOF
 * leaves nothing of its own.
 */
static void read_error_keeps_marked(struct kunit *test)
{
	const struct read_error_param *p = test->param_value;
	struct file *file = file_on_disk(test, 17);
	struct utfs_inode *ui = utfs_file_inode(file);
	const loff_t bad = (loff_t)p->folio * PAGE_SIZE;
	const size_t len = READ_FILE_BLOCKS * PAGE_SIZE - p->pos;
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	ssize_t ret;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	ui->faults.read_error_from = bad;
	ui->faults.read_error_to = bad + PAGE_SIZE;
	if (p->by_plain_read) {
		/* No readahead: the read creates the folio itself. */
		ui->faults.read_error = true;
		utfs_fail_nth(1);
		KUNIT_EXPECT_EQ(test, (ssize_t)-EIO,
				utfs_pread(file, buf, PAGE_SIZE, bad, 0));
		utfs_fail_nth(0);
		KUNIT_ASSERT_EQ(test, 1U, utfs_cached_folios(file, bad, PAGE_SIZE));
	} else if (p->precached) {
		struct folio *folio = filemap_grab_folio(file->f_mapping,
							 p->folio);

		KUNIT_ASSERT_FALSE(test, IS_ERR(folio));
		folio_unlock(folio);
		folio_put(folio);
	}
	ui->faults.read_error = true;
	/* The first allocation of a read is readahead's first folio. */
	utfs_fail_nth(p->no_readahead);
	ret = utfs_pread(file, buf, len, p->pos, RWF_UNCACHED);
	utfs_fail_nth(0);
	KUNIT_EXPECT_GT(test, ui->stats.read_errors, 0U);
	KUNIT_EXPECT_EQ(test, bad > p->pos ? (ssize_t)(bad - p->pos) : -EIO,
			ret);
	if (ret > 0)
		KUNIT_EXPECT_MEMEQ(test, buf,
				   utfs_pattern_buf(test, ret, p->pos, 17), ret);
	expect_marked_from(test, file, p->folio + p->precached, p->precached);
	KUNIT_EXPECT_EQ(test, p->precached ? 1U : 0U,
			utfs_cached_folios(file, bad, PAGE_SIZE) -
			utfs_marked_folios(file, bad, PAGE_SIZE));
	utfs_expect_settled(test, file, "after the read");

	/* Once the disk reads again, so does the file. */
	ui->faults.read_error = false;
	expect_read(test, file, p->pos, len, RWF_UNCACHED, 17);
	KUNIT_EXPECT_EQ(test, p->precached ? 1UL : 0UL,
			file->f_mapping->nrpages);
}

/* A plain RWF_NOWAIT read of uncached data reads ahead, as before. */
static void plain_nowait_read_unchanged(struct kunit *test)
{
	struct file *file = file_on_disk(test, 15);
	struct utfs_inode *ui = utfs_file_inode(file);

	file->f_mode |= FMODE_NOWAIT;
	/* The test filesystem's readahead completes at once: data, cached. */
	expect_read(test, file, 0, PAGE_SIZE, RWF_NOWAIT, 15);
	KUNIT_EXPECT_EQ(test, 1U, ui->stats.readaheads);
	KUNIT_EXPECT_GT(test, file->f_mapping->nrpages, 1UL);
}

/*
 * A read larger than the readahead size and than one folio batch: the
 * same ->readahead calls as the plain read's, each folio read once; what
 * stays is what it read past the request, marked.
 */
static void large_read_as_plain(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct file *plain = utfs_new_file(test, UTFS_IOMAP);
	struct utfs_inode *ui = utfs_file_inode(file);
	size_t len = UTFS_MAX_SIZE - PAGE_SIZE;

	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, UTFS_MAX_SIZE, 0, 16),
		       UTFS_MAX_SIZE);
	utfs_fill_disk(utfs_file_inode(plain), 0,
		       utfs_pattern_buf(test, UTFS_MAX_SIZE, 0, 16), UTFS_MAX_SIZE);
	utfs_reset_stats(ui);
	KUNIT_ASSERT_GT(test, len / PAGE_SIZE, (size_t)file->f_ra.ra_pages);
	KUNIT_ASSERT_GT(test, len / PAGE_SIZE, (size_t)PAGEVEC_SIZE);

	expect_read(test, file, 0, len, RWF_UNCACHED, 16);
	expect_read(test, plain, 0, len, 0, 16);
	KUNIT_EXPECT_EQ(test, utfs_file_inode(plain)->stats.readaheads,
			ui->stats.readaheads);
	KUNIT_EXPECT_EQ(test, (unsigned int)UTFS_MAX_BLOCKS, ui->stats.folios_read);
	KUNIT_EXPECT_EQ(test, 1UL, file->f_mapping->nrpages);
	expect_marked_from(test, file, len >> PAGE_SHIFT, 0);
}

/* Request sizes around the folio and the readahead size, in bytes. */
static const size_t stream_sizes[] = {
	100, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 3 * PAGE_SIZE + 5,
	16 * PAGE_SIZE, VM_READAHEAD_PAGES * PAGE_SIZE,
	(VM_READAHEAD_PAGES + 8) * PAGE_SIZE + 1,
};

static void stream_size_desc(const size_t *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "req_%zu", *size);
}

KUNIT_ARRAY_PARAM(stream, stream_sizes, stream_size_desc);

/*
 * [R1] A file streamed with uncached reads of one size, and a twin with
 * plain reads: after each call, the uncached read has read from the disk
 * exactly what the plain one has, and what is cached is what the plain
 * read has cached past the folio the read ended in, all marked; each
 * folio is read once, and at EOF nothing is left.
 */
static void stream_read_as_plain(struct kunit *test)
{
	const size_t req = *(const size_t *)test->param_value;
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	struct file *plain = utfs_new_file(test, UTFS_IOMAP);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct utfs_inode *pi = utfs_file_inode(plain);
	unsigned int wrong = 0;
	loff_t pos = 0;

	KUNIT_ASSERT_EQ(test, (unsigned int)VM_READAHEAD_PAGES, file->f_ra.ra_pages);
	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, UTFS_MAX_SIZE, 0, 18),
		       UTFS_MAX_SIZE);
	utfs_fill_disk(pi, 0, utfs_pattern_buf(test, UTFS_MAX_SIZE, 0, 18),
		       UTFS_MAX_SIZE);
	utfs_reset_stats(ui);
	utfs_reset_stats(pi);
	while (pos < UTFS_MAX_SIZE && wrong < 4) {
		size_t len = min_t(size_t, req, UTFS_MAX_SIZE - pos);
		loff_t from, rest;
		unsigned int cached, marked, want;

		expect_read(test, file, pos, len, RWF_UNCACHED, 18);
		expect_read(test, plain, pos, len, 0, 18);
		pos += len;
		from = round_down(pos, PAGE_SIZE);
		rest = UTFS_MAX_SIZE - from;
		cached = rest ? utfs_cached_folios(file, from, rest) : 0;
		marked = rest ? utfs_marked_folios(file, from, rest) : 0;
		want = rest ? utfs_cached_folios(plain, from, rest) : 0;
		if (ui->stats.folios_read != pi->stats.folios_read ||
		    file->f_mapping->nrpages != cached || cached != marked ||
		    cached != want) {
			wrong++;
			KUNIT_FAIL(test,
				   "to %lld: read %u folios, plain %u; %lu cached, %u from %lld, %u marked; plain: %u",
				   pos, ui->stats.folios_read, pi->stats.folios_read,
				   file->f_mapping->nrpages, cached, from, marked, want);
		}
	}
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	KUNIT_EXPECT_EQ(test, (unsigned int)UTFS_MAX_BLOCKS, ui->stats.folios_read);
}

/* The first folio in [@from, @to) that carries the readahead mark. */
static pgoff_t readahead_mark_at(struct file *file, pgoff_t from, pgoff_t to)
{
	pgoff_t index;

	for (index = from; index < to; index++) {
		struct folio *folio = filemap_get_folio(file->f_mapping, index);
		bool mark;

		if (IS_ERR(folio))
			continue;
		mark = folio_test_readahead(folio);
		folio_put(folio);
		if (mark)
			return index;
	}
	return ULONG_MAX;
}

/*
 * [N1] At a cached window's readahead mark (a plain read left it where it
 * would read ahead next), a read that may not block returns the cached
 * data and starts the readahead a plain read with the same flag starts
 * (a twin file, through the same steps): the same ->readahead calls, the
 * folios it brings in all marked, the plain read's folios kept, unmarked.
 * IOCB_NOIO reads no further than the mark and starts nothing, as a plain
 * read with it does.  Before the change, NOWAIT and WAITQ started nothing.
 */
static void nonblocking_read_at_readahead_mark(struct kunit *test)
{
	const int *flags = test->param_value;
	struct file *file = file_on_disk(test, 22);
	struct file *plain = file_on_disk(test, 22);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct utfs_inode *pi = utfs_file_inode(plain);
	size_t size = READ_FILE_BLOCKS * PAGE_SIZE;
	unsigned int readaheads;
	unsigned long nr;
	pgoff_t mark;
	ssize_t ret, want;
	size_t len;
	u8 *buf;

	expect_read(test, file, 0, PAGE_SIZE, 0, 22);
	expect_read(test, plain, 0, PAGE_SIZE, 0, 22);
	nr = file->f_mapping->nrpages;
	len = nr * PAGE_SIZE;
	KUNIT_ASSERT_LT(test, nr, (unsigned long)READ_FILE_BLOCKS);
	KUNIT_ASSERT_EQ(test, (unsigned int)nr,
			utfs_cached_folios(file, 0, len));
	mark = readahead_mark_at(file, 0, nr);
	KUNIT_ASSERT_NE_MSG(test, mark, ULONG_MAX,
			    "the plain read left no readahead mark");
	readaheads = ui->stats.readaheads;
	buf = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	ret = read_kiocb(file, buf, len, *flags);
	if (*flags != IOCB_NOIO)
		want = len;
	else
		want = mark ? (ssize_t)(mark * PAGE_SIZE) : -EAGAIN;
	KUNIT_EXPECT_EQ(test, want, ret);
	if (ret > 0)
		KUNIT_EXPECT_MEMEQ(test, buf,
				   utfs_pattern_buf(test, ret, 0, 22), ret);
	KUNIT_EXPECT_EQ(test, want, read_kiocb_flags(plain, buf, len, *flags));
	KUNIT_EXPECT_EQ(test, readaheads + (*flags != IOCB_NOIO),
			ui->stats.readaheads);
	KUNIT_EXPECT_EQ(test, pi->stats.readaheads, ui->stats.readaheads);
	KUNIT_EXPECT_EQ(test, pi->stats.folios_read, ui->stats.folios_read);
	KUNIT_EXPECT_EQ(test, (unsigned int)nr,
			utfs_cached_folios(file, 0, len));
	KUNIT_EXPECT_EQ(test, 0U, utfs_marked_folios(file, 0, len));
	KUNIT_EXPECT_EQ(test, utfs_cached_folios(plain, len, size - len),
			utfs_cached_folios(file, len, size - len));
	KUNIT_EXPECT_EQ(test, utfs_cached_folios(file, len, size - len),
			utfs_marked_folios(file, len, size - len));
}

/*
 * [R1] A marked folio the read has done with, but that somebody uses
 * (dirty: a write to it keeps it marked; under writeback), stays, marked,
 * and the read does not wait for it (the writeback is held throughout);
 * unused, it goes.  Once nobody uses it, the next uncached read that
 * passes it removes it.  On the test filesystem's files, whose folios
 * ->release_folio() decides for (it refuses one under writeback), and on
 * files whose folios carry nothing for the filesystem, as XFS's with 4 KiB
 * blocks, where only the read's own test keeps a folio under writeback.
 */
struct in_use_case {
	enum utfs_precached state;
	bool plain;
};

static const enum utfs_precached in_use_states[] = {
	UTFS_CLEAN, UTFS_DIRTY, UTFS_UNDER_WRITEBACK,
};

static const char *const in_use_names[] = {
	"clean", "dirty", "under_writeback",
};

/* Each state, on the test filesystem's files and on plain ones. */
static struct in_use_case in_use_cases[2 * ARRAY_SIZE(in_use_states)];

static const void *in_use_gen(const void *prev, char *desc)
{
	const unsigned int n = ARRAY_SIZE(in_use_states);
	unsigned int i;
	struct in_use_case *u = UTFS_NEXT_CASE(prev, in_use_cases, &i);

	if (!u)
		return NULL;
	u->state = in_use_states[i % n];
	u->plain = i / n;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s%s", in_use_names[i % n],
		 u->plain ? ".plain_folios" : "");
	return u;
}

static void marked_folio_in_use_stays(struct kunit *test)
{
	const struct in_use_case *c = test->param_value;
	size_t size = READ_FILE_BLOCKS * PAGE_SIZE;
	struct file *file = c->plain ?
		utfs_new_plain_file(test, UTFS_IOMAP, UTFS_MAX_SIZE) :
		utfs_new_file(test, UTFS_IOMAP);
	struct utfs_inode *ui = utfs_file_inode(file);
	unsigned int in_use = c->state != UTFS_CLEAN;
	u8 seed = in_use ? 17 : 16;

	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, size, 0, 16), size);
	KUNIT_ASSERT_EQ(test, 0, vfs_fadvise(file, 0, 0, POSIX_FADV_RANDOM));
	/* It ends in folio 0: folio 0 stays, marked, for the next read. */
	expect_read(test, file, 0, 100, RWF_UNCACHED, 16);
	KUNIT_ASSERT_EQ(test, 1U, utfs_marked_folios(file, 0, PAGE_SIZE));
	if (c->state == UTFS_UNDER_WRITEBACK)
		utfs_hold_writeback(test, ui);
	if (in_use)
		utfs_precache(test, file, 0, c->state, seed);
	KUNIT_EXPECT_EQ(test, 1U, utfs_marked_folios(file, 0, PAGE_SIZE));

	expect_read(test, file, 100, PAGE_SIZE - 100, RWF_UNCACHED, seed);
	KUNIT_EXPECT_EQ(test, in_use, utfs_cached_folios(file, 0, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, in_use, utfs_marked_folios(file, 0, PAGE_SIZE));
	if (c->state == UTFS_UNDER_WRITEBACK)
		utfs_release_writeback(ui, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
	KUNIT_EXPECT_EQ(test, 0U, ui->stats.wb_orphans);
	utfs_expect_disk(test, ui, 0, PAGE_SIZE, seed);

	expect_read(test, file, 0, PAGE_SIZE, RWF_UNCACHED, seed);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
}

/*
 * [R1] Marked folios nobody reads again go to reclaim as unused readahead
 * does: an uncached read's use of a folio an uncached read brought in is
 * no access (PG_referenced, or activation after one), neither for the
 * read that brought it in nor for a later one; any other read of a
 * cached folio is one.  The second reader is another open file, whose
 * first read of the folio counts, as the first folio of its read or as
 * the third (filemap_read() marks the first of a batch apart).
 */
struct accessed_case {
	bool brought_uncached;
	bool reader_uncached;
	pgoff_t index;		/* of the folio in the second reader's read */
};

/* Brought in plain or uncached, times read plain or uncached, where. */
static struct accessed_case accessed_cases[2 * 2 * 2];

static const void *accessed_gen(const void *prev, char *desc)
{
	unsigned int i;
	struct accessed_case *a = UTFS_NEXT_CASE(prev, accessed_cases, &i);

	if (!a)
		return NULL;
	a->brought_uncached = i & 1;
	a->reader_uncached = i & 2;
	a->index = i & 4 ? 2 : 0;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "brought_%s.read_%s.%s",
		 a->brought_uncached ? "uncached" : "plain",
		 a->reader_uncached ? "uncached" : "plain",
		 a->index ? "third_folio_read" : "first_folio_read");
	return a;
}

/* Accessed once (PG_referenced) or more (activated, once drained). */
static bool folio_accessed(struct folio *folio)
{
	lru_add_drain_all();
	return folio_test_referenced(folio) || folio_test_active(folio);
}

static void read_marks_accessed(struct kunit *test)
{
	const struct accessed_case *c = test->param_value;
	struct file *file = file_on_disk(test, 19);
	struct file *other = utfs_reopen(test, file, UTFS_IOMAP);
	bool accessed = !(c->brought_uncached && c->reader_uncached);
	loff_t at = (loff_t)c->index << PAGE_SHIFT;
	struct folio *folio;

	KUNIT_ASSERT_EQ(test, 0, vfs_fadvise(file, 0, 0, POSIX_FADV_RANDOM));
	KUNIT_ASSERT_EQ(test, 0, vfs_fadvise(other, 0, 0, POSIX_FADV_RANDOM));
	if (c->brought_uncached)
		expect_read(test, file, at, 100, RWF_UNCACHED, 19);
	else
		utfs_cache_range(test, file, at, PAGE_SIZE);
	folio = filemap_get_folio(file->f_mapping, c->index);
	KUNIT_ASSERT_FALSE(test, IS_ERR(folio));
	KUNIT_EXPECT_EQ(test, c->brought_uncached,
			folio_test_dropbehind(folio));
	if (c->brought_uncached)
		KUNIT_EXPECT_FALSE_MSG(test, folio_accessed(folio),
				       "accessed by the read that brought it in");
	folio_clear_referenced(folio);
	KUNIT_ASSERT_FALSE(test, folio_accessed(folio));

	/* From the file's start: the folios before it in one read with it. */
	expect_read(test, other, 0, at + 100,
		    c->reader_uncached ? RWF_UNCACHED : 0, 19);
	KUNIT_EXPECT_EQ(test, accessed, folio_accessed(folio));
	KUNIT_EXPECT_EQ(test, !accessed, folio_test_dropbehind(folio));
	folio_put(folio);
}

/*
 * [R1] A page fault that maps a marked folio takes the mark off, however
 * it maps it: fault-around maps the uptodate neighbours, but not a folio
 * with the readahead mark.  The fault on that one reads ahead, drops the
 * mmap lock and is retried, when fault-around maps it; with no readahead
 * (the file's ra_pages 0) the fault itself (filemap_fault()) maps it.
 * A fault on each folio of an uncached read's window in turn (the first
 * maps some of the others by fault-around): each ends unmarked, and stays
 * through the next uncached read.
 */
static const bool fault_readahead[] = { true, false };

static void fault_readahead_desc(const bool *ra, char *desc)
{
	strscpy(desc, *ra ? "mmap_readahead" : "no_mmap_readahead",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fault_readahead, fault_readahead, fault_readahead_desc);

static void fault_takes_mark_off_each_folio(struct kunit *test)
{
	const bool *readahead = test->param_value;
	struct file *file = file_on_disk(test, 23);
	size_t size = READ_FILE_BLOCKS * PAGE_SIZE;
	unsigned int window;
	unsigned long addr;
	pgoff_t index, mark;
	u8 byte;

	expect_read(test, file, 0, PAGE_SIZE, RWF_UNCACHED, 23);
	window = utfs_marked_folios(file, PAGE_SIZE, size - PAGE_SIZE);
	KUNIT_ASSERT_GT(test, window, 1U);
	KUNIT_ASSERT_EQ(test, window,
			utfs_cached_folios(file, PAGE_SIZE, window * PAGE_SIZE));
	KUNIT_ASSERT_EQ(test, (unsigned long)window, file->f_mapping->nrpages);
	mark = readahead_mark_at(file, 1, READ_FILE_BLOCKS);
	KUNIT_ASSERT_NE_MSG(test, mark, ULONG_MAX,
			    "the uncached read left no readahead mark");
	if (!*readahead)
		file->f_ra.ra_pages = 0;
	addr = kunit_vm_mmap(test, file, 0, size, PROT_READ, MAP_SHARED, 0);
	KUNIT_ASSERT_NE(test, 0UL, addr);

	for (index = 1; index <= window; index++) {
		void __user *at = (void __user *)(addr + index * PAGE_SIZE);

		KUNIT_ASSERT_EQ(test, 0UL, copy_from_user(&byte, at, 1));
		KUNIT_EXPECT_EQ_MSG(test, 0U,
				    utfs_marked_folios(file, index * PAGE_SIZE,
						       PAGE_SIZE),
				    "folio %lu%s, faulted", index,
				    index == mark ? " (readahead mark)" : "");
	}
	/* Unmapped, a marked folio would go with the read. */
	KUNIT_ASSERT_EQ(test, 0, vm_munmap(addr, size));
	expect_read(test, file, PAGE_SIZE, window * PAGE_SIZE, RWF_UNCACHED,
		    23);
	KUNIT_EXPECT_EQ(test, window,
			utfs_cached_folios(file, PAGE_SIZE, window * PAGE_SIZE));
}

/*
 * [R1] A filesystem that widens readahead (readahead_expand(), as the
 * netfs-based ones do; here to units of 8 blocks, both edges) brings the
 * widened part in for the uncached read: marked as the rest, consumed as
 * the rest.  A read at random of one folio in each place of the unit.
 */
static const pgoff_t expand_at[] = { 0, 3, 7, 12 };

static void expand_at_desc(const pgoff_t *index, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "folio_%lu", *index);
}

KUNIT_ARRAY_PARAM(expand, expand_at, expand_at_desc);

static void expanded_readahead_marked(struct kunit *test)
{
	const pgoff_t *index = test->param_value;
	struct file *file = file_on_disk(test, 24);
	struct utfs_inode *ui = utfs_file_inode(file);
	loff_t unit = 8 * PAGE_SIZE, first = round_down(*index * PAGE_SIZE, unit);

	KUNIT_ASSERT_EQ(test, 0, vfs_fadvise(file, 0, 0, POSIX_FADV_RANDOM));
	ui->faults.expand_readahead = 8;
	expect_read(test, file, *index * PAGE_SIZE, 100, RWF_UNCACHED, 24);
	KUNIT_EXPECT_EQ(test, 8U, ui->stats.folios_read);
	KUNIT_EXPECT_EQ(test, 8UL, file->f_mapping->nrpages);
	KUNIT_EXPECT_EQ(test, 8U, utfs_marked_folios(file, first, unit));

	expect_read(test, file, first, unit, RWF_UNCACHED, 24);
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	KUNIT_EXPECT_EQ(test, 8U, ui->stats.folios_read);
}

/*
 * [R1] Marked folios nobody reads again stay until memory is needed, and
 * reclaim's compaction may move them first: a marked folio migrated to a
 * new one is marked there, and goes with the next uncached read that
 * passes it; a folio a plain read brought in is not marked there, and
 * stays.
 */
static struct folio *migration_target(struct folio *src, unsigned long private)
{
	return filemap_alloc_folio(GFP_KERNEL, folio_order(src));
}

static const bool migrate_marked[] = { true, false };

static void migrate_marked_desc(const bool *marked, char *desc)
{
	strscpy(desc, *marked ? "marked" : "plain", KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(migrate, migrate_marked, migrate_marked_desc);

static void migrated_folio_keeps_mark(struct kunit *test)
{
	const bool *marked = test->param_value;
	struct file *file = file_on_disk(test, 25);
	struct address_space *mapping = file->f_mapping;
	struct folio *folio, *moved;
	LIST_HEAD(isolated);
	int err;

	if (!IS_ENABLED(CONFIG_MIGRATION))
		kunit_skip(test, "no page migration (CONFIG_MIGRATION)");
	KUNIT_ASSERT_EQ(test, 0, vfs_fadvise(file, 0, 0, POSIX_FADV_RANDOM));
	expect_read(test, file, 0, 100, *marked ? RWF_UNCACHED : 0, 25);
	folio = filemap_get_folio(mapping, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(folio));
	KUNIT_EXPECT_EQ(test, *marked, folio_test_dropbehind(folio));
	lru_add_drain_all();
	err = folio_isolate_lru(folio) ? 0 : -EBUSY;
	/* Isolated, the folio holds a reference of its own. */
	folio_put(folio);
	KUNIT_ASSERT_EQ_MSG(test, 0, err, "folio 0 is on no LRU list");
	list_add(&folio->lru, &isolated);
	node_stat_mod_folio(folio, NR_ISOLATED_ANON + folio_is_file_lru(folio),
			    folio_nr_pages(folio));
	err = migrate_pages(&isolated, migration_target, NULL, 0,
			    MIGRATE_SYNC, MR_COMPACTION, NULL);
	if (err)
		putback_movable_pages(&isolated);
	KUNIT_ASSERT_EQ_MSG(test, 0, err, "the folio was not migrated");

	moved = filemap_get_folio(mapping, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(moved));
	KUNIT_EXPECT_PTR_NE(test, folio, moved);
	KUNIT_EXPECT_EQ(test, *marked, folio_test_dropbehind(moved));
	folio_put(moved);
	expect_read(test, file, 100, PAGE_SIZE - 100, RWF_UNCACHED, 25);
	KUNIT_EXPECT_EQ(test, *marked ? 0UL : 1UL, mapping->nrpages);
}

/*
 * [R1] A read that reaches EOF is done with the folio EOF is in: an
 * uncached one drops it, whether it asked for the bytes up to EOF or for
 * more.  A plain read at EOF copies nothing and leaves an uncached
 * reader's folio as it was, marked, for that reader's next read.  EOF
 * inside a folio, and at a folio's end.
 */
enum eof_read {
	EOF_READ_TO_EOF, EOF_READ_PAST_EOF, EOF_READ_PLAIN_AT_EOF, NR_EOF_READS
};

struct eof_read_case {
	enum eof_read kind;
	loff_t size;
};

static struct eof_read_case eof_read_cases[NR_EOF_READS * 2];

static const void *eof_read_gen(const void *prev, char *desc)
{
	static const char *const names[] = {
		"uncached_to_eof", "uncached_past_eof", "plain_at_eof"
	};
	unsigned int i;
	struct eof_read_case *e = UTFS_NEXT_CASE(prev, eof_read_cases, &i);

	if (!e)
		return NULL;
	e->kind = i % NR_EOF_READS;
	e->size = i / NR_EOF_READS ? 3 * PAGE_SIZE : 2 * PAGE_SIZE + 100;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s.size_%lld",
		 names[e->kind], e->size);
	return e;
}

static void read_at_eof(struct kunit *test)
{
	const struct eof_read_case *c = test->param_value;
	struct file *file = file_on_disk(test, 26);
	loff_t last = 2 * PAGE_SIZE;
	u8 *buf = kunit_kzalloc(test, PAGE_SIZE + 100, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, 0, vfs_fadvise(file, 0, 0, POSIX_FADV_RANDOM));
	i_size_write(file_inode(file), c->size);
	switch (c->kind) {
	case EOF_READ_TO_EOF:
		expect_read(test, file, last, c->size - last, RWF_UNCACHED, 26);
		break;
	case EOF_READ_PAST_EOF:
		KUNIT_EXPECT_EQ(test, (ssize_t)(c->size - last),
				utfs_pread(file, buf, c->size - last + 100,
					   last, RWF_UNCACHED));
		break;
	default:
		expect_read(test, file, last, 50, RWF_UNCACHED, 26);
		KUNIT_ASSERT_EQ(test, 1U, utfs_marked_folios(file, last, 1));
		KUNIT_EXPECT_EQ(test, (ssize_t)0,
				utfs_pread(file, buf, 100, c->size, 0));
	}
	KUNIT_EXPECT_EQ_MSG(test, c->kind == EOF_READ_PLAIN_AT_EOF ? 1U : 0U,
			    utfs_marked_folios(file, last, PAGE_SIZE),
			    "the folio EOF is in or ends");
	KUNIT_EXPECT_EQ(test, utfs_marked_folios(file, 0, c->size),
			utfs_cached_folios(file, 0, c->size));
}

static struct kunit_case uncached_read_cases[] = {
	KUNIT_CASE(uncached_read_after_readahead_enomem),
	KUNIT_CASE_PARAM(read_error_keeps_marked,
			 read_error_gen_params),
	KUNIT_CASE(plain_nowait_read_unchanged),
	KUNIT_CASE(large_read_as_plain),
	KUNIT_CASE_PARAM(stream_read_as_plain, stream_gen_params),
	KUNIT_CASE(plain_read_after_readahead_enomem_caches),
	KUNIT_CASE(read_in_batches_around_cached),
	KUNIT_CASE(cold_read_one_readahead),
	KUNIT_CASE_PARAM(nonblocking_uncached_read, nonblocking_gen_params),
	KUNIT_CASE(read_ahead_consumed),
	KUNIT_CASE(random_small_reads_read_themselves),
	KUNIT_CASE(read_keeps_precached),
	KUNIT_CASE(plain_read_takes_mark_off),
	KUNIT_CASE(splice_and_fault_take_mark_off),
	KUNIT_CASE(random_read_no_window),
	KUNIT_CASE(write_then_read_uncached),
	KUNIT_CASE(async_readahead_as_plain),
	KUNIT_CASE(nowait_read_in_flight),
	KUNIT_CASE(enomem_read),
	KUNIT_CASE(splice_read_unchanged),
	KUNIT_CASE_PARAM(nonblocking_read_at_readahead_mark,
			 nonblocking_gen_params),
	KUNIT_CASE_PARAM(marked_folio_in_use_stays, in_use_gen),
	KUNIT_CASE_PARAM(read_marks_accessed, accessed_gen),
	KUNIT_CASE_PARAM(read_at_eof, eof_read_gen),
	KUNIT_CASE_PARAM(fault_takes_mark_off_each_folio,
			 fault_readahead_gen_params),
	KUNIT_CASE_PARAM(expanded_readahead_marked, expand_gen_params),
	KUNIT_CASE_PARAM(migrated_folio_keeps_mark, migrate_gen_params),
	{}
};

static struct kunit_suite uncached_read_suite = {
	.name = "uncached_read",
	.test_cases = uncached_read_cases,
	UTFS_SUITE_OPS,
};

kunit_test_suite(uncached_read_suite);
