// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_history: uncached reads where operations meet.  Each case is a
 * history, not one call from a fresh state, and [R1] is checked after
 * every call of it: the data; every folio cached is marked as an uncached
 * read's (PG_dropbehind), but those a plain actor used; no more marked
 * than a readahead window ahead and a folio per uncached reader; and at
 * the end one uncached read of the whole file, through an open file of
 * its own, leaves nothing of what uncached reads brought in.
 *
 * - streams: one or two readers, each reading its half of the file with
 *   its own calls, alternating: through one open file, through two, or
 *   the second one plain; forward (any request size) or in a scrambled
 *   order of whole slots (random access); the file's readahead size as
 *   set, none, or larger than the file.  A plain twin runs the same
 *   history without the flag: the uncached history may read no more from
 *   the disk than it, but a window per reader.
 * - interleavings: reader A's readahead is held in ->readahead, its
 *   folios locked in the page cache, while B reads elsewhere, reads the
 *   same range, reads the range A reads ahead (uncached, through A's open
 *   file or another), reads or writes A's range plain, or loads a folio
 *   of it through a shared mapping of the file (a page fault, which waits
 *   for the folio); then A is let go.  A folio B read plain or mapped is
 *   no longer marked, and one B mapped stays cached while mapped.
 * - readahead faults: the Nth allocation of a cold uncached read fails,
 *   N = 1, 2, ... (small folios under UML, large ones under x86_64, where
 *   readahead falls back from large folios to small ones part of the way).
 * - signals: a fatal signal for a reader waiting for a folio whose read
 *   is held, at each folio of its request, or pending when it starts:
 *   the reader returns at once (the data before that folio, or -EINTR),
 *   while the read is still held.
 *
 * The per-file window these replace (one [uncached_start, uncached_end)
 * per open file, dropped with invalidate_inode_pages2_range()) fails, by
 * the same reasoning as the measurements: two readers through one
 * open file drop each other's window and read it again (streams, shared:
 * more read than the plain twin); random and readahead-less reads read a
 * window (or a request) ahead each (streams, random and ra_none); a held
 * readahead whose window another reader replaced is orphaned, and the
 * final read keeps it as "cached before" (interleavings, elsewhere and
 * ahead); readahead stopped part-way in large folios reads pages past the
 * window that no window holds (readahead faults, x86_64); a killed reader
 * drops its window with invalidate_inode_pages2_range(), which waits for
 * the held folio (signals), and could unmap and drop a folio another
 * process had mapped in it (interleavings, mmap).  With the marks, either
 * B's fault maps A's folios first (fault-around and the fault take the
 * marks off) or A drops them first and B's fault reads its own: both are
 * [R1]'s, and no mutant of the marks is told apart by this case alone
 * (uncached_read.fault_takes_mark_off_each_folio kills those).
 */
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <kunit/test.h>

#include "testfs.h"

#define HIST_SIZE	UTFS_MAX_SIZE
#define HIST_HALF	(HIST_SIZE / 2)
#define HIST_SEED	41
/* A readahead size whose bounds a 64-page file can break. */
#define HIST_RA_PAGES	8

/* Every folio cached is marked, but those in [@plain_from, @plain_to). */
static unsigned int expect_marked(struct kunit *test, struct file *file,
				  loff_t plain_from, loff_t plain_to,
				  const char *when)
{
	unsigned int cached = utfs_cached_folios(file, 0, HIST_SIZE);
	unsigned int marked = utfs_marked_folios(file, 0, HIST_SIZE);
	unsigned int plain = plain_to > plain_from ?
		utfs_cached_folios(file, plain_from, plain_to - plain_from) -
		utfs_marked_folios(file, plain_from, plain_to - plain_from) : 0;

	KUNIT_EXPECT_EQ_MSG(test, cached - marked, plain,
			    "%s: cached and not marked, where no plain actor read",
			    when);
	return marked;
}

/*
 * The end of every history: one uncached read of the whole file, through
 * an open file of its own, returns the data and leaves only the folios a
 * plain actor used (@plain, at most), none marked.
 */
