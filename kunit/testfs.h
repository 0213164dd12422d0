/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uncached_testfs: a small in-kernel filesystem for the RWF_UNCACHED
 * KUnit suites.  Real page cache, real iomap and filemap code; what is
 * made up is the storage: a per-inode extent table, a RAM "disk" that
 * writeback copies into, fault switches and counters.
 */
#ifndef _UNCACHED_TESTFS_H
#define _UNCACHED_TESTFS_H

#include <linux/fs.h>
#include <linux/iomap.h>
#include <linux/spinlock.h>
#include <kunit/test.h>

/*
 * Block size is PAGE_SIZE, so iomap keeps no per-folio state.  A file has
 * UTFS_MAX_BLOCKS blocks unless made with utfs_new_sized_file().
 */
#define UTFS_MAX_BLOCKS		64
#define UTFS_MAX_SIZE		(UTFS_MAX_BLOCKS * PAGE_SIZE)
/* Speculative delalloc beyond EOF, as XFS preallocates: in blocks. */
#define UTFS_PREALLOC_BLOCKS	4
#define UTFS_MAX_EVENTS		128
#define UTFS_MAX_TRACKED	64
#define UTFS_MAGIC		0x75746673	/* "utfs" */

enum utfs_extent_type {
	UTFS_HOLE = 0,
	UTFS_DELALLOC,
	UTFS_WRITTEN,
	UTFS_UNWRITTEN,
};

/* Which write path a test file uses. */
enum utfs_path {
	UTFS_IOMAP,		/* iomap_file_buffered_write(), opted in */
	UTFS_GENERIC,		/* generic_perform_write(), opted in */
	UTFS_NOT_OPTED_IN,	/* iomap path, without FOP_UNCACHED */
};

/* What happened, in order: lets a test check when writeback ran. */
enum utfs_event_type {
	UTFS_EV_BEGIN,		/* ->iomap_begin handed out a mapping */
	UTFS_EV_END,		/* ->iomap_end */
	UTFS_EV_STALE,		/* ->iomap_valid found a stale mapping */
	UTFS_EV_WRITEBACK,	/* one ->writepages call, over pos, len */
	UTFS_EV_READAHEAD,	/* one ->readahead call, over pos, len */
};

struct utfs_event {
	enum utfs_event_type type;
	loff_t pos;
	u64 len;
	enum utfs_extent_type extent;	/* for UTFS_EV_BEGIN */
};

/* Fault switches: set by a test before the I/O it injects into. */
struct utfs_faults {
	int wb_error;		/* writeback of folios at or after ... */
	loff_t wb_error_from;	/* ... this offset (and before ... */
	loff_t wb_error_to;	/* ... this one, if set) fails with wb_error */
	bool read_error;	/* reading folios at or after ... */
	loff_t read_error_from;	/* ... this offset (and before ... */
	loff_t read_error_to;	/* ... this one, if set) fails (-EIO) */
	/*
	 * The folio lookups of a write (->get_folio, ->write_begin) at
	 * index fail_alloc_index fail: every allocation they make fails,
	 * through the kernel's fault injection, for the first
	 * fail_alloc_lookups lookups of that index (UINT_MAX: all of them).
	 */
	pgoff_t fail_alloc_index;
	unsigned int fail_alloc_lookups;
	/* After each ->readahead, the Nth allocation of the reader fails. */
	unsigned int fail_nth_after_readahead;
	int bump_cookie_at;	/* bump the cookie at the Nth ->get_folio */
	/* SIGKILL for a writer at its lookup of folio kill_at (0: never). */
	pgoff_t kill_at;
	/*
	 * Space runs out: ->iomap_begin, and ->write_begin (as a
	 * filesystem reserving blocks there), fail with begin_error for a
	 * position at or after begin_error_from.
	 */
	int begin_error;
	loff_t begin_error_from;
	bool keep_folios;	/* ->release_folio refuses: invalidation fails */
	/*
	 * Zero from EOF up to a write that starts beyond it: on the iomap
	 * files before the write, as XFS does (xfs_file_write_zero_eof()),
	 * on the generic ones the rest of the EOF block in ->write_end(),
	 * as ext4 does (ext4_zero_partial_blocks()).
	 */
	bool zero_eof;
	/*
	 * The filesystem holds a reference to each folio a write or the
	 * zeroing gets from it (the first UTFS_MAX_TRACKED), and at eviction
	 * fails the case if it is not the last one: a reference leaked on a
	 * path that drops folios.  Off where a reference changes what the
	 * case sees (eviction by fadvise(), migration).
	 */
	bool track_folios;
	bool async_writeback;	/* folio writeback ends later, from a worker */
	/*
	 * With async_writeback: the writeback of a folio that fails (wb_error)
	 * fails at once instead, as a device that refuses the I/O, and
	 * ->writepages returns the error.
	 */
	bool wb_error_sync;
	bool async_read;	/* reads from the disk end later, likewise */
	/*
	 * With async_writeback: the writeback of a folio at index wb_released
	 * or beyond does not end until utfs_release_writeback() moves
	 * wb_released past it (or clears hold_writeback).
	 */
	bool hold_writeback;
	pgoff_t wb_released;
	/*
	 * With async_read: the reads of folios in [hold_read_from,
	 * hold_read_to) do not end until utfs_release_reads().
	 */
	bool hold_reads;
	pgoff_t hold_read_from, hold_read_to;
	/* The Nth ->readahead call (from 1) waits for utfs_release_reads(). */
	unsigned int hold_readahead;
	/*
	 * ->readahead widens its window to units of this many blocks, within
	 * EOF, as netfs-based filesystems do (readahead_expand()).
	 */
	unsigned int expand_readahead;
	unsigned int redirty;	/* writeback redirties this many folios */
	/* ->get_folio does not get its folio from iomap_get_folio() */
	bool bypass_iomap_get_folio;
	/* no ->get_folio: iomap calls iomap_get_folio() itself */
	bool no_get_folio;
	/*
	 * O_DIRECT writes the first direct_bytes straight to the disk; the
	 * rest falls back to buffered I/O (on the iomap path as XFS's
	 * -ENOTBLK fallback does, on the generic one as
	 * direct_write_fallback() does).
	 */
	size_t direct_bytes;
	/* after ->writepages, an fsync() of this file consumes the error */
	struct file *fsync_after_writeback;
	/*
	 * Writeback ends with a spinlock held, as a filesystem that tracks
	 * the blocks of a folio under a spinlock does (btrfs): in task
	 * context, but a context that may not sleep.
	 */
	bool end_writeback_locked;
};

