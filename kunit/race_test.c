// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_race: uncached writes with another thread working on the same
 * file.  Writeback completes from a worker, so the writer sleeps while it
 * waits for it and the other thread runs in that window.  Each race is
 * repeated RACE_ITERATIONS times; the other thread is a kthread, stopped
 * and joined before the case's checks, and by a KUnit action if the case
 * ends earlier: an assertion never leaves it running against a closed
 * file.  Its buffers are the case's, allocated before it starts.  Under
 * 'make debug' the same cases run with KASAN, lockdep and DEBUG_VM.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/swap.h>
#include <linux/uaccess.h>
#include <linux/writeback.h>
#include <kunit/test.h>

#include "testfs.h"

/* uncached_kunit.race_iterations=N on the kernel command line */
static unsigned int race_iterations = 40;
module_param(race_iterations, uint, 0444);
MODULE_PARM_DESC(race_iterations, "how often each race case repeats its race");
#define RACE_ITERATIONS	race_iterations
#define RACE_LEN	(4 * PAGE_SIZE)

struct race {
	struct file *file;
	void *buf;		/* the other thread's, the case's allocation */
	unsigned int errors;	/* fsync() errors, torn pages, short I/O */
	unsigned int rounds;	/* the other thread's */
	u8 seed;		/* the other thread's last write's */
	bool stopped;		/* the other thread has returned */
	struct task_struct *task;	/* the other thread */
};

static void race_end(struct race *r)
{
	kthread_stop(r->task);
	put_task_struct(r->task);
}

/*
 * The end of a case that did not join its thread: the thread may be
 * waiting for writeback the case holds, and would never return; all of
 * it is let go first (the hold's own release runs after this: it was
 * registered before the thread was created).
 */
static void race_stop(void *data)
{
	struct race *r = data;

	if (r->file)
		utfs_release_writeback(utfs_file_inode(r->file), ULONG_MAX);
	race_end(r);
}

/*
 * Create the other thread, not started yet; it is stopped and joined
 * when the case ends, however it ends, or earlier by race_join().
 */
static struct task_struct *race_create(struct kunit *test,
				       int (*fn)(void *), struct race *r,
				       const char *name)
{
	struct task_struct *task = kthread_create(fn, r, "%s", name);

	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	get_task_struct(task);
	r->task = task;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, race_stop, r));
	return task;
}

static struct task_struct *race_start(struct kunit *test,
				      int (*fn)(void *), struct race *r)
{
	struct task_struct *task = race_create(test, fn, r, "utfs-race");

	wake_up_process(task);
	return task;
}

/* Stop and join the other thread now, before the case's checks. */
static void race_join(struct kunit *test, struct race *r)
{
	kunit_remove_action(test, race_stop, r);
	race_end(r);
}

/*
 * What the two threads share, on the heap: a case that ends early ends
 * its thread, and its stack, before the cleanup stops the other thread.
 */
static struct race *race_new(struct kunit *test, struct file *file,
			     enum utfs_path path)
{
	struct race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->file = utfs_reopen(test, file, path);
	return r;
}

/* The other thread's end, for race_thread_stopped_when_case_ends. */
static int race_done(struct race *r)
{
	WRITE_ONCE(r->stopped, true);
	return 0;
}

/* A thread with nothing more to do: idle until stopped, then end. */
static int race_idle(struct race *r)
{
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return race_done(r);
}

static int race_fsync_fn(void *data)
{
	struct race *r = data;

	while (!kthread_should_stop()) {
		if (vfs_fsync(r->file, 0))
			r->errors++;
		r->rounds++;
		usleep_range(500, 2000);
	}
	return race_done(r);
}

/*
 * Every other write fails in writeback while another file of the inode
 * is fsync()ed in a loop: each write returns exactly its own outcome (no
 * error lost to the other file), and the other file is told of errors at
 * most once each, and at least once during the race (its fsync() calls
 * met the failing writes).  One page a write: the folios of a longer
 * write fail one by one, and errseq may tell the other file of each (two
 * CPUs do that).
 */
static void uncached_write_vs_fsync(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_file(test, *path);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct race *r = race_new(test, file, *path);
	void *buf = utfs_pattern_buf(test, PAGE_SIZE, 0, 1);
	struct task_struct *task;
	unsigned int i, wrong = 0;
	ssize_t ret;

	ui->faults.async_writeback = true;
	task = race_start(test, race_fsync_fn, r);
	for (i = 0; i < RACE_ITERATIONS; i++) {
		bool fail = i & 1;

		WRITE_ONCE(ui->faults.wb_error, fail ? -EIO : 0);
		ret = utfs_pwrite(file, buf, PAGE_SIZE, 0, RWF_UNCACHED);
		if (ret != (fail ? -EIO : (ssize_t)PAGE_SIZE)) {
			kunit_err(test, "write %u returned %zd", i, ret);
			wrong++;
		}
		/* Room for an fsync() to finish between two writes too. */
		usleep_range(500, 2000);
	}
	WRITE_ONCE(ui->faults.wb_error, 0);
	race_join(test, r);

	KUNIT_EXPECT_EQ(test, 0U, wrong);
	KUNIT_EXPECT_TRUE(test, r->stopped);
	KUNIT_EXPECT_GE_MSG(test, r->errors, 1U,
			    "the other file's fsync() saw no error during the race");
	/* An error fsync() missed during the race is reported now. */
	if (vfs_fsync(r->file, 0))
		r->errors++;
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(r->file, 0));
	KUNIT_EXPECT_LE(test, r->errors, RACE_ITERATIONS / 2U);
	utfs_expect_disk(test, ui, 0, PAGE_SIZE, 1);
	kunit_info(test, "%u iterations, %u fsync() rounds, %u errors reported to the other file",
		   RACE_ITERATIONS, r->rounds, r->errors);
}

/*
 * Whether every byte of the @len at @buf (file offset @pos) is from a
 * write whose seed is in [@lo, @hi], counted in u8.  A plain read does not
 * exclude a copy into the same folio: with two CPUs a page may mix the
 * writes that went on during the read, but never hold older data.
 */
static bool bytes_from_seeds(const u8 *buf, size_t len, loff_t pos, u8 lo,
			     u8 hi)
{
	size_t i;

	for (i = 0; i < len; i++) {
		u8 seed = buf[i] - (u8)((pos + i) * 7 + ((pos + i) >> PAGE_SHIFT));

		if ((u8)(seed - lo) > (u8)(hi - lo))
			return false;
	}
	return true;
}

/*
 * Whether the @len bytes at @buf, file offset @pos, are all one seed's
 * utfs_pattern(); that seed in @seed.
 */
static bool range_seed(const u8 *buf, size_t len, loff_t pos, u8 *seed)
{
	*seed = buf[0] - (u8)(pos * 7 + (pos >> PAGE_SHIFT));
	return bytes_from_seeds(buf, len, pos, *seed, *seed);
}

static int race_read_fn(void *data)
{
	struct race *r = data;
	u8 *buf = r->buf;

	while (!kthread_should_stop()) {
		/* The last write done, and those that start meanwhile. */
		u8 lo = READ_ONCE(r->seed) - 1;

		if (utfs_pread(r->file, buf, RACE_LEN, 0, 0) != RACE_LEN ||
		    !bytes_from_seeds(buf, RACE_LEN, 0, lo, READ_ONCE(r->seed)))
			r->errors++;
		r->rounds++;
		usleep_range(200, 1000);
	}
	return race_done(r);
}

/*
 * Uncached writes of the range, each with new data, while a plain reader
 * reads it in a loop: every byte the reader sees is from the last write
 * done or one going on (never data an invalidation brought back from
 * before), and at the end the cache and the disk hold the last write's.
 */