static void expect_final_read(struct kunit *test, struct file *file,
			      enum utfs_path path, unsigned int plain)
{
	struct file *last = utfs_reopen(test, file, path);
	u8 *buf = utfs_kvzalloc(test, HIST_SIZE);

	KUNIT_ASSERT_EQ(test, (ssize_t)HIST_SIZE,
			utfs_pread(last, buf, HIST_SIZE, 0, RWF_UNCACHED));
	KUNIT_EXPECT_MEMEQ(test, buf,
			   utfs_pattern_buf(test, HIST_SIZE, 0, HIST_SEED),
			   HIST_SIZE);
	KUNIT_EXPECT_EQ_MSG(test, 0U, utfs_marked_folios(file, 0, HIST_SIZE),
			    "marked after a read of the whole file");
	KUNIT_EXPECT_LE_MSG(test, file->f_mapping->nrpages, (unsigned long)plain,
			    "cached after a read of the whole file");
	utfs_expect_settled(test, file, "at the end");
}

static struct file *hist_file(struct kunit *test, enum utfs_path path)
{
	struct file *file = utfs_new_file(test, path);

	utfs_fill_disk(utfs_file_inode(file), 0,
		       utfs_pattern_buf(test, HIST_SIZE, 0, HIST_SEED), HIST_SIZE);
	utfs_reset_stats(utfs_file_inode(file));
	return file;
}

static void expect_data(struct kunit *test, const u8 *buf, loff_t pos,
			size_t len, const char *what, unsigned int call)
{
	KUNIT_EXPECT_MEMEQ_MSG(test, buf,
			       utfs_pattern_buf(test, len, pos, HIST_SEED), len,
			       "%s, call %u", what, call);
}

/* --- streams ----------------------------------------------------------- */

enum hist_actors { HA_ONE, HA_SHARED, HA_TWO_FILES, HA_PLAIN_OTHER, HA_NR };
enum hist_order { HO_FORWARD, HO_RANDOM, HO_NR };
enum hist_ra { HR_SET, HR_NONE, HR_LARGE, HR_NR };

static const char *const actors_names[HA_NR] = {
	"one", "shared", "two_files", "plain_other"
};

static const char *const order_names[HO_NR] = { "forward", "random" };
static const char *const ra_names[HR_NR] = { "ra_8", "ra_none", "ra_large" };
static const size_t stream_reqs[] = {
	100, PAGE_SIZE, 3 * PAGE_SIZE + 5, 4 * PAGE_SIZE, 16 * PAGE_SIZE
};

struct stream_case {
	enum utfs_path path;
	enum hist_actors actors;
	enum hist_order order;
	enum hist_ra ra;
	size_t req;
};

#define NR_STREAM_CASES	(2 * HA_NR * HO_NR * HR_NR * ARRAY_SIZE(stream_reqs))
static struct stream_case stream_cases[NR_STREAM_CASES];

static bool stream_case_make(unsigned int i, struct stream_case *c)
{
	c->req = stream_reqs[i % ARRAY_SIZE(stream_reqs)];
	i /= ARRAY_SIZE(stream_reqs);
	c->ra = i % HR_NR;
	i /= HR_NR;
	c->order = i % HO_NR;
	i /= HO_NR;
	c->actors = i % HA_NR;
	c->path = i / HA_NR ? UTFS_GENERIC : UTFS_IOMAP;
	/* Random access reads whole slots: no folio is read twice. */
	return c->order != HO_RANDOM || !(c->req % PAGE_SIZE);
}

static const void *stream_gen(const void *prev, char *desc)
{
	unsigned int i = utfs_case_index(prev, stream_cases,
					 sizeof(*stream_cases));
	const struct stream_case *c;

	for (; i < NR_STREAM_CASES; i++) {
		c = &stream_cases[i];
		if (!stream_case_make(i, &stream_cases[i]))
			continue;
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s.%s.%s.%s.req_%zu",
			 c->path == UTFS_IOMAP ? "iomap" : "generic",
			 actors_names[c->actors], order_names[c->order],
			 ra_names[c->ra], c->req);
		return c;
	}
	return NULL;
}

