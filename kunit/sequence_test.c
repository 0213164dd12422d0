// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_sequence: calls in sequence on one file, through one open file
 * or alternately through two, each checked against the promise when it
 * returns, from the state the calls before it left: an uncached read, a
 * plain read, an uncached write, a plain write, an uncached RWF_DSYNC
 * write (each of a head, a middle, a tail range of the file, and a few
 * bytes inside its first folio), fsync(),
 * a truncate to a size inside a folio, and POSIX_FADV_DONTNEED.  Every
 * sequence of two calls on both write paths, through one open file and
 * through two, and 96 sequences of four drawn with a fixed seed.  The
 * file is eight folios on the disk, nothing cached at the start, with no
 * readahead (a read reads its request: what readahead adds is
 * uncached_model's and uncached_history's).
 *
 * The model below is the man text's, per folio: absent, clean or dirty,
 * and marked (an uncached read's, to drop) or not.  [R1] an uncached read
 * brings in what it reads marked, drops each marked clean folio it
 * consumes (reads past, or to EOF) and keeps the folio it ended in; a
 * plain read takes the mark off what it reads; [W1] an uncached write
 * (RWF_DSYNC or not) is written back and dropped unless a folio of it was
 * cached before (a marked one included), and then stays, clean, its marks
 * as they were; a plain write dirties.  After each call: its result and
 * data, i_size, each folio's state, mark and data, the disk.
 *
 * Each call alone is another suite's; what this one adds is the state one
 * call leaves for the next: a marked folio a write then finds (and keeps),
 * a dirty marked folio a read passes (and keeps), a truncated tail read
 * again, what fsync() and POSIX_FADV_DONTNEED do to marked folios.
 */
#include <linux/fadvise.h>
#include <linux/fs.h>
#include <linux/pagemap.h>
#include <kunit/test.h>

#include "model.h"
#include "testfs.h"

#define SEQ_PAGES	8
#define SEQ_SIZE	(SEQ_PAGES * PAGE_SIZE)
#define SEQ_TRUNC	(5 * PAGE_SIZE + 100)	/* inside folio 5 */
#define SEQ_SEED	61
#define SEQ_MAX		4

enum seq_kind {
	SK_READ, SK_READ_PLAIN, SK_WRITE, SK_WRITE_PLAIN, SK_WRITE_DSYNC,
	SK_RANGED,		/* the kinds above take a range */
	SK_FSYNC = SK_RANGED, SK_TRUNCATE, SK_DONTNEED, SK_NR
};

static const char *const seq_kind_names[SK_NR] = {
	"read", "read_plain", "write", "write_plain", "write_dsync",
	"fsync", "truncate", "dontneed"
};

/*
 * The ranges: a head, a middle (unaligned), a tail to the old EOF, and a
 * few bytes inside the first folio (after which the middle's first folio
 * is the only one cached of it).
 */
static const struct { loff_t pos; size_t len; const char *name; } seq_ranges[] = {
	{ 0, 2 * PAGE_SIZE, "head" },
	{ PAGE_SIZE / 2, 3 * PAGE_SIZE, "mid" },
	{ 4 * PAGE_SIZE, 4 * PAGE_SIZE, "tail" },
	{ 100, 200, "in_first" },
};

#define SEQ_NR_RANGES	ARRAY_SIZE(seq_ranges)
#define SEQ_NR_OPS	(SK_RANGED * SEQ_NR_RANGES + SK_NR - SK_RANGED)
#define SEQ_NR_PAIRS	(SEQ_NR_OPS * SEQ_NR_OPS)
#define SEQ_NR_LONG	96

struct seq_case {
	enum utfs_path path;
	bool two_files;		/* odd calls through a second open file */
	unsigned int nr;
	u8 ops[SEQ_MAX];	/* an op: a kind and, if ranged, a range */
};

static struct seq_case seq_cases[4 * SEQ_NR_PAIRS + SEQ_NR_LONG];

static enum seq_kind seq_op_kind(u8 op)
{
	return op < SK_RANGED * SEQ_NR_RANGES ? op / SEQ_NR_RANGES :
	       op - SK_RANGED * SEQ_NR_RANGES + SK_RANGED;
}

static unsigned int seq_op_range(u8 op)
{
	return op % SEQ_NR_RANGES;
}

static const void *seq_gen(const void *prev, char *desc)
{
	unsigned int i, k, n;
	struct seq_case *c = UTFS_NEXT_CASE(prev, seq_cases, &i);

	if (!c)
		return NULL;
	if (i < 4 * SEQ_NR_PAIRS) {
		c->path = i / (2 * SEQ_NR_PAIRS) ? UTFS_GENERIC : UTFS_IOMAP;
		c->two_files = (i / SEQ_NR_PAIRS) % 2;
		c->nr = 2;
		c->ops[0] = (i % SEQ_NR_PAIRS) / SEQ_NR_OPS;
		c->ops[1] = i % SEQ_NR_OPS;
	} else {
		u32 x = 0x9e3779b9u * (i + 1);

		i -= 4 * SEQ_NR_PAIRS;
		c->path = i % 2 ? UTFS_GENERIC : UTFS_IOMAP;
		c->two_files = (i / 2) % 2;
		c->nr = SEQ_MAX;
		for (k = 0; k < SEQ_MAX; k++) {
			x = x * 1664525u + 1013904223u;
			c->ops[k] = (x >> 16) % SEQ_NR_OPS;
		}
	}
	n = scnprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s.%s",
		      c->path == UTFS_IOMAP ? "iomap" : "generic",
		      c->two_files ? "two_files" : "one_file");
	for (k = 0; k < c->nr; k++) {
		enum seq_kind kind = seq_op_kind(c->ops[k]);

		n += scnprintf(desc + n, KUNIT_PARAM_DESC_SIZE - n, ".%s%s%s",
			       seq_kind_names[kind], kind < SK_RANGED ? "_" : "",
			       kind < SK_RANGED ?
			       seq_ranges[seq_op_range(c->ops[k])].name : "");
	}
	return c;
}