static void uncached_write_vs_reader(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_file(test, *path);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct race *r = race_new(test, file, *path);
	struct task_struct *task;
	unsigned int i, cached;

	/* Seed 255 before the first write, seed 0 (u8) the first write's. */
	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, RACE_LEN, 0, 255),
		       RACE_LEN);
	r->buf = kunit_kmalloc(test, RACE_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->buf);
	ui->faults.async_writeback = true;
	task = race_start(test, race_read_fn, r);
	for (i = 0; i < RACE_ITERATIONS; i++) {
		WRITE_ONCE(r->seed, i);
		KUNIT_EXPECT_EQ(test, (ssize_t)RACE_LEN,
				utfs_pwrite_pattern(test, file, 0, RACE_LEN, i, RWF_UNCACHED));
	}
	race_join(test, r);

	KUNIT_EXPECT_EQ(test, 0U, r->errors);
	KUNIT_EXPECT_GT(test, r->rounds, 0U);
	/*
	 * Whatever the reader left cached (it may have read after the last
	 * write's drop) holds the last write's data, as the disk does.
	 */
	cached = utfs_cached_folios(file, 0, RACE_LEN);
	KUNIT_EXPECT_EQ(test, (ssize_t)RACE_LEN,
			utfs_pread(file, r->buf, RACE_LEN, 0, 0));
	KUNIT_EXPECT_MEMEQ(test, r->buf,
			   utfs_pattern_buf(test, RACE_LEN, 0, RACE_ITERATIONS - 1),
			   RACE_LEN);
	utfs_expect_disk(test, ui, 0, RACE_LEN, RACE_ITERATIONS - 1);
	KUNIT_EXPECT_FALSE(test, mapping_tagged(file->f_mapping,
						PAGECACHE_TAG_DIRTY));
	kunit_info(test, "%u iterations, %u reads, %u folios left cached by them",
		   RACE_ITERATIONS, r->rounds, cached);
}

/* The other thread's uncached writes of @len bytes at @pos. */
struct race_writer {
	struct race r;
	loff_t pos;
	size_t len;
	bool killed;	/* race_uncached_write_once_fn(): SIGKILL at the start */
	ssize_t ret;	/* and what its write returned */
};

/* The same, for a writer of [@pos, @pos + @len), with its buffer. */
static struct race_writer *race_writer_new(struct kunit *test,
					   struct file *file,
					   enum utfs_path path, loff_t pos,
					   size_t len)
{
	struct race_writer *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	w->r.file = utfs_reopen(test, file, path);
	w->r.buf = utfs_kvzalloc(test, len);
	w->pos = pos;
	w->len = len;
	return w;
}

/* Uncached writes of the range, new data each, until stopped. */
static int race_uncached_writer_fn(void *data)
{
	struct race_writer *w = data;
	struct race *r = &w->r;
	u8 *buf = r->buf;
	u8 seed = 1;

	while (!kthread_should_stop()) {
		/* Odd seeds: the test thread's are even. */
		seed += 2;
		utfs_pattern(buf, w->len, w->pos, seed);
		if (utfs_pwrite(r->file, buf, w->len, w->pos,
				RWF_UNCACHED) != w->len)
			r->errors++;
		WRITE_ONCE(r->seed, seed);
		r->rounds++;
		usleep_range(200, 1000);
	}
	return race_done(r);
}

/*
 * Two uncached writers of overlapping ranges, pages [0, 3) and [1, 4),
 * each sleeping while its writeback completes: i_rwsem, held across the
 * copy, serializes the copies, so the overlap holds one whole write, the
 * later one; each waits for its own writeback and drops its chunk after
 * the lock, so one may find the other's folios (see below).  Nothing is
 * left dirty, under writeback or referenced.
 */
static void uncached_writers_overlap(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_file(test, *path);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct race_writer *w = race_writer_new(test, file, *path, PAGE_SIZE,
						3 * PAGE_SIZE);
	u8 *got = kunit_kmalloc(test, RACE_LEN, GFP_KERNEL);
	struct task_struct *task;
	unsigned int i, wrong = 0;
	u8 seed = 0, overlap;

	KUNIT_ASSERT_NOT_NULL(test, got);
	ui->faults.async_writeback = true;
	task = race_start(test, race_uncached_writer_fn, &w->r);
	for (i = 0; i < RACE_ITERATIONS; i++) {
		seed = 2 * i;
		if (utfs_pwrite_pattern(test, file, 0, 3 * PAGE_SIZE, seed,
					RWF_UNCACHED) != 3 * PAGE_SIZE)
			wrong++;
		usleep_range(200, 1000);
	}
	race_join(test, &w->r);

	KUNIT_EXPECT_EQ(test, 0U, wrong);
	KUNIT_EXPECT_EQ(test, 0U, w->r.errors);
	KUNIT_EXPECT_GT(test, w->r.rounds, 0U);
	/*
	 * A writer may find the other's last chunk, marked and under
	 * writeback after the other left the inode's lock, and count it as
	 * cached ([R1]): its chunk then stays, clean.  A race in which neither
	 * found the other's folios leaves nothing cached (counted on the
	 * iomap path, where ->get_folio tells found from created).
	 */
	if (*path == UTFS_IOMAP && !ui->stats.folios_found)
		KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	KUNIT_EXPECT_FALSE_MSG(test, mapping_tagged(file->f_mapping,
						    PAGECACHE_TAG_DIRTY),
			       "a folio left dirty by the writers");
	utfs_expect_settled(test, file, "after the race");

	utfs_expect_disk(test, ui, 0, PAGE_SIZE, seed);
	utfs_expect_disk(test, ui, 3 * PAGE_SIZE, PAGE_SIZE, w->r.seed);
	KUNIT_EXPECT_TRUE_MSG(test, range_seed(ui->disk + PAGE_SIZE,
					       2 * PAGE_SIZE, PAGE_SIZE,
					       &overlap),
			      "the overlap holds parts of two writes");
	KUNIT_EXPECT_TRUE_MSG(test, overlap == seed || overlap == w->r.seed,
			      "overlap from seed %u, last writes %u and %u",
			      overlap, seed, w->r.seed);
	KUNIT_EXPECT_EQ(test, (ssize_t)RACE_LEN,
			utfs_pread(file, got, RACE_LEN, 0, 0));
	KUNIT_EXPECT_MEMEQ(test, got, ui->disk, RACE_LEN);
	kunit_info(test, "%u iterations, %u writes by the other writer, %u folios found, %lu left cached",
		   RACE_ITERATIONS, w->r.rounds, ui->stats.folios_found,
		   file->f_mapping->nrpages);
}

static int race_truncate_fn(void *data)
{
	struct race *r = data;

	while (!kthread_should_stop()) {
		/* Down into the middle of a page, and back up. */
		if (vfs_truncate(&r->file->f_path, PAGE_SIZE + PAGE_SIZE / 2) ||
		    vfs_truncate(&r->file->f_path, RACE_LEN))
			r->errors++;
		r->rounds++;
		usleep_range(200, 1000);
	}
	return race_done(r);
}

/*
 * Uncached writes of the range while another thread truncates the file to
 * the middle of its second page and back: every write returns in full;
 * afterwards the file is the last write's, or the last write's up to the
 * truncation point and zeroes after it, on the disk and through a read,
 * and no folio is left behind.
 */