struct stream_actor {
	struct file *file;
	rwf_t flags;
	loff_t start;		/* its half of the file */
	unsigned int calls, nr_calls;
};

/* Where an actor's @n-th call reads: forward, or slots scrambled. */
static loff_t stream_pos(const struct stream_case *c,
			 const struct stream_actor *a, unsigned int n)
{
	unsigned int slot = n;

	/* 7 is prime to any power of two: a permutation of the slots. */
	if (c->order == HO_RANDOM)
		slot = (n * 7 + 3) % a->nr_calls;
	return a->start + (loff_t)slot * c->req;
}

/*
 * The readahead size: small enough (8 pages) that the bounds below are
 * well under the file's 64 pages, none, or larger than the file.
 */
static void stream_set_ra(const struct stream_case *c, struct file *file)
{
	if (c->ra == HR_SET)
		file->f_ra.ra_pages = HIST_RA_PAGES;
	else if (c->ra == HR_NONE)
		file->f_ra.ra_pages = 0;
	else
		file->f_ra.ra_pages = 2 * UTFS_MAX_BLOCKS;
}

/* An uncached reader's marked folios: a window ahead, two, and its folio. */
static unsigned int stream_bound(const struct stream_case *c,
				 const struct file *file)
{
	return 2 * max_t(unsigned int, file->f_ra.ra_pages,
			 DIV_ROUND_UP(c->req, PAGE_SIZE)) + 1;
}

static void stream_history(struct kunit *test)
{
	const struct stream_case *c = test->param_value;
	struct file *file = hist_file(test, c->path);
	struct file *twin = hist_file(test, c->path);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct utfs_inode *ti = utfs_file_inode(twin);
	struct stream_actor a[2], t[2];
	unsigned int nr = c->actors == HA_ONE ? 1 : 2;
	unsigned int k, call, bound = 0, wrong = 0;
	loff_t plain_from = HIST_SIZE;
	u8 *buf = utfs_kvzalloc(test, c->req);

	for (k = 0; k < nr; k++) {
		size_t part = nr == 1 ? HIST_SIZE : HIST_HALF;

		a[k].file = k && c->actors != HA_SHARED ?
			    utfs_reopen(test, file, c->path) : file;
		a[k].flags = k && c->actors == HA_PLAIN_OTHER ? 0 : RWF_UNCACHED;
		a[k].start = k * HIST_HALF;
		a[k].calls = 0;
		a[k].nr_calls = DIV_ROUND_UP(part, c->req);
		t[k] = a[k];
		t[k].file = k && c->actors != HA_SHARED ?
			    utfs_reopen(test, twin, c->path) : twin;
		t[k].flags = 0;
		stream_set_ra(c, a[k].file);
		stream_set_ra(c, t[k].file);
		if (a[k].flags)
			bound += stream_bound(c, a[k].file);
		else
			plain_from = a[k].start;
	}
	for (call = 0; wrong < 4; call++) {
		struct stream_actor *x = &a[call % nr], *y = &t[call % nr];
		loff_t end = x->start + (nr == 1 ? HIST_SIZE : HIST_HALF);
		loff_t pos;
		size_t len;
		unsigned int marked;

		if (a[0].calls == a[0].nr_calls &&
		    a[nr - 1].calls == a[nr - 1].nr_calls)
			break;
		if (x->calls == x->nr_calls)
			continue;
		pos = stream_pos(c, x, x->calls++);
		y->calls++;
		len = min_t(size_t, c->req, end - pos);
		KUNIT_ASSERT_EQ(test, (ssize_t)len,
				utfs_pread(x->file, buf, len, pos, x->flags));
		expect_data(test, buf, pos, len, "the uncached history", call);
		KUNIT_ASSERT_EQ(test, (ssize_t)len,
				utfs_pread(y->file, buf, len, pos, 0));
		marked = expect_marked(test, file, plain_from, HIST_SIZE, "after a call");
		if (marked > bound || ui->stats.folios_read > ti->stats.folios_read + bound) {
			wrong++;
			KUNIT_FAIL(test,
				   "call %u, at %lld: %u marked, %u read from the disk; plain: %u; bound %u",
				   call, pos, marked, ui->stats.folios_read,
				   ti->stats.folios_read, bound);
		}
	}
	UTFS_ASSERT_NOT_FORCED(test);
	expect_final_read(test, file, c->path,
			  (HIST_SIZE - plain_from) >> PAGE_SHIFT);
}

