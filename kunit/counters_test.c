// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_counters: what the suites left behind, run after all of them.
 * The page cache, slab, vmalloc and free pages, and the threads the
 * kernel counts are read before the first suite (at late_initcall, which
 * runs before KUnit) and here, after the last; the deltas are printed
 * ("# counters: ...") and must be within what the kernel's own caches
 * account for, also when every suite fails at its forced assertion
 * (uncached_kunit.force_fail=1): a failing case frees its buffers, stops
 * its threads, lets its held writeback go and closes its files through
 * KUnit actions, which run however it ends.
 */
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/swap.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
#include <kunit/test.h>

#include "testfs.h"

struct counters {
	long file_pages;	/* NR_FILE_PAGES */
	long slab_pages;	/* NR_SLAB_{UN,}RECLAIMABLE_B, in pages */
	long vmalloc_pages;	/* vmalloc_nr_pages() */
	long free_pages;	/* NR_FREE_PAGES, per-CPU lists drained */
	long threads;		/* nr_threads (the workqueues' come and go) */
	long ours;		/* threads the suites start ("utfs-...") */
};

static struct counters counters_before;
static bool counters_read_before;

static long counters_our_threads(void)
{
	struct task_struct *p, *t;
	long n = 0;

	rcu_read_lock();
	for_each_process_thread(p, t)
		n += !strncmp(t->comm, "utfs-", 5);
	rcu_read_unlock();
	return n;
}

static void counters_read_now(struct counters *c)
{
	drain_all_pages(NULL);
	c->file_pages = global_node_page_state(NR_FILE_PAGES);
	c->slab_pages = global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) +
			global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B);
	c->vmalloc_pages = vmalloc_nr_pages();
	c->free_pages = global_zone_page_state(NR_FREE_PAGES);
	c->threads = READ_ONCE(nr_threads);
	c->ours = counters_our_threads();
}

static void counters_read(struct counters *c)
{
	struct counters last;
	unsigned int tries;

	/*
	 * What is freed after it is let go: inodes after an RCU grace
	 * period, folios in per-CPU LRU batches; and the slab and page
	 * cache the kernel keeps only while nobody needs the memory.
	 */
	rcu_barrier();
	lru_add_drain_all();
	drop_slab();
	rcu_barrier();
	/*
	 * An inode's RAM disk is vfree()d in its RCU callback, which
	 * defers it to a worker: read until the counters stand still.
	 */
	counters_read_now(c);
	for (tries = 0; tries < 50; tries++) {
		last = *c;
		msleep(20);
		counters_read_now(c);
		if (c->vmalloc_pages == last.vmalloc_pages &&
		    c->free_pages == last.free_pages)
			break;
	}
}

static int __init counters_init(void)
{
	counters_read(&counters_before);
	counters_read_before = true;
	return 0;
}
late_initcall(counters_init);

/*
 * The most pages the kernel's own caches and batches may keep: 4 MiB;
 * with generic KASAN, its quarantine too, which keeps freed slab objects
 * (and their slab pages) up to 1/32 of memory and a MiB per CPU.
 */
static long counters_slack(void)
{
	long slack = 4L << (20 - PAGE_SHIFT);

	if (IS_ENABLED(CONFIG_KASAN_GENERIC))
		slack += totalram_pages() / 32 +
			 num_possible_cpus() * (1L << (20 - PAGE_SHIFT));
	return slack;
}

static void counters_back_where_they_were(struct kunit *test)
{
	long slack = counters_slack();
	struct counters now;

	KUNIT_ASSERT_TRUE(test, counters_read_before);
	counters_read(&now);
	kunit_info(test, "counters: file pages %+ld, slab pages %+ld, vmalloc pages %+ld, free pages %+ld, threads %+ld, ours %ld (pages of %lu bytes, slack %ld)%s\n",
		   now.file_pages - counters_before.file_pages,
		   now.slab_pages - counters_before.slab_pages,
		   now.vmalloc_pages - counters_before.vmalloc_pages,
		   now.free_pages - counters_before.free_pages,
		   now.threads - counters_before.threads, now.ours, PAGE_SIZE,
		   slack, utfs_force_fail ? ", forced failures" : "");
	KUNIT_EXPECT_LE(test, now.file_pages - counters_before.file_pages,
			slack);
	KUNIT_EXPECT_LE(test, now.slab_pages - counters_before.slab_pages,
			slack);
	KUNIT_EXPECT_LE(test, now.vmalloc_pages - counters_before.vmalloc_pages,
			slack);
	KUNIT_EXPECT_GE(test, now.free_pages - counters_before.free_pages,
			-2 * slack);
	KUNIT_EXPECT_EQ(test, 0L, now.ours);
}

static struct kunit_case uncached_counters_cases[] = {
	KUNIT_CASE(counters_back_where_they_were),
	{}
};

static struct kunit_suite uncached_counters_suite = {
	.name = "uncached_counters",
	.test_cases = uncached_counters_cases,
};

kunit_test_suite(uncached_counters_suite);