struct utfs_stats {
	unsigned int mappings;		/* ->iomap_begin calls */
	unsigned int uncached_mappings;	/* of them, with IOMAP_UNCACHED */
	unsigned int stale;		/* stale mappings detected */
	unsigned int writebacks;	/* ->writepages calls */
	unsigned int folios_written;	/* folios written to the disk */
	unsigned int folios_created;	/* ->get_folio: not cached before */
	unsigned int folios_found;	/* ->get_folio: cached before */
	unsigned int folios_read;	/* ->read_folio calls */
	unsigned int read_errors;	/* folios whose read failed */
	unsigned int release_refused;	/* ->release_folio said no */
	unsigned int release_dirty;	/* ->release_folio of a dirty folio */
	unsigned int readaheads;	/* ->readahead calls */
	unsigned int readahead_held;	/* a ->readahead waits, held */
	unsigned int reads_held;	/* reads of folios waiting, held */
	unsigned int errors_consumed;	/* by fsync_after_writeback */
	/* With stable writes: folios whose data changed under writeback. */
	unsigned int unstable_writes;
	unsigned long max_nrpages;	/* page cache peak seen by the write */
	/*
	 * Folio lookups of a write that failed because an injected
	 * allocation failure hit them; where the first one was, and whether
	 * it was the first lookup since ->iomap_begin.
	 */
	unsigned int alloc_failed;
	loff_t alloc_failed_pos;
	bool alloc_failed_first_in_mapping;
	/* Bit n: a write found (brought in) a folio of order n. */
	unsigned int orders_found;
	unsigned int orders_created;
	/*
	 * Writebacks that ended on a folio no longer in the page cache: it
	 * was dropped while under writeback (nothing else removes one).
	 */
	unsigned int wb_orphans;
};

struct utfs_inode {
	struct inode vfs_inode;
	spinlock_t lock;	/* seq, extent, faults' counts, stats, events */
	u64 seq;		/* validity cookie, bumped by mapping changes */
	unsigned int nr_blocks;	/* the file's maximum size, in blocks */
	u8 *extent;		/* enum utfs_extent_type per block */
	u8 *disk;		/* nr_blocks blocks, file offset == disk offset */
	struct utfs_faults faults;
	unsigned int lookups_in_mapping;	/* since the last ->iomap_begin */
	wait_queue_head_t wb_hold;	/* held writeback waits here */
	spinlock_t wb_end_lock;		/* for faults.end_writeback_locked */
	struct utfs_stats stats;
	unsigned int nr_events;
	struct utfs_event events[UTFS_MAX_EVENTS];
	unsigned int nr_tracked;	/* faults.track_folios */
	bool tracked_overflow;		/* more than UTFS_MAX_TRACKED */
	struct folio *tracked[UTFS_MAX_TRACKED];
};