static void uncached_write_vs_truncate(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_file(test, *path);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct race *r = race_new(test, file, *path);
	const size_t cut = PAGE_SIZE + PAGE_SIZE / 2;
	u8 *got = kunit_kzalloc(test, RACE_LEN, GFP_KERNEL);
	struct task_struct *task;
	unsigned int i, wrong = 0;
	u8 seed = 0;

	KUNIT_ASSERT_NOT_NULL(test, got);
	ui->faults.async_writeback = true;
	task = race_start(test, race_truncate_fn, r);
	for (i = 0; i < RACE_ITERATIONS; i++) {
		seed = i;
		if (utfs_pwrite_pattern(test, file, 0, RACE_LEN, seed, RWF_UNCACHED) != RACE_LEN)
			wrong++;
		usleep_range(200, 1000);
	}
	race_join(test, r);

	KUNIT_EXPECT_EQ(test, 0U, wrong);
	KUNIT_EXPECT_EQ(test, 0U, r->errors);
	KUNIT_EXPECT_GT(test, r->rounds, 0U);
	KUNIT_EXPECT_EQ(test, (loff_t)RACE_LEN, i_size_read(file_inode(file)));
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	utfs_expect_settled(test, file, "after the race");

	KUNIT_EXPECT_EQ(test, (ssize_t)RACE_LEN,
			utfs_pread(file, got, RACE_LEN, 0, 0));
	KUNIT_EXPECT_MEMEQ(test, got, ui->disk, RACE_LEN);
	utfs_expect_disk(test, ui, 0, cut, seed);
	if (memchr_inv(ui->disk + cut, 0, RACE_LEN - cut))
		utfs_expect_disk(test, ui, cut, RACE_LEN - cut, seed);
	kunit_info(test, "%u iterations, %u truncations down and up",
		   RACE_ITERATIONS, r->rounds);
}

/*
 * Let all writeback end, wait (10 s at most) until the other thread has
 * done @rounds rounds, and join it.
 */
static void race_release_and_join(struct kunit *test, struct utfs_inode *ui,
				  struct race *r, unsigned int rounds)
{
	unsigned long deadline;

	utfs_release_writeback(ui, ULONG_MAX);
	for (deadline = jiffies + 10 * HZ;
	     READ_ONCE(r->rounds) < rounds && time_before(jiffies, deadline);)
		usleep_range(1000, 2000);
	race_join(test, r);
}

/*
 * One uncached write of the first half of each page of [0, @len), page
 * after page, then nothing until stopped.  Seeds: 2 * the page's index + 1.
 */
static int race_half_page_writer_fn(void *data)
{
	struct race_writer *w = data;
	struct race *r = &w->r;
	const size_t half = PAGE_SIZE / 2;
	u8 *buf = r->buf;
	loff_t pos;

	for (pos = 0; pos < w->len && !kthread_should_stop(); pos += PAGE_SIZE) {
		utfs_pattern(buf, half, pos, 2 * (pos >> PAGE_SHIFT) + 1);
		if (utfs_pwrite(r->file, buf, half, pos, RWF_UNCACHED) != half)
			r->errors++;
		r->rounds++;
	}
	return race_idle(r);
}

/* Wait (up to 2 s) until folio @index is cached and under writeback. */
static bool wait_for_writeback_of(struct address_space *mapping, pgoff_t index)
{
	unsigned long deadline = jiffies + 2 * HZ;

	while (time_before(jiffies, deadline)) {
		struct folio *folio = filemap_get_folio(mapping, index);
		bool wb = false;

		if (!IS_ERR(folio)) {
			wb = folio_test_writeback(folio);
			folio_put(folio);
		}
		if (wb)
			return true;
		usleep_range(50, 100);
	}
	return false;
}

/*
 * An uncached write of the first half of a page, and a write of the second
 * half through a shared mapping of the file while the uncached write waits
 * for its writeback (held until then, so that the two always meet, with
 * one CPU or several): the mapping's write dirties the folio again, so the
 * uncached write must keep it (invalidation unmaps the folio first, which
 * moves the dirty bit from the page table, and then finds it dirty).  Each
 * iteration takes a page nobody has touched, so that the uncached write
 * created the folio and would drop it.  No write through the mapping is
 * lost: the mapping, a read and, after fsync(), the disk agree, each half
 * with its own writer's data.
 */
static void uncached_write_vs_mmap(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	const size_t half = PAGE_SIZE / 2;
	const size_t len = (size_t)RACE_ITERATIONS * PAGE_SIZE;
	struct file *file = utfs_new_sized_file(test, *path, len);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct race_writer *w = race_writer_new(test, file, *path, 0, len);
	u8 *want = kunit_kmalloc(test, half, GFP_KERNEL);
	u8 *got = utfs_pattern_buf(test, len, 0, 0);
	unsigned int i, lost = 0, faults = 0, missed = 0, kept = 0;
	struct task_struct *task;
	unsigned long addr;
	loff_t pos;

	KUNIT_ASSERT_NOT_NULL(test, want);
	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, len, 0, 100), len);
	addr = kunit_vm_mmap(test, file, 0, len, PROT_READ | PROT_WRITE,
			     MAP_SHARED, 0);
	KUNIT_ASSERT_NE_MSG(test, addr, 0UL, "could not map the file");

	/* Each page's writeback lasts until its write through the mapping. */
	utfs_hold_writeback(test, ui);
	task = race_start(test, race_half_page_writer_fn, &w->r);
	for (i = 0; i < RACE_ITERATIONS; i++) {
		pos = (loff_t)i * PAGE_SIZE + half;
		if (!wait_for_writeback_of(file->f_mapping, i)) {
			missed = RACE_ITERATIONS - i;
			break;
		}
		/* The writer waits for its held writeback here. */
		UTFS_ASSERT_NOT_FORCED(test);
		utfs_pattern(want, half, pos, 2 * i);
		if (copy_to_user((void __user *)addr + pos, want, half))
			faults++;
		utfs_release_writeback(ui, i + 1);
	}
	/* Let the writer finish its last write (it never takes long). */
	race_release_and_join(test, ui, &w->r, RACE_ITERATIONS);

	KUNIT_EXPECT_EQ_MSG(test, 0U, missed,
			    "pages whose uncached write never got under writeback");
	KUNIT_EXPECT_EQ(test, 0U, faults);
	KUNIT_EXPECT_EQ(test, 0U, w->r.errors);
	kept = utfs_cached_folios(file, 0, len);
	for (i = 0; i < RACE_ITERATIONS; i++) {
		pos = (loff_t)i * PAGE_SIZE + half;
		utfs_pattern(want, half, pos, 2 * i);
		if (copy_from_user(got, (void __user *)addr + pos, half))
			faults++;
		else if (memcmp(got, want, half))
			lost++;
	}
	KUNIT_EXPECT_EQ_MSG(test, 0U, lost, "writes through the mapping lost");
	/* Dirtied again through the mapping: none was dropped. */
	KUNIT_EXPECT_EQ(test, RACE_ITERATIONS, kept);
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
	utfs_expect_settled(test, file, "after the race");
	KUNIT_EXPECT_EQ(test, (ssize_t)len, utfs_pread(file, got, len, 0, 0));
	KUNIT_EXPECT_MEMEQ(test, got, ui->disk, len);
	for (i = 0; i < RACE_ITERATIONS; i++) {
		pos = (loff_t)i * PAGE_SIZE;
		utfs_expect_disk(test, ui, pos, half, 2 * i + 1);
		utfs_expect_disk(test, ui, pos + half, half, 2 * i);
	}
	kunit_info(test, "%u iterations, %u folios kept dirty by the mapping",
		   RACE_ITERATIONS, kept);
}

/* Uncached writes of each page of [0, w->len) in turn, once each. */
static int race_page_writer_fn(void *data)
{
	struct race_writer *w = data;
	struct race *r = &w->r;
	loff_t pos;

	for (pos = 0; pos < w->len && !kthread_should_stop(); pos += PAGE_SIZE) {
		utfs_pattern(r->buf, PAGE_SIZE, pos, 1);
		if (utfs_pwrite(r->file, r->buf, PAGE_SIZE, pos,
				RWF_UNCACHED) != PAGE_SIZE)
			r->errors++;
		WRITE_ONCE(r->rounds, r->rounds + 1);
	}
	return race_idle(r);
}

struct race_restart {
	struct race r;
	struct folio *folio;	/* the case's reference */
	loff_t pos;
	const void *data;	/* what the thread writes into the folio */
	bool waiting;		/* about to wait for the folio's writeback */
	bool missed;		/* the folio was gone when the thread ran */
};