/* --- the model ------------------------------------------------------------ */

enum seq_folio { SF_ABSENT, SF_CLEAN, SF_DIRTY };

struct seq_model {
	loff_t size;
	enum seq_folio folio[SEQ_PAGES];
	bool marked[SEQ_PAGES];
	u8 file[SEQ_SIZE];	/* what a read returns */
	u8 disk[SEQ_SIZE];
};

static pgoff_t seq_first(loff_t pos)
{
	return pos >> PAGE_SHIFT;
}

static pgoff_t seq_last(loff_t end)
{
	return (end - 1) >> PAGE_SHIFT;
}

/* A folio's data reaches the disk (writeback, clipped at EOF). */
static void seq_write_back(struct seq_model *m, pgoff_t i)
{
	loff_t from = (loff_t)i << PAGE_SHIFT;
	loff_t to = min_t(loff_t, from + PAGE_SIZE, m->size);

	if (to > from)
		memcpy(m->disk + from, m->file + from, to - from);
	if (m->folio[i] == SF_DIRTY)
		m->folio[i] = SF_CLEAN;
}

/* The call's result, by the man text. */
static ssize_t seq_model_apply(struct seq_model *m, enum seq_kind kind,
			       loff_t pos, size_t len, u8 seed)
{
	loff_t end = min_t(loff_t, pos + len, m->size);
	bool found = false;
	pgoff_t i;

	switch (kind) {
	case SK_READ:
		if (pos >= end)
			return 0;
		for (i = seq_first(pos); i <= seq_last(end); i++) {
			loff_t fend = (loff_t)(i + 1) << PAGE_SHIFT;

			/* [R1] brought in marked; consumed, and clean: dropped */
			if (m->folio[i] == SF_ABSENT) {
				m->folio[i] = SF_CLEAN;
				m->marked[i] = true;
			}
			if (model_read_consumed(fend, end, m->size) &&
			    m->marked[i] && m->folio[i] == SF_CLEAN) {
				m->folio[i] = SF_ABSENT;
				m->marked[i] = false;
			}
		}
		return end - pos;
	case SK_READ_PLAIN:
		if (pos >= end)
			return 0;
		/* [R1] a plain read takes the mark off what it uses */
		for (i = seq_first(pos); i <= seq_last(end); i++) {
			if (m->folio[i] == SF_ABSENT)
				m->folio[i] = SF_CLEAN;
			m->marked[i] = false;
		}
		return end - pos;
	case SK_WRITE:
	case SK_WRITE_DSYNC:
	case SK_WRITE_PLAIN:
		utfs_pattern(m->file + pos, len, pos, seed);
		m->size = max_t(loff_t, m->size, pos + len);
		for (i = seq_first(pos); i <= seq_last(pos + len); i++)
			found |= m->folio[i] != SF_ABSENT;
		for (i = seq_first(pos); i <= seq_last(pos + len); i++) {
			if (kind == SK_WRITE_PLAIN) {
				m->folio[i] = SF_DIRTY;
				continue;
			}
			/* [W1] written back; kept if the write found any cached */
			seq_write_back(m, i);
			m->folio[i] = found ? SF_CLEAN : SF_ABSENT;
			m->marked[i] &= found;
		}
		return len;
	case SK_FSYNC:
		for (i = 0; i < SEQ_PAGES; i++)
			seq_write_back(m, i);
		return 0;
	case SK_TRUNCATE:
		if (m->size <= SEQ_TRUNC)
			return 0;
		m->size = SEQ_TRUNC;
		memset(m->file + SEQ_TRUNC, 0, SEQ_SIZE - SEQ_TRUNC);
		memset(m->disk + SEQ_TRUNC, 0, SEQ_SIZE - SEQ_TRUNC);
		for (i = seq_first(PAGE_ALIGN(SEQ_TRUNC)); i < SEQ_PAGES; i++) {
			m->folio[i] = SF_ABSENT;
			m->marked[i] = false;
		}
		return 0;
	case SK_DONTNEED:
		/* Written back, then dropped: nothing here is in use. */
		for (i = 0; i < SEQ_PAGES; i++) {
			seq_write_back(m, i);
			m->folio[i] = SF_ABSENT;
			m->marked[i] = false;
		}
		return 0;
	default:
		return -EINVAL;
	}
}