/* --- actors in threads ---------------------------------------------------- */

struct hist_actor {
	struct file *file;
	loff_t pos;
	size_t len;
	rwf_t flags;
	bool write;
	bool killed;		/* SIGKILL pending when it starts */
	/* Or a load from the test's mapping of the file, at @uaddr. */
	struct mm_struct *mm;
	unsigned long uaddr;
	u8 *buf;
	ssize_t ret;
	struct completion done;
	struct task_struct *task;
};

static int hist_actor_fn(void *data)
{
	struct hist_actor *a = data;

	/* A kernel thread ignores signals but those it allows. */
	allow_signal(SIGKILL);
	if (a->killed)
		send_sig(SIGKILL, current, 1);
	if (a->mm) {
		kthread_use_mm(a->mm);
		a->ret = copy_from_user(a->buf, (void __user *)a->uaddr,
					a->len) ? -EFAULT : a->len;
		kthread_unuse_mm(a->mm);
	} else if (a->write) {
		a->ret = utfs_pwrite(a->file, a->buf, a->len, a->pos, a->flags);
	} else {
		a->ret = utfs_pread(a->file, a->buf, a->len, a->pos, a->flags);
	}
	complete_all(&a->done);
	return 0;
}

/*
 * However the case ends: held reads are let go, so that the actor's I/O
 * ends, and the actor is joined.
 */
static void hist_actor_stop(void *data)
{
	struct hist_actor *a = data;

	utfs_release_reads(utfs_file_inode(a->file));
	kthread_stop(a->task);
	put_task_struct(a->task);
	if (a->mm)
		mmput(a->mm);
}

/*
 * An actor: one read (or @write, or a load from the test's mapping of the
 * file at @uaddr) in a thread of its own, started at once, with SIGKILL
 * pending from the start if @killed.
 */
static struct hist_actor *hist_actor_start_at(struct kunit *test,
					      struct file *file, loff_t pos,
					      size_t len, rwf_t flags,
					      bool write, bool killed,
					      unsigned long uaddr)
{
	struct hist_actor *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->file = file;
	a->pos = pos;
	a->len = len;
	a->flags = flags;
	a->write = write;
	a->buf = write ? utfs_pattern_buf(test, len, pos, HIST_SEED) :
			 utfs_kvzalloc(test, len);
	init_completion(&a->done);
	a->task = kthread_create(hist_actor_fn, a, "utfs-actor");
	KUNIT_ASSERT_FALSE(test, IS_ERR(a->task));
	get_task_struct(a->task);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, hist_actor_stop, a));
	a->killed = killed;
	/* The test's address space, held until the actor is joined. */
	if (uaddr) {
		KUNIT_ASSERT_NOT_NULL(test, current->mm);
		mmget(current->mm);
		a->mm = current->mm;
		a->uaddr = uaddr;
	}
	wake_up_process(a->task);
	return a;
}

static struct hist_actor *hist_actor_start(struct kunit *test,
					   struct file *file, loff_t pos,
					   size_t len, rwf_t flags, bool write,
					   bool killed)
{
	return hist_actor_start_at(test, file, pos, len, flags, write, killed,
				   0);
}

static bool hist_actor_done(struct hist_actor *a, unsigned int ms)
{
	return wait_for_completion_timeout(&a->done, msecs_to_jiffies(ms));
}

/* --- interleavings ------------------------------------------------------- */

enum inter_b {
	IB_ELSEWHERE,		/* uncached, a range of its own */
	IB_SAME,		/* uncached, A's request */
	IB_AHEAD,		/* uncached, what A reads ahead */
	IB_PLAIN_READ,		/* A's request, plain */
	IB_PLAIN_WRITE,		/* a folio of A's request, plain */
	IB_MMAP,		/* a load from a mapping of a folio of it */
	IB_NR
};