/*
 * Wait for the folio's writeback; as soon as it ends, write new data into
 * the folio and start its next writeback.
 */
static int race_restart_fn(void *data)
{
	struct race_restart *rr = data;
	struct address_space *mapping = rr->r.file->f_mapping;
	struct folio *folio = rr->folio;

	WRITE_ONCE(rr->waiting, true);
	folio_wait_writeback(folio);
	folio_lock(folio);
	if (folio->mapping == mapping) {
		memcpy_to_folio(folio, 0, rr->data, PAGE_SIZE);
		filemap_dirty_folio(mapping, folio);
	} else {
		rr->missed = true;
	}
	folio_unlock(folio);
	/* Gone: nothing to write (a write would wait for the writer's i_rwsem). */
	if (!rr->missed && filemap_fdatawrite_range(mapping, rr->pos,
						    rr->pos + PAGE_SIZE - 1))
		rr->r.errors++;
	race_done(&rr->r);
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return 0;
}

/* Until (a second) @rr's thread sleeps waiting for the writeback. */
static bool wait_for_waiter(struct race_restart *rr, struct task_struct *task)
{
	unsigned long deadline = jiffies + HZ;

	while (time_before(jiffies, deadline)) {
		if (READ_ONCE(rr->waiting) &&
		    READ_ONCE(task->__state) == TASK_UNINTERRUPTIBLE)
			return true;
		usleep_range(50, 100);
	}
	return false;
}

/*
 * The writeback of a clean folio ends, and before whatever comes after it
 * (a drop-behind design's drop) takes the folio's lock, the folio is
 * written again and its next writeback started: it is then clean,
 * unlocked and under writeback, and must stay in the page cache until
 * that writeback ends (upstream's 6.15 double free dropped it).  Each
 * page in turn: an uncached write whose writeback is held, and a thread
 * of real-time priority waiting for that writeback; its end wakes the
 * thread, which under preemption runs there and then, writes new data
 * into the folio and starts the next writeback.  The test filesystem's
 * folios carry nothing, so no ->release_folio refuses the drop (as XFS's
 * with 4 KiB blocks), and it counts every writeback that ends on a folio
 * no longer in the page cache.  Without full preemption (or with another
 * CPU to run on) the thread may run only after what follows the end: the
 * case needs 'make debug' (CONFIG_PREEMPT, one CPU), and skips elsewhere.
 */
static void writeback_restarted_before_drop(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	const size_t len = (size_t)RACE_ITERATIONS * PAGE_SIZE;
	struct file *file = utfs_new_plain_file(test, *path, len);
	struct address_space *mapping = file->f_mapping;
	struct utfs_inode *ui = utfs_file_inode(file);
	struct race_writer *w = race_writer_new(test, file, *path, 0, len);
	struct race_restart *rr = kunit_kzalloc(test, sizeof(*rr), GFP_KERNEL);
	u8 *data = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	bool *late_pages = kunit_kcalloc(test, RACE_ITERATIONS, sizeof(bool),
					 GFP_KERNEL);
	unsigned int i, missed = 0, unwaited = 0, late = 0, gone = 0;
	struct task_struct *task, *waiter;
	unsigned long deadline;

	if (!preempt_model_full())
		kunit_skip(test, "needs full preemption (CONFIG_PREEMPT, 'make debug')");
	KUNIT_ASSERT_NOT_NULL(test, rr);
	KUNIT_ASSERT_NOT_NULL(test, data);
	KUNIT_ASSERT_NOT_NULL(test, late_pages);
	rr->r.file = utfs_reopen(test, file, *path);
	rr->data = data;
	utfs_hold_writeback(test, ui);
	task = race_start(test, race_page_writer_fn, &w->r);
	for (i = 0; i < RACE_ITERATIONS; i++) {
		loff_t pos = (loff_t)i * PAGE_SIZE;
		struct folio *folio;

		if (!wait_for_writeback_of(mapping, i)) {
			missed = RACE_ITERATIONS - i;
			break;
		}
		/* Before the folio's reference: an assertion here takes none. */
		waiter = race_create(test, race_restart_fn, &rr->r,
				     "utfs-restart");
		folio = filemap_get_folio(mapping, i);
		if (IS_ERR(folio)) {
			race_join(test, &rr->r);
			missed = RACE_ITERATIONS - i;
			break;
		}
		utfs_pattern(data, PAGE_SIZE, pos, 2);
		rr->folio = folio;
		rr->pos = pos;
		rr->waiting = false;
		rr->missed = false;
		WRITE_ONCE(rr->r.stopped, false);
		sched_set_fifo(waiter);
		wake_up_process(waiter);
		if (!wait_for_waiter(rr, waiter))
			unwaited++;
		utfs_release_writeback(ui, i + 1);
		for (deadline = jiffies + 5 * HZ; !READ_ONCE(rr->r.stopped) &&
		     time_before(jiffies, deadline);)
			usleep_range(100, 200);
		race_join(test, &rr->r);
		late_pages[i] = rr->missed;
		late += rr->missed;
		/* Still under its second writeback: still in the page cache. */
		if (folio_test_writeback(folio) && folio->mapping != mapping)
			gone++;
		folio_put(folio);
	}
	race_release_and_join(test, ui, &w->r, RACE_ITERATIONS);

	KUNIT_EXPECT_EQ_MSG(test, 0U, missed,
			    "pages whose uncached write never got under writeback");
	KUNIT_EXPECT_EQ_MSG(test, 0U, unwaited,
			    "pages whose thread never waited for their writeback");
	KUNIT_EXPECT_EQ_MSG(test, 0U, late,
			    "pages whose thread ran only after the folio had gone");
	KUNIT_EXPECT_EQ(test, 0U, w->r.errors + rr->r.errors);
	KUNIT_EXPECT_EQ_MSG(test, 0U, gone,
			    "folios dropped from the page cache under writeback");
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
	utfs_expect_settled(test, file, "after the race");
	/* A page whose thread came too late holds the uncached write's data. */
	for (i = 0; i < RACE_ITERATIONS; i++)
		utfs_expect_disk(test, ui, (loff_t)i * PAGE_SIZE, PAGE_SIZE,
				 late_pages[i] ? 1 : 2);
}

#define REWRITE_LEN	(16 * PAGE_SIZE)
#define REWRITE_MS	2000	/* how long the reader reads */
#define REWRITE_US	20	/* the writer's period */

/*
 * Every REWRITE_US, at real-time priority: each cached, clean, unlocked
 * folio of the file is dirtied (with the data it holds: the reader reads
 * the same whatever happens) and written back (async_writeback: the
 * writeback is still going on when the reader runs again).
 */
static int race_rewrite_fn(void *data)
{
	struct race *r = data;
	struct address_space *mapping = r->file->f_mapping;

	while (!kthread_should_stop()) {
		pgoff_t index;
		bool dirtied = false;

		for (index = 0; index < REWRITE_LEN >> PAGE_SHIFT; index++) {
			struct folio *folio = filemap_get_folio(mapping, index);

			if (IS_ERR(folio))
				continue;
			if (!folio_test_dirty(folio) && !folio_test_writeback(folio) &&
			    folio_trylock(folio)) {
				if (folio->mapping == mapping &&
				    folio_test_uptodate(folio))
					dirtied |= filemap_dirty_folio(mapping, folio);
				folio_unlock(folio);
			}
			folio_put(folio);
		}
		if (dirtied && filemap_fdatawrite_range(mapping, 0, REWRITE_LEN - 1))
			r->errors++;
		r->rounds++;
		usleep_range(REWRITE_US, 2 * REWRITE_US);
	}
	return race_done(r);
}