/* --- the calls ------------------------------------------------------------ */

static ssize_t seq_call(struct kunit *test, struct file *file,
			enum seq_kind kind, loff_t pos, size_t len, u8 seed,
			u8 *buf)
{
	int err;

	switch (kind) {
	case SK_READ:
	case SK_READ_PLAIN:
		return utfs_pread(file, buf, len, pos,
				  kind == SK_READ ? RWF_UNCACHED : 0);
	case SK_WRITE:
	case SK_WRITE_DSYNC:
	case SK_WRITE_PLAIN:
		utfs_pattern(buf, len, pos, seed);
		return utfs_pwrite(file, buf, len, pos,
				   kind == SK_WRITE_PLAIN ? 0 :
				   kind == SK_WRITE ? RWF_UNCACHED :
				   RWF_UNCACHED | RWF_DSYNC);
	case SK_FSYNC:
		return vfs_fsync(file, 0);
	case SK_TRUNCATE:
		err = vfs_truncate(&file->f_path, SEQ_TRUNC);
		return err;
	case SK_DONTNEED:
		return vfs_fadvise(file, 0, 0, POSIX_FADV_DONTNEED);
	default:
		return -EINVAL;
	}
}

static const char seq_letters[] = "acd";

/* Everything the model says of the file after call @k. */
static void seq_expect(struct kunit *test, struct file *file,
		       const struct seq_model *m, u8 *page, unsigned int k)
{
	struct utfs_inode *ui = utfs_file_inode(file);
	pgoff_t i;

	KUNIT_EXPECT_EQ_MSG(test, m->size, i_size_read(file_inode(file)),
			    "i_size after call %u", k);
	for (i = 0; i < SEQ_PAGES; i++) {
		struct folio *folio = filemap_get_folio(file->f_mapping, i);
		enum seq_folio got = SF_ABSENT;
		bool marked = false;

		if (!IS_ERR(folio)) {
			KUNIT_EXPECT_TRUE_MSG(test, folio_test_uptodate(folio) &&
					      !folio_test_writeback(folio),
					      "folio %lu after call %u: not uptodate, or under writeback",
					      i, k);
			got = folio_test_dirty(folio) ? SF_DIRTY : SF_CLEAN;
			marked = folio_test_dropbehind(folio);
			memcpy_from_folio(page, folio, 0, PAGE_SIZE);
			folio_put(folio);
			KUNIT_EXPECT_MEMEQ_MSG(test, page, m->file + i * PAGE_SIZE,
					       PAGE_SIZE, "folio %lu's data after call %u",
					       i, k);
		}
		KUNIT_EXPECT_EQ_MSG(test, seq_letters[m->folio[i]], seq_letters[got],
				    "folio %lu after call %u (a absent, c clean, d dirty)",
				    i, k);
		KUNIT_EXPECT_EQ_MSG(test, m->marked[i], marked,
				    "folio %lu's mark after call %u", i, k);
	}
	KUNIT_EXPECT_MEMEQ_MSG(test, ui->disk, m->disk, SEQ_SIZE,
			       "the disk after call %u", k);
}