static inline struct utfs_inode *UTFS_I(struct inode *inode)
{
	return container_of(inode, struct utfs_inode, vfs_inode);
}

/*
 * Every suite that uses the test filesystem: its mount, and the kernel's
 * fault injection set up for the suites, live from the first suite_init
 * to the last suite_exit.
 */
int utfs_suite_init(struct kunit_suite *suite);
void utfs_suite_exit(struct kunit_suite *suite);
#define UTFS_SUITE_OPS					\
	.suite_init	= utfs_suite_init,		\
	.suite_exit	= utfs_suite_exit

/*
 * For a KUnit generator that fills an array of cases as it goes: the
 * index of the case after @prev, 0 when @prev is NULL (the first call);
 * and that case, its index in *@i, or NULL after the last.
 */
static inline unsigned int utfs_case_index(const void *prev,
					   const void *cases, size_t size)
{
	if (!prev)
		return 0;
	return (prev - cases) / size + 1;
}

static inline void *utfs_next_case(const void *prev, void *cases,
				   size_t size, size_t nr, unsigned int *i)
{
	*i = utfs_case_index(prev, cases, size);
	if (*i >= nr)
		return NULL;
	return cases + *i * size;
}

#define UTFS_NEXT_CASE(prev, cases, i)					\
	({								\
		typeof(cases) *__cases = &(cases);			\
									\
		(typeof(&(*__cases)[0]))utfs_next_case(prev, *__cases,	\
				sizeof((*__cases)[0]), ARRAY_SIZE(*__cases), i); \
	})

/* KUnit parameters: both write paths, UTFS_IOMAP and UTFS_GENERIC. */
const void *utfs_paths_gen_params(const void *prev, char *desc);
/* A new file on the path the parameterised case runs with. */
struct file *utfs_new_param_file(struct kunit *test);

/* A file on a fresh inode of the test filesystem, closed at test exit. */
struct file *utfs_new_file(struct kunit *test, enum utfs_path path);
/* The same, for a file of up to size bytes. */
struct file *utfs_new_sized_file(struct kunit *test, enum utfs_path path,
				 loff_t size);
/*
 * A file whose mapping takes large folios (mapping_set_large_folios());
 * they exist only with CONFIG_TRANSPARENT_HUGEPAGE, which UML lacks.
 */
struct file *utfs_new_large_folio_file(struct kunit *test,
				       enum utfs_path path);
/*
 * A file of up to size bytes whose folios carry nothing for the
 * filesystem, as XFS's with 4 KiB blocks: no ->release_folio call decides
 * whether one may be dropped (the other files set AS_RELEASE_ALWAYS).
 */
struct file *utfs_new_plain_file(struct kunit *test, enum utfs_path path,
				 loff_t size);
/* Another open file on the same inode, closed at test exit. */
struct file *utfs_reopen(struct kunit *test, struct file *file,
			 enum utfs_path path);

static inline struct utfs_inode *utfs_file_inode(struct file *file)
{
	return UTFS_I(file_inode(file));
}

ssize_t utfs_pwrite(struct file *file, const void *buf, size_t len,
		    loff_t pos, rwf_t flags);
ssize_t utfs_pread(struct file *file, void *buf, size_t len, loff_t pos,
		   rwf_t flags);
/* A write that leaves the file position where the write left ki_pos. */
ssize_t utfs_pwrite_pos(struct file *file, const void *buf, size_t len,
			loff_t *pos, rwf_t flags);

/* Set blocks [first, first + nr) of the extent table to type. */
void utfs_set_extent(struct utfs_inode *ui, unsigned int first,
		     unsigned int nr, enum utfs_extent_type type);
/* Put data on the disk behind [pos, pos + len) and mark it written. */
void utfs_fill_disk(struct utfs_inode *ui, loff_t pos, const void *buf,
		    size_t len);
/* Bring exactly the folios of [pos, pos + len) into the page cache. */
void utfs_cache_range(struct kunit *test, struct file *file, loff_t pos,
		      size_t len);
/* The states utfs_precache() puts a folio in. */
enum utfs_precached {
	UTFS_CLEAN,		/* read from the disk */
	UTFS_DIRTY,		/* written with utfs_pattern(seed), not back */
	UTFS_UNDER_WRITEBACK,	/* the same, its writeback started (async) */
	UTFS_NOT_UPTODATE,	/* created and never read */
};

void utfs_precache(struct kunit *test, struct file *file, pgoff_t index,
		   enum utfs_precached state, u8 seed);
/*
 * The kernel's fault injection (FAILSLAB, FAIL_PAGE_ALLOC), for this task:
 * with utfs_fail_nth(n), its nth allocation from now on fails, once (as
 * /proc/self/fail-nth does); utfs_fail_nth_pending() is how many are left
 * until then, 0 once it failed.  UTFS_COUNT_ALLOCATIONS counts them
 * without failing any.  With utfs_fail_allocations(true), every
 * allocation of this task fails until utfs_fail_allocations(false).
 */