/*
 * Uncached reads of a file, again and again, while a real-time thread
 * dirties and writes back whatever of it is cached, clean and unlocked,
 * every few microseconds: under preemption it runs at any point of the
 * reader, between any two of its steps.  What a read brought in and then
 * drops must not be under writeback when it is dropped (the test
 * filesystem counts every writeback that ends on a folio no longer in the
 * page cache): a drop that checked the folio before taking its lock and
 * not after (upstream's first drop-behind reads) is found here, by chance,
 * as the writer lands between the check and the lock.  Every read reads
 * the file's data.  Needs preemption ('make debug').
 */
static void uncached_read_vs_rewrite(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_plain_file(test, *path, REWRITE_LEN);
	struct utfs_inode *ui = utfs_file_inode(file);
	u8 *want = utfs_pattern_buf(test, REWRITE_LEN, 0, 5);
	u8 *got = kunit_kzalloc(test, REWRITE_LEN, GFP_KERNEL);
	struct race *r = race_new(test, file, *path);
	unsigned int reads = 0, bad = 0, short_reads = 0;
	struct task_struct *task;
	unsigned long deadline;

	if (!preempt_model_full())
		kunit_skip(test, "needs full preemption (CONFIG_PREEMPT, 'make debug')");
	KUNIT_ASSERT_NOT_NULL(test, got);
	utfs_fill_disk(ui, 0, want, REWRITE_LEN);
	ui->faults.async_writeback = true;
	task = race_create(test, race_rewrite_fn, r, "utfs-rewrite");
	sched_set_fifo(task);
	wake_up_process(task);
	for (deadline = jiffies + msecs_to_jiffies(REWRITE_MS);
	     time_before(jiffies, deadline); reads++) {
		if (utfs_pread(file, got, REWRITE_LEN, 0, RWF_UNCACHED) != REWRITE_LEN)
			short_reads++;
		else if (memcmp(got, want, REWRITE_LEN))
			bad++;
		cond_resched();
	}
	race_join(test, r);

	KUNIT_EXPECT_EQ(test, 0U, short_reads);
	KUNIT_EXPECT_EQ(test, 0U, bad);
	KUNIT_EXPECT_EQ(test, 0U, r->errors);
	KUNIT_EXPECT_GT_MSG(test, r->rounds, 0U, "the writer never ran");
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
	utfs_expect_settled(test, file, "after the race");
	kunit_info(test, "%u reads, %u rounds of the writer", reads, r->rounds);
}

#define FAULT_AROUND_LEN	(16 * PAGE_SIZE)	/* fault_around_bytes */

/* One uncached write (seed 3), which SIGKILL may end. */
static int race_uncached_write_once_fn(void *data)
{
	struct race_writer *w = data;
	struct race *r = &w->r;

	/* A kernel thread ignores signals but those it allows. */
	allow_signal(SIGKILL);
	if (w->killed)
		send_sig(SIGKILL, current, 1);
	utfs_pattern(r->buf, w->len, w->pos, 3);
	w->ret = utfs_pwrite(r->file, r->buf, w->len, w->pos, RWF_UNCACHED);
	if (w->ret != w->len)
		r->errors++;
	WRITE_ONCE(r->rounds, 1);
	return race_idle(r);
}

/*
 * A read fault on the first page of an uncached write under writeback
 * maps the folios around it too (fault-around), folios the write created
 * and nobody touched; the writeback then ends with a spinlock held (as
 * btrfs ends it), in task context but unable to sleep.  Whatever a design
 * does with those folios then, it may not sleep there (unmapping a folio
 * takes i_mmap_rwsem: under 'make debug' DEBUG_ATOMIC_SLEEP reports it,
 * and the report fails the case), and the mapping keeps reading what was
 * written, as do read() and, after fsync(), the disk.
 */
static void fault_around_maps_folios_under_writeback(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	const size_t len = FAULT_AROUND_LEN;
	struct file *file = utfs_new_plain_file(test, *path, len);
	struct address_space *mapping = file->f_mapping;
	struct utfs_inode *ui = utfs_file_inode(file);
	struct race_writer *w = race_writer_new(test, file, *path, 0, len);
	u8 *want = utfs_pattern_buf(test, len, 0, 3);
	u8 *got = kunit_kzalloc(test, len, GFP_KERNEL);
	unsigned int mapped = 0;
	struct task_struct *task;
	unsigned long addr;
	bool under_writeback;
	pgoff_t index;
	u8 c;

	KUNIT_ASSERT_NOT_NULL(test, got);
	addr = kunit_vm_mmap(test, file, 0, len, PROT_READ, MAP_SHARED, 0);
	KUNIT_ASSERT_NE_MSG(test, addr, 0UL, "could not map the file");
	utfs_hold_writeback(test, ui);
	ui->faults.end_writeback_locked = true;
	task = race_start(test, race_uncached_write_once_fn, &w->r);
	under_writeback = wait_for_writeback_of(mapping, (len >> PAGE_SHIFT) - 1);
	KUNIT_EXPECT_TRUE_MSG(test, under_writeback,
			      "the uncached write never got under writeback");
	KUNIT_EXPECT_EQ(test, 0, get_user(c, (u8 __user *)addr));
	for (index = 0; index < len >> PAGE_SHIFT; index++) {
		struct folio *folio = filemap_get_folio(mapping, index);

		if (!IS_ERR(folio)) {
			mapped += folio_mapped(folio);
			folio_put(folio);
		}
	}
	race_release_and_join(test, ui, &w->r, 1);

	/* Fault-around mapped more than the faulting page. */
	KUNIT_EXPECT_GT(test, mapped, 1U);
	KUNIT_EXPECT_EQ(test, 0U, w->r.errors);
	KUNIT_EXPECT_EQ(test, 0UL, copy_from_user(got, (void __user *)addr, len));
	KUNIT_EXPECT_MEMEQ(test, got, want, len);
	KUNIT_EXPECT_EQ(test, (ssize_t)len, utfs_pread(file, got, len, 0, 0));
	KUNIT_EXPECT_MEMEQ(test, got, want, len);
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
	utfs_expect_settled(test, file, "after the writeback");
	utfs_expect_disk(test, ui, 0, len, 3);
	kunit_info(test, "%u of %zu folios mapped by the fault", mapped,
		   len >> PAGE_SHIFT);
}

/*
 * Case @i of a generated space of some kind x both paths (kind i / 2):
 * its path, and its description, "@name.path".
 */
static enum utfs_path race_case_path(unsigned int i, const char *name,
				     char *desc)
{
	enum utfs_path path = i % 2 ? UTFS_GENERIC : UTFS_IOMAP;

	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s.%s", name,
		 path == UTFS_IOMAP ? "iomap" : "generic");
	return path;
}

/*
 * What a second actor does while an uncached write's last chunk is under
 * writeback, after the write has left the inode's lock.
 */
enum pending_actor {
	PENDING_NONE,
	PENDING_PLAIN_READ,	/* a buffered read of page 1 */
	PENDING_UNCACHED_READ,	/* an uncached read of the chunk */
	PENDING_PLAIN_WRITE,	/* a buffered write of page 1 */
	PENDING_UNCACHED_WRITE,	/* an uncached write of page 1 */
	PENDING_FSYNC,		/* fsync() of another open file */
	PENDING_FSYNC_ERROR,	/* the same, and the writeback fails */
	PENDING_TRUNCATE,	/* a truncate into page 1 */
	NR_PENDING_ACTORS
};

static const char *const pending_actor_names[] = {
	[PENDING_NONE]		= "none",
	[PENDING_PLAIN_READ]	= "plain_read",
	[PENDING_UNCACHED_READ]	= "uncached_read",
	[PENDING_PLAIN_WRITE]	= "plain_write",
	[PENDING_UNCACHED_WRITE] = "uncached_write",
	[PENDING_FSYNC]		= "fsync",
	[PENDING_FSYNC_ERROR]	= "fsync_error",
	[PENDING_TRUNCATE]	= "truncate",
};

#define PENDING_LEN	(3 * PAGE_SIZE)
#define PENDING_SIZE	(PAGE_SIZE + PAGE_SIZE / 2)	/* the truncate's */