static void sequence(struct kunit *test)
{
	const struct seq_case *c = test->param_value;
	struct file *file = utfs_new_file(test, c->path);
	struct file *other = c->two_files ? utfs_reopen(test, file, c->path) : file;
	struct seq_model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	u8 *buf = utfs_kvzalloc(test, SEQ_SIZE);
	u8 *page = utfs_kvzalloc(test, PAGE_SIZE);
	unsigned int k;

	KUNIT_ASSERT_NOT_NULL(test, m);
	utfs_pattern(m->file, SEQ_SIZE, 0, SEQ_SEED);
	memcpy(m->disk, m->file, SEQ_SIZE);
	m->size = SEQ_SIZE;
	utfs_fill_disk(utfs_file_inode(file), 0, m->disk, SEQ_SIZE);
	/* No readahead: a read reads its request. */
	file->f_ra.ra_pages = 0;
	other->f_ra.ra_pages = 0;
	UTFS_ASSERT_NOT_FORCED(test);
	for (k = 0; k < c->nr; k++) {
		enum seq_kind kind = seq_op_kind(c->ops[k]);
		unsigned int r = seq_op_range(c->ops[k]);
		loff_t pos = kind < SK_RANGED ? seq_ranges[r].pos : 0;
		size_t len = kind < SK_RANGED ? seq_ranges[r].len : 0;
		u8 seed = SEQ_SEED + 1 + k;
		ssize_t want = seq_model_apply(m, kind, pos, len, seed);
		ssize_t ret = seq_call(test, k % 2 ? other : file, kind, pos,
				       len, seed, buf);

		KUNIT_EXPECT_EQ_MSG(test, want, ret, "call %u's result", k);
		if ((kind == SK_READ || kind == SK_READ_PLAIN) && ret > 0)
			KUNIT_EXPECT_MEMEQ_MSG(test, buf, m->file + pos, ret,
					       "call %u's data", k);
		seq_expect(test, file, m, page, k);
	}
	utfs_expect_settled(test, file, "after the last call");
}

static struct kunit_case uncached_sequence_cases[] = {
	KUNIT_CASE_PARAM(sequence, seq_gen),
	{}
};

static struct kunit_suite uncached_sequence_suite = {
	.name = "uncached_sequence",
	.test_cases = uncached_sequence_cases,
	UTFS_SUITE_OPS,
};

kunit_test_suite(uncached_sequence_suite);