static const char *const inter_names[IB_NR] = {
	"elsewhere", "same", "ahead", "plain_read", "plain_write", "mmap"
};

struct inter_case {
	enum utfs_path path;
	enum inter_b b;
	bool shared;		/* B reads through A's open file */
};

static struct inter_case inter_cases[2 * IB_NR * 2];

static const void *inter_gen(const void *prev, char *desc)
{
	unsigned int i;
	struct inter_case *n = UTFS_NEXT_CASE(prev, inter_cases, &i);

	if (!n)
		return NULL;
	n->shared = i % 2;
	n->b = (i / 2) % IB_NR;
	n->path = i / (2 * IB_NR) ? UTFS_GENERIC : UTFS_IOMAP;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s.%s.%s",
		 n->path == UTFS_IOMAP ? "iomap" : "generic",
		 inter_names[n->b], n->shared ? "shared" : "two_files");
	return n;
}

#define A_LEN	(4 * PAGE_SIZE)

static void interleaving(struct kunit *test)
{
	const struct inter_case *c = test->param_value;
	struct file *file = hist_file(test, c->path);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct file *bfile = c->shared ? file : utfs_reopen(test, file, c->path);
	static const loff_t b_pos[IB_NR] = {
		[IB_ELSEWHERE] = HIST_HALF, [IB_AHEAD] = A_LEN,
		[IB_PLAIN_WRITE] = PAGE_SIZE, [IB_MMAP] = PAGE_SIZE,
	};
	bool plain = c->b >= IB_PLAIN_READ;
	size_t b_len = c->b >= IB_PLAIN_WRITE ? PAGE_SIZE : A_LEN;
	unsigned long uaddr = 0;
	struct hist_actor *a, *b;
	bool b_done;
	/* What B uses plain: its range (and a fault's neighbours, below). */
	loff_t plain_from = b_pos[c->b];
	size_t plain_len = b_len;

	if (c->b == IB_MMAP) {
		unsigned long base, around;

		base = kunit_vm_mmap(test, bfile, 0, HIST_SIZE, PROT_READ,
				     MAP_SHARED, 0);
		KUNIT_ASSERT_NE(test, 0UL, base);
		uaddr = base + b_pos[c->b];
		/*
		 * A fault maps the uptodate folios around it too, each then
		 * unmarked and in use: fault-around's window, mm/memory.c's
		 * fault_around_bytes (64 KiB unless tuned) aligned in the
		 * address space, within the mapping.
		 */
		around = max(round_down(uaddr, SZ_64K), base);
		plain_from = around - base;
		plain_len = min(round_down(uaddr, SZ_64K) + SZ_64K,
				base + HIST_SIZE) - around;
	}

	/* A reads ahead [0, 8 pages): what B does but elsewhere meets it. */
	file->f_ra.ra_pages = HIST_RA_PAGES;
	bfile->f_ra.ra_pages = HIST_RA_PAGES;
	utfs_hold_reads(test, ui, 0, 0, 1);
	a = hist_actor_start(test, file, 0, A_LEN, RWF_UNCACHED, false, false);
	/* A is held in its ->readahead, its folios locked in the page cache. */
	KUNIT_ASSERT_TRUE_MSG(test, utfs_wait_for(&ui->stats.readahead_held, 1),
			      "A's readahead was not held");
	b = hist_actor_start_at(test, bfile, b_pos[c->b], b_len,
				plain ? 0 : RWF_UNCACHED, c->b == IB_PLAIN_WRITE,
				false, uaddr);
	/* B runs as far as it can: to its end, or to a folio A holds. */
	b_done = hist_actor_done(b, 200);
	KUNIT_EXPECT_EQ_MSG(test, c->b == IB_ELSEWHERE, b_done,
			    "B %s while A's readahead was held",
			    b_done ? "ended" : "waited");
	/* A forced failure ends the case here: the cleanup lets A go. */
	UTFS_ASSERT_NOT_FORCED(test);
	utfs_release_reads(ui);
	KUNIT_ASSERT_TRUE_MSG(test, hist_actor_done(a, 5000), "A did not return");
	KUNIT_ASSERT_TRUE_MSG(test, hist_actor_done(b, 5000), "B did not return");
	KUNIT_EXPECT_EQ(test, (ssize_t)A_LEN, a->ret);
	KUNIT_EXPECT_EQ(test, (ssize_t)b_len, b->ret);
	expect_data(test, a->buf, 0, A_LEN, "A", 0);
	if (c->b != IB_PLAIN_WRITE)
		expect_data(test, b->buf, b_pos[c->b], b_len, "B", 1);
	/* [R1] A plain read or a fault that used a marked folio took the mark off. */
	if (c->b == IB_PLAIN_READ || c->b == IB_MMAP)
		KUNIT_EXPECT_EQ_MSG(test, 0U,
				    utfs_marked_folios(file, b_pos[c->b], b_len),
				    "marked after B used it plain");
	if (c->b == IB_MMAP)
		KUNIT_EXPECT_EQ_MSG(test, 1U,
				    utfs_cached_folios(file, b_pos[c->b], b_len),
				    "the folio B has mapped, after A");
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
	/* What two readers leave marked: a window ahead, and a folio, each. */
	KUNIT_EXPECT_LE(test,
			expect_marked(test, file, plain ? plain_from : 0,
				      plain ? plain_from + plain_len : 0,
				      "after both"),
			2 * (2 * HIST_RA_PAGES + 1));
	expect_final_read(test, file, c->path,
			  plain ? DIV_ROUND_UP(plain_len, PAGE_SIZE) : 0);
}