/* The actors that wait for the writeback the case holds. */
static bool pending_actor_waits(enum pending_actor actor)
{
	return actor == PENDING_UNCACHED_WRITE || actor == PENDING_FSYNC ||
	       actor == PENDING_FSYNC_ERROR || actor == PENDING_TRUNCATE;
}

struct pending_case {
	enum pending_actor actor;
	enum utfs_path path;
};

static struct pending_case pending_cases[2 * NR_PENDING_ACTORS];

static const void *pending_gen_params(const void *prev, char *desc)
{
	struct pending_case *c;
	unsigned int i;

	c = UTFS_NEXT_CASE(prev, pending_cases, &i);
	if (!c)
		return NULL;
	c->actor = i / 2;
	c->path = race_case_path(i, pending_actor_names[c->actor], desc);
	return c;
}

struct pending_race {
	struct race r;
	enum pending_actor actor;
	const u8 *want;		/* the uncached write's data */
};

static int race_pending_actor_fn(void *data)
{
	struct pending_race *a = data;
	struct race *r = &a->r;
	u8 *buf = r->buf;
	bool ok = false;

	switch (a->actor) {
	case PENDING_PLAIN_READ:
		ok = utfs_pread(r->file, buf, PAGE_SIZE, PAGE_SIZE, 0) ==
			PAGE_SIZE && !memcmp(buf, a->want + PAGE_SIZE, PAGE_SIZE);
		break;
	case PENDING_UNCACHED_READ:
		ok = utfs_pread(r->file, buf, PENDING_LEN, 0, RWF_UNCACHED) ==
			PENDING_LEN && !memcmp(buf, a->want, PENDING_LEN);
		break;
	case PENDING_PLAIN_WRITE:
	case PENDING_UNCACHED_WRITE:
		utfs_pattern(buf, PAGE_SIZE, PAGE_SIZE, 5);
		ok = utfs_pwrite(r->file, buf, PAGE_SIZE, PAGE_SIZE,
				 a->actor == PENDING_UNCACHED_WRITE ?
				 RWF_UNCACHED : 0) == PAGE_SIZE;
		break;
	case PENDING_FSYNC:
		ok = !vfs_fsync(r->file, 0);
		break;
	case PENDING_FSYNC_ERROR:
		ok = vfs_fsync(r->file, 0) == -EIO;
		break;
	case PENDING_TRUNCATE:
		ok = !vfs_truncate(&r->file->f_path, PENDING_SIZE);
		break;
	default:
		break;
	}
	if (!ok)
		r->errors++;
	WRITE_ONCE(r->rounds, 1);
	return race_idle(r);
}

/*
 * An uncached write of three pages, one chunk, and its writeback held: the
 * write waits for it after it has left the inode's lock (which the case
 * takes and lets go), with the chunk's folios marked as an uncached read
 * marks its own ([W1], [R1]).  Then, each in a case of its own, a second
 * actor in that window: a buffered read of page 1 takes the mark off and
 * keeps it cached, unmarked; a buffered write keeps it, dirty; an uncached
 * read returns the new data and drops nothing under writeback, an
 * uncached write of page 1 counts it as cached, fsync() of another file
 * and a truncate wait for the writeback: and once it is let go, the rest
 * goes, nothing is left dirty, under writeback or referenced, and the disk
 * and the file hold what was written.  If the writeback fails, the write
 * and the other file's fsync() both report it ([E1]), and the chunk stays
 * cached, unmarked.
 */