#define UTFS_COUNT_ALLOCATIONS	BIT(30)
void utfs_fail_nth(unsigned int nth);
unsigned int utfs_fail_nth_pending(void);
void utfs_fail_allocations(bool fail);
/* What the test filesystem's folio lookups use of it (faults.fail_alloc_*). */
unsigned int utfs_lookup_begin(struct utfs_inode *ui, loff_t pos);
void utfs_lookup_end(struct utfs_inode *ui, loff_t pos, unsigned int pending,
		     struct folio *folio);
/*
 * With faults.hold_writeback set, let the held writeback of folios before
 * index @end end (ULONG_MAX: all, and all later writeback too).
 */
void utfs_release_writeback(struct utfs_inode *ui, pgoff_t end);
/* Held (and asynchronous) writeback, all let go when the case ends. */
void utfs_hold_writeback(struct kunit *test, struct utfs_inode *ui);
/*
 * Hold the reads of folios [@from, @to) (asynchronous reads), and the
 * @nth ->readahead call (0: none), until utfs_release_reads(), or the
 * end of the case, however it ends.
 */
void utfs_hold_reads(struct kunit *test, struct utfs_inode *ui, pgoff_t from,
		     pgoff_t to, unsigned int nth);
void utfs_release_reads(struct utfs_inode *ui);
/* Wait, up to 2 s, until *@counter reaches @n; false if it did not. */
bool utfs_wait_for(unsigned int *counter, unsigned int n);
/*
 * Wait, up to 2 s, until the folios before index @end are uptodate and
 * unlocked, or no longer cached.
 */
bool utfs_wait_uptodate(struct file *file, pgoff_t end);
/* Wait, up to 2 s, until @task sleeps. */
bool utfs_wait_sleeping(struct task_struct *task);
/* Folios of [pos, pos + len) now in the page cache (pages, in fact). */
unsigned int utfs_cached_folios(struct file *file, loff_t pos, size_t len);
/* Of those, the ones marked as an uncached read's to drop (PG_dropbehind). */
unsigned int utfs_marked_folios(struct file *file, loff_t pos, size_t len);
/* Reset counters and the event log. */
void utfs_reset_stats(struct utfs_inode *ui);
/* The nth (from 0) event of a type, or NULL. */
const struct utfs_event *utfs_find_event(struct utfs_inode *ui,
					 enum utfs_event_type type,
					 unsigned int nth);
/* Count events of one type. */
unsigned int utfs_count_events(struct utfs_inode *ui,
			       enum utfs_event_type type);
/* Fill a buffer with a pattern that differs per byte and per seed. */
void utfs_pattern(void *buf, size_t len, loff_t pos, u8 seed);
/* A test-lifetime buffer holding utfs_pattern(pos, seed). */
void *utfs_pattern_buf(struct kunit *test, size_t len, loff_t pos, u8 seed);
/* A zeroed test-lifetime buffer. */
void *utfs_kvzalloc(struct kunit *test, size_t len);
/* Write utfs_pattern(pos, seed) to [pos, pos + len) of a file. */
ssize_t utfs_pwrite_pattern(struct kunit *test, struct file *file,
			    loff_t pos, size_t len, u8 seed, rwf_t flags);
/* Expect the disk behind [pos, pos + len) to hold the pattern. */
void utfs_expect_disk(struct kunit *test, struct utfs_inode *ui, loff_t pos,
		      size_t len, u8 seed);
/* Expect every folio of the range to be cached, uptodate, with the pattern. */
void utfs_expect_cache(struct kunit *test, struct file *file, loff_t pos,
		       size_t len, u8 seed);
/* Wait for the reads of the file's folios still going on. */
void utfs_wait_reads(struct file *file);
/*
 * No folio of the file is locked, under writeback or referenced beyond the
 * page cache and its mappings, and the mapping's page count agrees with
 * the folios found; what names the run in messages.
 */
void utfs_expect_settled(struct kunit *test, struct file *file,
			 const char *what);

/*
 * The assertion a suite names for uncached_kunit.force_fail=1: it fails
 * there, with whatever the case holds at that point, and the case must
 * leave nothing behind (uncached_counters says what the suites left).
 */
extern bool utfs_force_fail;
#define UTFS_ASSERT_NOT_FORCED(test)					\
	KUNIT_ASSERT_FALSE_MSG(test, utfs_force_fail,			\
			       "forced failure (uncached_kunit.force_fail)")

#endif /* _UNCACHED_TESTFS_H */