/* --- readahead faults ------------------------------------------------------- */

struct ra_fault_case {
	enum utfs_path path;
	size_t len;
};

static const struct ra_fault_case ra_fault_cases[] = {
	{ UTFS_IOMAP, PAGE_SIZE }, { UTFS_IOMAP, 16 * PAGE_SIZE },
	{ UTFS_GENERIC, PAGE_SIZE }, { UTFS_GENERIC, 16 * PAGE_SIZE },
};

static void ra_fault_desc(const struct ra_fault_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s.len_%zu",
		 c->path == UTFS_IOMAP ? "iomap" : "generic", c->len);
}

KUNIT_ARRAY_PARAM(ra_fault, ra_fault_cases, ra_fault_desc);

/* Far more than a cold read of 16 folios makes. */
#define RA_FAULT_MAX	256

/*
 * The Nth allocation of a cold uncached read fails, for N = 1, 2, ...
 * until the read makes fewer than N, each on a fresh file: the read
 * returns its data (the folio-at-a-time fallback), consumed it all, and
 * what stays of what it brought in is marked; the final read leaves
 * nothing.
 */
static void readahead_fault(struct kunit *test)
{
	const struct ra_fault_case *c = test->param_value;
	u8 *buf = utfs_kvzalloc(test, c->len);
	unsigned int nth;

	for (nth = 1; nth < RA_FAULT_MAX && test->status != KUNIT_FAILURE; nth++) {
		struct file *file = hist_file(test, c->path);
		bool pending;
		ssize_t ret;

		utfs_fail_nth(nth);
		ret = utfs_pread(file, buf, c->len, 0, RWF_UNCACHED);
		pending = utfs_fail_nth_pending();
		utfs_fail_nth(0);
		if (pending)
			break;
		KUNIT_ASSERT_EQ_MSG(test, (ssize_t)c->len, ret,
				    "allocation %u failing", nth);
		expect_data(test, buf, 0, c->len, "the read", nth);
		KUNIT_EXPECT_EQ_MSG(test, 0U, utfs_cached_folios(file, 0, c->len),
				    "allocation %u failing: cached of what the read consumed",
				    nth);
		expect_marked(test, file, 0, 0, "after the read");
		expect_final_read(test, file, c->path, 0);
	}
	KUNIT_EXPECT_LT(test, nth, (unsigned int)RA_FAULT_MAX);
	kunit_info(test, "%u allocations failed in turn", nth - 1);
}