static void uncached_write_pending_chunk(struct kunit *test)
{
	const struct pending_case *c = test->param_value;
	struct file *file = utfs_new_file(test, c->path);
	struct inode *inode = file_inode(file);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct race_writer *w = race_writer_new(test, file, c->path, 0,
						PENDING_LEN);
	struct pending_race *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct task_struct *writer, *actor;
	bool lock_free;

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->r.file = utfs_reopen(test, file, c->path);
	a->r.buf = kunit_kmalloc(test, PENDING_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a->r.buf);
	a->want = utfs_pattern_buf(test, PENDING_LEN, 0, 3);
	a->actor = c->actor;

	utfs_hold_writeback(test, ui);
	if (c->actor == PENDING_FSYNC_ERROR)
		ui->faults.wb_error = -EIO;
	writer = race_start(test, race_uncached_write_once_fn, &w->r);
	KUNIT_ASSERT_TRUE_MSG(test,
			      wait_for_writeback_of(file->f_mapping, 2),
			      "the uncached write never got under writeback");
	KUNIT_ASSERT_TRUE(test, utfs_wait_sleeping(writer));
	lock_free = inode_trylock(inode);
	if (lock_free)
		inode_unlock(inode);
	KUNIT_EXPECT_TRUE_MSG(test, lock_free,
			      "the writer waits for writeback with the inode locked");
	KUNIT_EXPECT_EQ_MSG(test, 3U, utfs_marked_folios(file, 0, PENDING_LEN),
			    "folios of the chunk marked while it is written back");

	if (c->actor != PENDING_NONE) {
		actor = race_start(test, race_pending_actor_fn, &a->r);
		if (pending_actor_waits(c->actor))
			KUNIT_EXPECT_TRUE_MSG(test, utfs_wait_sleeping(actor),
					      "the %s did not wait",
					      pending_actor_names[c->actor]);
		else
			KUNIT_EXPECT_TRUE_MSG(test,
					      utfs_wait_for(&a->r.rounds, 1),
					      "the %s waited",
					      pending_actor_names[c->actor]);
	}
	race_release_and_join(test, ui, &w->r, 1);
	if (c->actor != PENDING_NONE)
		race_release_and_join(test, ui, &a->r, 1);

	KUNIT_EXPECT_EQ_MSG(test, c->actor == PENDING_FSYNC_ERROR ? 1U : 0U,
			    w->r.errors, "the uncached write's result");
	KUNIT_EXPECT_EQ_MSG(test, 0U, a->r.errors, "the %s failed",
			    pending_actor_names[c->actor]);
	utfs_expect_settled(test, file, "after the write");
	if (c->actor == PENDING_FSYNC_ERROR) {
		KUNIT_EXPECT_EQ(test, 3U,
				utfs_cached_folios(file, 0, PENDING_LEN));
		KUNIT_EXPECT_EQ(test, 0U,
				utfs_marked_folios(file, 0, PENDING_LEN));
		utfs_expect_cache(test, file, 0, PENDING_LEN, 3);
		/* Reported to the write's file: its fsync() says nothing. */
		KUNIT_EXPECT_EQ(test, 0, vfs_fsync(w->r.file, 0));
		return;
	}
	/* Pages 0 and 2 were nobody else's: they went. */
	KUNIT_EXPECT_EQ(test, 0U, utfs_cached_folios(file, 0, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0U,
			utfs_cached_folios(file, 2 * PAGE_SIZE, PAGE_SIZE));
	switch (c->actor) {
	case PENDING_PLAIN_READ:
		KUNIT_EXPECT_EQ(test, 1U,
				utfs_cached_folios(file, PAGE_SIZE, PAGE_SIZE));
		KUNIT_EXPECT_EQ(test, 0U,
				utfs_marked_folios(file, PAGE_SIZE, PAGE_SIZE));
		break;
	case PENDING_PLAIN_WRITE:
		/* Dirtied by the other writer: it stays, and is written. */
		KUNIT_EXPECT_EQ(test, 1U,
				utfs_cached_folios(file, PAGE_SIZE, PAGE_SIZE));
		KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
		fallthrough;
	case PENDING_UNCACHED_WRITE:
		/* Cached before that write: it may stay, clean (settled). */
		utfs_expect_disk(test, ui, 0, PAGE_SIZE, 3);
		utfs_expect_disk(test, ui, PAGE_SIZE, PAGE_SIZE, 5);
		utfs_expect_disk(test, ui, 2 * PAGE_SIZE, PAGE_SIZE, 3);
		return;
	case PENDING_TRUNCATE:
		KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
		KUNIT_EXPECT_EQ(test, (loff_t)PENDING_SIZE, i_size_read(inode));
		utfs_expect_disk(test, ui, 0, PENDING_SIZE, 3);
		return;
	default:
		KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
		break;
	}
	utfs_expect_disk(test, ui, 0, PENDING_LEN, 3);
}

/* Where SIGKILL reaches an uncached writer. */
enum kill_point {
	KILL_BEFORE,		/* pending when the write starts */
	KILL_IN_COPY,		/* at its lookup of the second folio */
	KILL_IN_CHUNK_WAIT,	/* waiting for its first of two chunks */
	KILL_IN_LAST_CHUNK_WAIT, /* waiting for its only chunk, after the lock */
	NR_KILL_POINTS
};

static const char *const kill_point_names[] = {
	[KILL_BEFORE]			= "before",
	[KILL_IN_COPY]			= "copy",
	[KILL_IN_CHUNK_WAIT]		= "chunk_wait",
	[KILL_IN_LAST_CHUNK_WAIT]	= "last_chunk_wait",
};

struct kill_case {
	enum kill_point point;
	enum utfs_path path;
};

static struct kill_case kill_cases[2 * NR_KILL_POINTS];

static const void *kill_gen_params(const void *prev, char *desc)
{
	struct kill_case *c;
	unsigned int i;

	c = UTFS_NEXT_CASE(prev, kill_cases, &i);
	if (!c)
		return NULL;
	c->point = i / 2;
	c->path = race_case_path(i, kill_point_names[c->point], desc);
	return c;
}

/*
 * SIGKILL for an uncached writer ([A1], [W1]): pending from the start, the
 * write copies nothing and returns -EINTR; sent while it copies (as it
 * looks up its second folio), it copies that folio and no more, and the
 * short chunk is written back and dropped; while it waits for a chunk's
 * writeback (the first of two, under the lock, or its last, after it), the
 * wait goes on, as an O_DSYNC write's does, and the write returns what it
 * copied: the next chunk is never copied.  Each way, nothing is left
 * cached, dirty or referenced, and the disk holds what it returned.
 */
static void uncached_write_killed(struct kunit *test)
{
	const struct kill_case *c = test->param_value;
	size_t len = c->point == KILL_IN_CHUNK_WAIT ?
		UNCACHED_WRITE_CHUNK + PAGE_SIZE : PENDING_LEN;
	ssize_t want = c->point == KILL_BEFORE ? -EINTR :
		c->point == KILL_IN_COPY ? 2 * PAGE_SIZE :
		c->point == KILL_IN_CHUNK_WAIT ? UNCACHED_WRITE_CHUNK : len;
	struct file *file = utfs_new_sized_file(test, c->path, len);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct race_writer *w = race_writer_new(test, file, c->path, 0, len);
	struct task_struct *writer;
	pgoff_t last = (min_t(size_t, len, UNCACHED_WRITE_CHUNK) >> PAGE_SHIFT) - 1;

	w->killed = c->point == KILL_BEFORE;
	utfs_hold_writeback(test, ui);
	/*
	 * The last folio's alone: each held completion parks a workqueue
	 * worker, and a chunk's would leave some 256 idle ones behind
	 * (which uncached_counters counts).
	 */
	WRITE_ONCE(ui->faults.wb_released, last);
	if (c->point == KILL_IN_COPY)
		ui->faults.kill_at = 1;
	writer = race_start(test, race_uncached_write_once_fn, &w->r);
	if (c->point == KILL_IN_CHUNK_WAIT ||
	    c->point == KILL_IN_LAST_CHUNK_WAIT) {
		KUNIT_ASSERT_TRUE_MSG(test,
				      wait_for_writeback_of(file->f_mapping, last),
				      "the uncached write never got under writeback");
		KUNIT_ASSERT_TRUE(test, utfs_wait_sleeping(writer));
		send_sig(SIGKILL, writer, 1);
		KUNIT_EXPECT_TRUE_MSG(test,
				      utfs_wait_sleeping(writer) &&
				      !READ_ONCE(w->r.rounds),
				      "the killed writer did not wait for its chunk");
	}
	race_release_and_join(test, ui, &w->r, 1);

	KUNIT_EXPECT_EQ(test, want, w->ret);
	utfs_expect_settled(test, file, "after the killed write");
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	KUNIT_EXPECT_EQ(test, (loff_t)max_t(ssize_t, want, 0),
			i_size_read(file_inode(file)));
	if (want > 0)
		utfs_expect_disk(test, ui, 0, want, 3);
}

#define READ_LEN	UTFS_MAX_SIZE

static int race_uncached_read_fn(void *data)
{
	struct race *r = data;
	u8 *buf = r->buf;

	while (!kthread_should_stop()) {
		if (utfs_pread(r->file, buf, READ_LEN, 0,
			       RWF_UNCACHED) != READ_LEN)
			r->errors++;
		r->rounds++;
		cond_resched();
	}
	return race_done(r);
}

/*
 * Uncached reads of the whole file, many folios per read, while the test
 * thread makes plain writes of single pages of it: a folio the reader
 * brought in and a writer dirtied before the reader dropped it stays
 * (invalidation finds it dirty), so no write is lost, and afterwards the
 * file holds every page's last write.
 */
static void uncached_read_vs_writer(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_file(test, *path);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct race *r = race_new(test, file, *path);
	const unsigned int pages = READ_LEN / PAGE_SIZE;
	u8 *seeds = kunit_kzalloc(test, pages, GFP_KERNEL);
	u8 *got = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct task_struct *task;
	unsigned int hits_wanted = max(1U, RACE_ITERATIONS / 8);
	unsigned int i, wrong = 0, lost = 0, hits = 0;
	loff_t pos;

	KUNIT_ASSERT_NOT_NULL(test, seeds);
	KUNIT_ASSERT_NOT_NULL(test, got);
	memset(seeds, 100, pages);
	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, READ_LEN, 0, 100),
		       READ_LEN);
	r->buf = utfs_pattern_buf(test, READ_LEN, 0, 0);
	task = race_start(test, race_uncached_read_fn, r);
	KUNIT_ASSERT_GE(test, pages, 2U * VM_READAHEAD_PAGES);
	/*
	 * A write lands between the reader's readahead and its drop about
	 * one time in ten: try until that happened RACE_ITERATIONS / 8
	 * times (the write found the folio the reader marked, which the
	 * reader then finds dirty).
	 */
	for (i = 0; i < 10 * RACE_ITERATIONS && hits < hits_wanted; i++) {
		/*
		 * The reader brings folios in VM_READAHEAD_PAGES at a time and
		 * copies them PAGEVEC_SIZE, one fewer, at a time: the last
		 * folio of each readahead window is copied and dropped in a
		 * batch of its own, after filemap_read() let other tasks run
		 * (cond_resched()).  Those are the folios to dirty.
		 */
		unsigned int page = (i % 2 + 1) * VM_READAHEAD_PAGES - 1;

		pos = (loff_t)page * PAGE_SIZE;
		u8 *data = utfs_pattern_buf(test, PAGE_SIZE, pos, i);

		seeds[page] = i;
		if (utfs_pwrite(file, data, PAGE_SIZE, pos, 0) != PAGE_SIZE)
			wrong++;
		hits += utfs_marked_folios(file, pos, PAGE_SIZE);
		usleep_range(200, 1000);
		/* Each write, not only the last: the reader ran meanwhile. */
		if (utfs_pread(file, got, PAGE_SIZE, pos, 0) != PAGE_SIZE ||
		    memcmp(got, data, PAGE_SIZE))
			lost++;
		/* Written back and dropped, so that the reader reads it again. */
		filemap_write_and_wait_range(file->f_mapping, pos,
					     pos + PAGE_SIZE - 1);
		invalidate_inode_pages2_range(file->f_mapping, page, page);
	}
	race_join(test, r);

	KUNIT_EXPECT_EQ(test, 0U, wrong);
	KUNIT_EXPECT_EQ_MSG(test, 0U, lost, "plain writes lost");
	KUNIT_EXPECT_GE_MSG(test, hits, hits_wanted,
			    "the race did not happen often enough");
	KUNIT_EXPECT_EQ_MSG(test, 0U, r->errors, "short reads");
	KUNIT_EXPECT_GT(test, r->rounds, 0U);
	for (pos = 0; pos < READ_LEN; pos += PAGE_SIZE) {
		KUNIT_EXPECT_EQ(test, (ssize_t)PAGE_SIZE,
				utfs_pread(file, got, PAGE_SIZE, pos, 0));
		KUNIT_EXPECT_MEMEQ_MSG(test, got,
				       utfs_pattern_buf(test, PAGE_SIZE, pos,
							seeds[pos >> PAGE_SHIFT]),
				       PAGE_SIZE, "page at %lld", pos);
	}
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
	utfs_expect_settled(test, file, "after the race");
	for (pos = 0; pos < READ_LEN; pos += PAGE_SIZE)
		utfs_expect_disk(test, ui, pos, PAGE_SIZE,
				 seeds[pos >> PAGE_SHIFT]);
	kunit_info(test, "%u writes, %u uncached reads of %lu pages, %u writes into the reader's folios",
		   i, r->rounds, READ_LEN / PAGE_SIZE, hits);
}

