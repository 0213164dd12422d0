// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_race: uncached writes with another thread working on the same
 * file.  Writeback completes from a worker, so the writer sleeps while it
 * waits for it and the other thread runs in that window.  Each race is
 * repeated RACE_ITERATIONS times; the other thread is a kthread, stopped
 * and joined before the case ends.  Under 'make debug' the same cases run
 * with KASAN, lockdep and DEBUG_VM.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/pagemap.h>
#include <kunit/test.h>

#include "testfs.h"

#define RACE_ITERATIONS	40
#define RACE_LEN	(4 * PAGE_SIZE)

struct race {
	struct file *file;
	unsigned int errors;	/* fsync() errors, or torn pages read */
	unsigned int rounds;	/* the other thread's */
};

static struct task_struct *race_start(struct kunit *test,
				      int (*fn)(void *), struct race *r)
{
	struct task_struct *task = kthread_run(fn, r, "utfs-race");

	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	return task;
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
	return 0;
}

/*
 * Every other write fails in writeback while another file of the inode
 * is fsync()ed in a loop: each write returns exactly its own outcome (no
 * error lost to the other file), and the other file is told of errors at
 * most once each, and at least once.
 */
static void uncached_write_vs_fsync(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_file(test, *path);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct race r = { .file = utfs_reopen(test, file, *path) };
	void *buf = utfs_pattern_buf(test, RACE_LEN, 0, 1);
	struct task_struct *task;
	unsigned int i, wrong = 0;
	ssize_t ret;

	ui->faults.async_writeback = true;
	task = race_start(test, race_fsync_fn, &r);
	for (i = 0; i < RACE_ITERATIONS; i++) {
		bool fail = i & 1;

		WRITE_ONCE(ui->faults.wb_error, fail ? -EIO : 0);
		ret = utfs_pwrite(file, buf, RACE_LEN, 0, RWF_UNCACHED);
		if (ret != (fail ? -EIO : (ssize_t)RACE_LEN)) {
			kunit_err(test, "write %u returned %zd", i, ret);
			wrong++;
		}
		/* Room for an fsync() to finish between two writes too. */
		usleep_range(500, 2000);
	}
	WRITE_ONCE(ui->faults.wb_error, 0);
	kthread_stop(task);

	KUNIT_EXPECT_EQ(test, 0U, wrong);
	/* An error fsync() missed during the race is reported now. */
	if (vfs_fsync(r.file, 0))
		r.errors++;
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(r.file, 0));
	KUNIT_EXPECT_GE(test, r.errors, 1U);
	KUNIT_EXPECT_LE(test, r.errors, RACE_ITERATIONS / 2U);
	utfs_expect_disk(test, ui, 0, RACE_LEN, 1);
	kunit_info(test, "%u iterations, %u fsync() rounds, %u errors reported to the other file",
		   RACE_ITERATIONS, r.rounds, r.errors);
}

/* The seed of utfs_pattern() that page @index holds, if it is whole. */
static bool page_is_whole(const u8 *page, loff_t pos)
{
	u8 seed = page[0] - (u8)(pos * 7 + (pos >> PAGE_SHIFT));
	u8 *want = kmalloc(PAGE_SIZE, GFP_KERNEL);
	bool whole;

	if (!want)
		return true;
	utfs_pattern(want, PAGE_SIZE, pos, seed);
	whole = !memcmp(page, want, PAGE_SIZE);
	kfree(want);
	return whole;
}

static int race_read_fn(void *data)
{
	struct race *r = data;
	u8 *buf = kmalloc(RACE_LEN, GFP_KERNEL);
	loff_t pos;

	if (!buf)
		return -ENOMEM;
	while (!kthread_should_stop()) {
		if (utfs_pread(r->file, buf, RACE_LEN, 0, 0) == RACE_LEN)
			for (pos = 0; pos < RACE_LEN; pos += PAGE_SIZE)
				r->errors += !page_is_whole(buf + pos, pos);
		r->rounds++;
		usleep_range(200, 1000);
	}
	kfree(buf);
	return 0;
}

/*
 * Uncached writes of the range, each with new data, while a plain reader
 * reads it in a loop: every page the reader sees is one whole write's,
 * and at the end the cache and the disk hold the last write's data.
 */
static void uncached_write_vs_reader(struct kunit *test)
{
	const enum utfs_path *path = test->param_value;
	struct file *file = utfs_new_file(test, *path);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct race r = { .file = utfs_reopen(test, file, *path) };
	struct task_struct *task;
	unsigned int i;

	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, RACE_LEN, 0, 100),
		       RACE_LEN);
	ui->faults.async_writeback = true;
	task = race_start(test, race_read_fn, &r);
	for (i = 0; i < RACE_ITERATIONS; i++)
		KUNIT_EXPECT_EQ(test, (ssize_t)RACE_LEN,
				utfs_pwrite(file,
					    utfs_pattern_buf(test, RACE_LEN, 0, i),
					    RACE_LEN, 0, RWF_UNCACHED));
	kthread_stop(task);

	KUNIT_EXPECT_EQ(test, 0U, r.errors);
	KUNIT_EXPECT_GT(test, r.rounds, 0U);
	utfs_expect_cache(test, file, 0, RACE_LEN, RACE_ITERATIONS - 1);
	utfs_expect_disk(test, ui, 0, RACE_LEN, RACE_ITERATIONS - 1);
	KUNIT_EXPECT_FALSE(test, mapping_tagged(file->f_mapping,
						PAGECACHE_TAG_DIRTY));
	kunit_info(test, "%u iterations, %u reads", RACE_ITERATIONS, r.rounds);
}

static struct kunit_case uncached_race_cases[] = {
	KUNIT_CASE_PARAM(uncached_write_vs_fsync, utfs_paths_gen_params),
	KUNIT_CASE_PARAM(uncached_write_vs_reader, utfs_paths_gen_params),
	{}
};

static struct kunit_suite uncached_race_suite = {
	.name = "uncached_race",
	.test_cases = uncached_race_cases,
};
kunit_test_suite(uncached_race_suite);