/* --- signals ----------------------------------------------------------------- */

struct signal_case {
	enum utfs_path path;
	size_t len;
	int folio;		/* whose read is held; -1: the signal comes first */
};

static struct signal_case signal_cases[2 * 6];

static const void *signal_gen(const void *prev, char *desc)
{
	static const struct { size_t len; int folio; } points[] = {
		{ PAGE_SIZE, -1 }, { PAGE_SIZE, 0 }, { 8 * PAGE_SIZE, -1 },
		{ 8 * PAGE_SIZE, 0 }, { 8 * PAGE_SIZE, 3 }, { 8 * PAGE_SIZE, 7 },
	};
	unsigned int i;
	struct signal_case *n = UTFS_NEXT_CASE(prev, signal_cases, &i);

	if (!n)
		return NULL;
	n->len = points[i % ARRAY_SIZE(points)].len;
	n->folio = points[i % ARRAY_SIZE(points)].folio;
	n->path = i / ARRAY_SIZE(points) ? UTFS_GENERIC : UTFS_IOMAP;
	if (n->folio < 0)
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s.len_%zu.before",
			 n->path == UTFS_IOMAP ? "iomap" : "generic", n->len);
	else
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s.len_%zu.folio_%d",
			 n->path == UTFS_IOMAP ? "iomap" : "generic", n->len,
			 n->folio);
	return n;
}

/*
 * A reader waiting for a folio whose read is held gets SIGKILL: it
 * returns at once, with the data before that folio or -EINTR, while the
 * read is still held; what stays of what it brought in is marked, and
 * the final read leaves nothing.
 */
static void fatal_signal(struct kunit *test)
{
	const struct signal_case *c = test->param_value;
	struct file *file = hist_file(test, c->path);
	struct utfs_inode *ui = utfs_file_inode(file);
	struct hist_actor *a;
	ssize_t want = c->folio > 0 ? (ssize_t)c->folio * PAGE_SIZE : -EINTR;

	if (c->folio >= 0)
		utfs_hold_reads(test, ui, c->folio, c->folio + 1, 0);
	a = hist_actor_start(test, file, 0, c->len, RWF_UNCACHED, false,
			     c->folio < 0);
	if (c->folio >= 0) {
		KUNIT_ASSERT_TRUE_MSG(test, utfs_wait_for(&ui->stats.reads_held, 1),
				      "the read of folio %d was not held", c->folio);
		/*
		 * Until the folios before it are read and the reader sleeps:
		 * it waits for that folio.
		 */
		KUNIT_ASSERT_TRUE_MSG(test,
				      utfs_wait_uptodate(file, c->folio) &&
				      utfs_wait_sleeping(a->task),
				      "the reader does not wait");
		send_sig(SIGKILL, a->task, 1);
	}
	/* A forced failure ends the case with the read held. */
	UTFS_ASSERT_NOT_FORCED(test);
	KUNIT_EXPECT_TRUE_MSG(test, hist_actor_done(a, 2000),
			      "the killed reader did not return while the read was held");
	utfs_release_reads(ui);
	KUNIT_ASSERT_TRUE(test, hist_actor_done(a, 5000));
	KUNIT_EXPECT_EQ(test, want, a->ret);
	if (a->ret > 0)
		expect_data(test, a->buf, 0, a->ret, "before the signal", 0);
	utfs_wait_reads(file);
	expect_marked(test, file, 0, 0, "after the signal");
	expect_final_read(test, file, c->path, 0);
}

static struct kunit_case uncached_history_cases[] = {
	KUNIT_CASE_PARAM(stream_history, stream_gen),
	KUNIT_CASE_PARAM(interleaving, inter_gen),
	KUNIT_CASE_PARAM(readahead_fault, ra_fault_gen_params),
	KUNIT_CASE_PARAM(fatal_signal, signal_gen),
	{}
};

static struct kunit_suite uncached_history_suite = {
	.name = "uncached_history",
	.test_cases = uncached_history_cases,
	UTFS_SUITE_OPS,
};

kunit_test_suite(uncached_history_suite);