/*
 * Truncation down into a page and back up, and reclaim (clean folios
 * dropped, as the shrinker's __remove_mapping() does), in a loop.
 */
static int race_truncate_reclaim_fn(void *data)
{
	struct race *r = data;
	struct address_space *mapping = r->file->f_mapping;

	while (!kthread_should_stop()) {
		if (vfs_truncate(&r->file->f_path, READ_LEN / 2 + PAGE_SIZE / 2) ||
		    vfs_truncate(&r->file->f_path, READ_LEN))
			r->errors++;
		invalidate_mapping_pages(mapping, 0, ULONG_MAX);
		r->rounds++;
		usleep_range(100, 500);
	}
	return race_done(r);
}

/*
 * Uncached reads of the whole file while another thread truncates it and
 * drops its clean folios as reclaim would, with reads completing later
 * (as a device's do): the folios a read is about to drop may be gone, or
 * be another's, by then.  Every read returns the data or the zeroes a
 * truncation left, nothing is left cached but marked folios reclaim takes
 * (nor after one more read alone), nothing referenced, and under 'make
 * debug' no checker says anything.
 */
static void uncached_read_vs_truncate_reclaim(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_file(test, *path);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct race *r = race_new(test, file, *path);
	u8 *got = utfs_pattern_buf(test, READ_LEN, 0, 0);
	u8 *want = utfs_pattern_buf(test, READ_LEN, 0, 100);
	struct task_struct *task;
	unsigned int i, tries, wrong = 0;
	ssize_t ret;

	utfs_fill_disk(ui, 0, want, READ_LEN);
	ui->faults.async_read = true;
	task = race_start(test, race_truncate_reclaim_fn, r);
	for (i = 0; i < RACE_ITERATIONS; i++) {
		loff_t bad = 0;

		ret = utfs_pread(file, got, READ_LEN, 0, RWF_UNCACHED);
		if (ret < 0) {
			wrong++;
			continue;
		}
		/* The data, and after a truncation point only zeroes. */
		while (bad < ret && got[bad] == want[bad])
			bad++;
		if (memchr_inv(got + bad, 0, ret - bad))
			wrong++;
	}
	race_join(test, r);

	KUNIT_EXPECT_EQ(test, 0U, wrong);
	KUNIT_EXPECT_EQ(test, 0U, r->errors);
	KUNIT_EXPECT_GT(test, r->rounds, 0U);
	/*
	 * [R1]: what may stay is marked (readahead past a point the file
	 * was cut to while the read ran, a folio the other thread held
	 * locked when the read was done with it), and reclaim takes it: here
	 * as the shrinker would, once the reads still going on have ended and
	 * the LRU add batches are drained (a folio in another CPU's batch,
	 * or still held by the worker that ended its read, is referenced),
	 * within a tenth of a second.  A read that leaves a folio unmarked,
	 * dirty, locked or referenced for good fails here; one that does not
	 * drop what it consumed is uncached_read's to find.
	 */
	KUNIT_EXPECT_EQ_MSG(test, utfs_cached_folios(file, 0, READ_LEN),
			    utfs_marked_folios(file, 0, READ_LEN),
			    "pages the race left cached and not marked");
	/*
	 * One more read, alone, of the whole file (the other thread left it
	 * whole): what it brings in and reads ahead is marked too (whether
	 * it drops what it consumes is uncached_read's to check).
	 */
	utfs_wait_reads(file);
	KUNIT_EXPECT_EQ(test, (ssize_t)READ_LEN,
			utfs_pread(file, got, READ_LEN, 0, RWF_UNCACHED));
	utfs_wait_reads(file);
	KUNIT_EXPECT_EQ_MSG(test, utfs_cached_folios(file, 0, READ_LEN),
			    utfs_marked_folios(file, 0, READ_LEN),
			    "pages the last read left cached and not marked");
	for (tries = 0; tries < 20 && file->f_mapping->nrpages; tries++) {
		if (tries)
			usleep_range(5000, 6000);
		lru_add_drain_all();
		invalidate_mapping_pages(file->f_mapping, 0, ULONG_MAX);
	}
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	utfs_expect_settled(test, file, "after the race");
	kunit_info(test, "%u uncached reads, %u truncations and reclaims",
		   RACE_ITERATIONS, r->rounds);
}

static int race_idle_fn(void *data)
{
	return race_idle(data);
}

/*
 * A case that ends before it joins its thread (an assertion, an early
 * return) leaves no thread behind: the end of a case, however it ends,
 * runs its KUnit actions, and race_start() registered the stop.  A
 * stand-in case runs race_start() and ends.
 */
static void race_thread_stopped_when_case_ends(struct kunit *test)
{
	struct race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct task_struct *task;
	struct kunit fake;

	KUNIT_ASSERT_NOT_NULL(test, r);
	kunit_init_test(&fake, "stand-in", NULL);
	task = race_start(&fake, race_idle_fn, r);
	usleep_range(1000, 2000);
	KUNIT_ASSERT_FALSE(test, READ_ONCE(r->stopped));
	kunit_cleanup(&fake);
	if (!READ_ONCE(r->stopped)) {
		KUNIT_FAIL(test, "the stand-in case ended with its thread running");
		kthread_stop(task);
	}
}

static struct kunit_case uncached_race_cases[] = {
	KUNIT_CASE(race_thread_stopped_when_case_ends),
	KUNIT_CASE_PARAM(uncached_write_vs_fsync, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(uncached_write_vs_reader, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(uncached_writers_overlap, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(uncached_write_vs_truncate, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(uncached_write_vs_mmap, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(writeback_restarted_before_drop, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(fault_around_maps_folios_under_writeback,
			 utfs_paths_gen_params),
	KUNIT_CASE_PARAM(uncached_write_pending_chunk, pending_gen_params),
	KUNIT_CASE_PARAM(uncached_write_killed, kill_gen_params),
	KUNIT_CASE_PARAM(uncached_read_vs_writer, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(uncached_read_vs_truncate_reclaim, utfs_paths_gen_params),
	KUNIT_CASE_PARAM_ATTR(uncached_read_vs_rewrite, utfs_paths_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite uncached_race_suite = {
	.name = "uncached_race",
	.test_cases = uncached_race_cases,
	UTFS_SUITE_OPS,
};

kunit_test_suite(uncached_race_suite);
