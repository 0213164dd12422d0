// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_model: the generated space, checked against the model of the
 * promise (kunit/model.c, from fs/man/RWF_UNCACHED.txt).
 *
 * A case is a path (iomap, generic), an I/O (write or read; plain,
 * RWF_DSYNC, RWF_NOWAIT or O_DIRECT), its offset (0, inside the first
 * folio, the last byte of a chunk, the first byte of a chunk) and length
 * (1 byte, a folio, a chunk less a folio, a chunk, a chunk and a folio,
 * two and a half chunks), the state of four folios (the first and last
 * of the I/O, and those either side of the first chunk boundary after its
 * start: absent, clean, dirty, under writeback, not uptodate), and one
 * fault at one of them (an allocation, space running out, a writeback
 * failing at once or later, a writeback failing with another file's
 * fsync() right after it, a read failing at once or later).  The files need stable pages during
 * writeback, as some real ones do.  The chunk is the real UNCACHED_WRITE_CHUNK (8 MiB): a file is
 * four chunks of the test filesystem's RAM disk, 1.5 chunks of it written.
 *
 * Generated at suite_init: every combination of path, I/O, offset and
 * length with nothing cached and no fault (exhaustive), every state and
 * fault either side of a chunk boundary for writes across one (the
 * boundary subspace, exhaustive: see generate_boundaries()), reads that
 * may not block, of three lengths from three offsets, from nothing
 * cached, one folio never read, or one folio's read failing (exhaustive:
 * see generate_nowait_reads()), writes of two lengths from two offsets
 * with one folio in each cached state (generate_write_states()), and cases
 * that together hold every pair of values of any two dimensions at least
 * once (pairwise, greedy over a fixed pseudo-random pool of valid cases).
 * A case two of them generate runs once.  The number is printed.  Each
 * case runs on a fresh file, and everything the model predicts is
 * compared: the result, ki_pos, what is left in the
 * iov_iter, i_size, each folio's state and content afterwards, the disk,
 * the data a read returned, the writeback calls (one per chunk, over
 * exactly the chunk, after the chunk's mappings and before the next's),
 * what fsync() on the I/O's file and on another one reports next, and for
 * a read what it read from the disk and read ahead: the same read, plain,
 * runs on a twin file from the same state, and the uncached read must make
 * the same ->readahead calls, read the same folios, and leave the twin's
 * read-ahead folios cached, each marked as an uncached read's, and every
 * other folio as the model says, unmarked; that no folio changed under writeback, and
 * that a later write reports no error again.  A failing case prints the line that runs
 * it alone: make SUITE=uncached_model MODEL_CASE=NAME.
 */
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <kunit/test.h>

#include "model.h"

/* uncached_kunit.model_case=NAME: run that generated case alone. */
static char *model_case;
module_param(model_case, charp, 0444);
MODULE_PARM_DESC(model_case, "the one uncached_model case to run");

/* The dimensions of the space, and the names of their values. */
enum { D_PATH, D_OP, D_FLAGS, D_POS, D_LEN, D_FIRST, D_LAST, D_BEFORE,
	D_AFTER, D_FAULT, D_FAULT_AT, D_NR };

static const char *const path_names[] = { "iomap", "generic" };
static const char *const op_names[] = { "write", "read" };
static const char *const flag_names[] = { "plain", "dsync", "nowait", "direct" };
static const char *const pos_names[] = { "0", "100", "C-1", "C" };
static const char *const len_names[] = { "1", "P", "C-P", "C", "C+P", "2.5C" };
static const char state_letters[] = "acdwn";	/* enum model_folio */
static const char *const fault_names[] = { "none", "alloc", "enospc", "wb",
					   "wbasync", "wbfsync", "read",
					   "readasync" };
static const char *const where_names[] = { "first", "last", "before", "after" };

static const unsigned int dim_size[D_NR] = {
	[D_PATH] = 2, [D_OP] = MO_NR, [D_FLAGS] = MFL_NR, [D_POS] = 4,
	[D_LEN] = 6, [D_FIRST] = MF_NR, [D_LAST] = MF_NR, [D_BEFORE] = MF_NR,
	[D_AFTER] = MF_NR, [D_FAULT] = MX_NR, [D_FAULT_AT] = MW_NR,
};

#define MODEL_MAX_CASES		1024
#define MODEL_POOL		12000

struct model_param {
	struct model_case c;
	char name[KUNIT_PARAM_DESC_SIZE];
};

static struct model_file model_file;
static struct model_param *model_params;
static unsigned int model_nr_params, model_nr_exhaustive;

static void decode(const u8 *v, struct model_case *c)
{
	const loff_t chunk = model_file.chunk;
	const loff_t pos[] = { 0, 100, chunk - 1, chunk };
	const size_t len[] = { 1, PAGE_SIZE, chunk - PAGE_SIZE, chunk,
			       chunk + PAGE_SIZE, 2 * chunk + chunk / 2 };
	unsigned int w;

	c->path = v[D_PATH] ? UTFS_GENERIC : UTFS_IOMAP;
	c->op = v[D_OP];
	c->flags = v[D_FLAGS];
	c->pos = pos[v[D_POS]];
	c->len = len[v[D_LEN]];
	for (w = 0; w < MW_NR; w++)
		c->state[w] = v[D_FIRST + w];
	c->fault = v[D_FAULT];
	c->fault_at = v[D_FAULT_AT];
}

static void name_of(const u8 *v, char *name)
{
	snprintf(name, KUNIT_PARAM_DESC_SIZE, "%s.%s.%s.at_%s.len_%s.%c%c%c%c.%s_%s",
		 path_names[v[D_PATH]], op_names[v[D_OP]], flag_names[v[D_FLAGS]],
		 pos_names[v[D_POS]], len_names[v[D_LEN]],
		 state_letters[v[D_FIRST]], state_letters[v[D_LAST]],
		 state_letters[v[D_BEFORE]], state_letters[v[D_AFTER]],
		 fault_names[v[D_FAULT]], where_names[v[D_FAULT_AT]]);
}

static bool valid(const u8 *v)
{
	struct model_case c;

	decode(v, &c);
	return model_case_valid(&model_file, &c);
}

/* A case, once: a subspace may generate one another already has. */
static bool add_case(const u8 *v)
{
	struct model_param *p;
	unsigned int k;

	if (model_nr_params == MODEL_MAX_CASES)
		return false;
	p = &model_params[model_nr_params];
	decode(v, &p->c);
	name_of(v, p->name);
	for (k = 0; k < model_nr_params; k++)
		if (!strcmp(model_params[k].name, p->name))
			return true;
	if (!model_case || !strcmp(model_case, p->name))
		model_nr_params++;
	return true;
}

/* The pairs of values of two dimensions: (i, a, j, b) with i < j. */
static unsigned int pair_base[D_NR][D_NR], nr_pairs;

static void pairs_init(void)
{
	unsigned int i, j;

	nr_pairs = 0;
	for (i = 0; i < D_NR; i++)
		for (j = i + 1; j < D_NR; j++) {
			pair_base[i][j] = nr_pairs;
			nr_pairs += dim_size[i] * dim_size[j];
		}
}

static unsigned int pair(const u8 *v, unsigned int i, unsigned int j)
{
	return pair_base[i][j] + v[i] * dim_size[j] + v[j];
}

/* New pairs that case @v would cover. */
static unsigned int new_pairs(const u8 *v, const unsigned long *covered)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < D_NR; i++)
		for (j = i + 1; j < D_NR; j++)
			n += !test_bit(pair(v, i, j), covered);
	return n;
}

static void cover(const u8 *v, unsigned long *covered)
{
	unsigned int i, j;

	for (i = 0; i < D_NR; i++)
		for (j = i + 1; j < D_NR; j++)
			__set_bit(pair(v, i, j), covered);
}

/*
 * Pairwise: a fixed pseudo-random pool of valid cases (the pairs that
 * appear in it are the ones that can be covered: others break a rule of
 * model_case_valid()), then, greedily, the case of the pool that covers
 * the most pairs not covered yet, until none is left.
 */
static int generate_pairwise(unsigned int *nr_covered)
{
	unsigned long *covered, *possible;
	u32 state = 0x75746673;	/* "utfs": the same pool every run */
	unsigned int n = 0, tries, d, k, best, best_new, left;
	u8 (*pool)[D_NR];
	int error = -ENOMEM;

	pairs_init();
	pool = vmalloc(array_size(MODEL_POOL, D_NR));
	covered = bitmap_zalloc(nr_pairs, GFP_KERNEL);
	possible = bitmap_zalloc(nr_pairs, GFP_KERNEL);
	if (!pool || !covered || !possible)
		goto out;
	for (tries = 0; n < MODEL_POOL && tries < 100 * MODEL_POOL; tries++) {
		for (d = 0; d < D_NR; d++) {
			state = state * 1103515245 + 12345;
			pool[n][d] = (state >> 16) % dim_size[d];
		}
		if (pool[n][D_FAULT] == MX_NONE)
			pool[n][D_FAULT_AT] = MW_FIRST;
		if (valid(pool[n])) {
			cover(pool[n], possible);
			n++;
		}
	}
	left = bitmap_weight(possible, nr_pairs);
	*nr_covered = left;
	while (left) {
		best = 0;
		best_new = 0;
		for (k = 0; k < n; k++) {
			unsigned int m = new_pairs(pool[k], covered);

			if (m > best_new) {
				best_new = m;
				best = k;
			}
		}
		if (!add_case(pool[best]))
			break;
		cover(pool[best], covered);
		left -= best_new;
	}
	error = left ? -E2BIG : 0;
out:
	bitmap_free(possible);
	bitmap_free(covered);
	vfree(pool);
	return error;
}

/*
 * Every path, and each of @lens and @poss (indices into the length and
 * offset dimensions): @shape generates the cases of each such I/O.
 */
static void generate_shapes(u8 *v, const u8 *lens, unsigned int nr_lens,
			    const u8 *poss, unsigned int nr_poss,
			    void (*shape)(u8 *v, const struct model_case *c))
{
	struct model_case c;
	unsigned int l, p;

	for (v[D_PATH] = 0; v[D_PATH] < dim_size[D_PATH]; v[D_PATH]++)
		for (l = 0; l < nr_lens; l++)
			for (p = 0; p < nr_poss; p++) {
				v[D_LEN] = lens[l];
				v[D_POS] = poss[p];
				decode(v, &c);
				shape(v, &c);
			}
}

/*
 * Exhaustive where two chunks meet, for writes of more than a chunk from
 * 0 or from the last byte of a chunk, on both paths: the folios either
 * side of the boundary absent or cached (what one chunk found must not
 * carry into the next); and an allocation or a writeback failing either
 * side of it (in the first chunk or the next).  Pairwise alone leaves
 * these three-way meetings to chance.
 */
/* The cases of one path, length and offset where two chunks meet. */
static void generate_boundary(u8 *v, const struct model_case *c)
{
	static const u8 faults[] = { MX_ALLOC, MX_ENOSPC, MX_WB };
	unsigned int k, w;

	v[D_FAULT] = MX_NONE;
	v[D_FAULT_AT] = MW_FIRST;
	for (k = 0; k < 4; k++) {
		v[D_BEFORE] = k & 1 ? MF_CLEAN : MF_ABSENT;
		v[D_AFTER] = k & 2 ? MF_CLEAN : MF_ABSENT;
		if (valid(v))
			add_case(v);
	}
	v[D_BEFORE] = MF_ABSENT;
	v[D_AFTER] = MF_ABSENT;
	for (k = 0; k < ARRAY_SIZE(faults); k++)
		for (w = MW_BEFORE_BOUNDARY; w <= MW_AFTER_BOUNDARY; w++) {
			v[D_FAULT] = faults[k];
			v[D_FAULT_AT] = w;
			if (valid(v))
				add_case(v);
		}
}

static void generate_boundaries(void)
{
	static const u8 lens[] = { 4, 5 };	/* C+P, 2.5C */
	static const u8 poss[] = { 0, 2 };	/* 0, C-1 */
	u8 v[D_NR] = {};

	generate_shapes(v, lens, ARRAY_SIZE(lens), poss, ARRAY_SIZE(poss),
			generate_boundary);
}

/*
 * One case of the subspaces below: named folio @w in @state, or with
 * @fault there, and every other folio absent.  Once per folio: not again
 * for a name after the first that names the same folio.
 */
static void generate_at(u8 *v, const struct model_case *c, enum model_where w,
			enum model_folio state, enum model_fault fault)
{
	pgoff_t i = model_folio_of(&model_file, c, w);
	unsigned int u;

	for (u = 0; u < w; u++)
		if (model_folio_of(&model_file, c, u) == i)
			return;
	for (u = 0; u < MW_NR; u++)
		v[D_FIRST + u] = model_folio_of(&model_file, c, u) == i ?
				 state : MF_ABSENT;
	v[D_FAULT] = fault;
	v[D_FAULT_AT] = fault == MX_NONE ? MW_FIRST : w;
	if (valid(v))
		add_case(v);
}

/*
 * [N1] Exhaustive for reads that may not block: every path, from an
 * aligned offset, an unaligned one and a chunk's last byte, of one byte,
 * a page and more than a chunk, from nothing cached; each named folio
 * cached and never read (a read the nonblocking one did not start: EAGAIN
 * there, a short read past the first folio); and each named folio's own
 * read failing (the readahead the nonblocking read started fails there,
 * and it does not retry).  A named folio the read does not reach is in
 * too.  Pairwise reaches these only when its pool happens to.
 */
static void generate_nowait_read(u8 *v, const struct model_case *c)
{
	unsigned int w;

	generate_at(v, c, MW_FIRST, MF_ABSENT, MX_NONE);
	for (w = 0; w < MW_NR; w++) {
		generate_at(v, c, w, MF_NOT_UPTODATE, MX_NONE);
		generate_at(v, c, w, MF_ABSENT, MX_READ);
	}
}

static void generate_nowait_reads(void)
{
	static const u8 lens[] = { 0, 1, 4 };	/* 1, P, C+P */
	static const u8 poss[] = { 0, 1, 2 };	/* 0, 100, C-1 */
	u8 v[D_NR] = { [D_OP] = MO_READ, [D_FLAGS] = MFL_NOWAIT };

	generate_shapes(v, lens, ARRAY_SIZE(lens), poss, ARRAY_SIZE(poss),
			generate_nowait_read);
}

/*
 * [W1] Exhaustive for writes beside one cached folio: every path, a page
 * and a chunk and a page, each from an unaligned offset and from a chunk's
 * last byte, with each named folio clean, dirty, under writeback (stable
 * pages: the write waits for it) or never read, and nothing else cached.
 * A named folio the write does not reach is in too: a folio beside a
 * write must not change what it does.
 */
static void generate_write_state(u8 *v, const struct model_case *c)
{
	static const u8 states[] = { MF_CLEAN, MF_DIRTY, MF_WRITEBACK,
				     MF_NOT_UPTODATE };
	unsigned int k, w;

	for (k = 0; k < ARRAY_SIZE(states); k++)
		for (w = 0; w < MW_NR; w++)
			generate_at(v, c, w, states[k], MX_NONE);
}

static void generate_write_states(void)
{
	static const u8 lens[] = { 1, 4 };	/* P, C+P */
	static const u8 poss[] = { 1, 2 };	/* 100, C-1 */
	u8 v[D_NR] = { [D_OP] = MO_WRITE, [D_FLAGS] = MFL_NONE };

	generate_shapes(v, lens, ARRAY_SIZE(lens), poss, ARRAY_SIZE(poss),
			generate_write_state);
}

/* Exhaustive: path x I/O x offset x length, nothing cached, no fault. */
static void generate_exhaustive(void)
{
	u8 v[D_NR] = {};

	for (v[D_PATH] = 0; v[D_PATH] < dim_size[D_PATH]; v[D_PATH]++)
		for (v[D_OP] = 0; v[D_OP] < MO_NR; v[D_OP]++)
			for (v[D_POS] = 0; v[D_POS] < dim_size[D_POS]; v[D_POS]++)
				for (v[D_LEN] = 0; v[D_LEN] < dim_size[D_LEN];
				     v[D_LEN]++)
					if (valid(v))
						add_case(v);
}

static void model_suite_exit(struct kunit_suite *suite)
{
	kvfree(model_params);
	model_params = NULL;
	utfs_suite_exit(suite);
}

static int model_suite_init(struct kunit_suite *suite)
{
	unsigned int covered = 0;
	int error = utfs_suite_init(suite);

	if (error)
		return error;
	model_file.chunk = UNCACHED_WRITE_CHUNK;
	model_file.size = model_file.chunk + model_file.chunk / 2;
	model_file.capacity = 4 * model_file.chunk;
	model_file.ra_pages = VM_READAHEAD_PAGES;	/* the test filesystem's bdi */
	model_params = kvcalloc(MODEL_MAX_CASES, sizeof(*model_params),
				GFP_KERNEL);
	if (!model_params) {
		error = -ENOMEM;
		goto out;
	}
	model_nr_params = 0;
	generate_exhaustive();
	generate_boundaries();
	generate_nowait_reads();
	generate_write_states();
	model_nr_exhaustive = model_nr_params;
	error = generate_pairwise(&covered);
	pr_info("uncached_model: %u cases generated: %u exhaustive, %u pairwise covering %u pairs of values%s\n",
		model_nr_params, model_nr_exhaustive,
		model_nr_params - model_nr_exhaustive, covered,
		model_case ? " (model_case= picks one)" : "");
out:
	/* KUnit runs no suite_exit for a suite_init that fails. */
	if (error)
		model_suite_exit(suite);
	return error;
}

/* The next generated case of one path and one kind of I/O. */
static const void *model_next(const void *prev, char *desc,
			      enum utfs_path path, enum model_op op)
{
	const struct model_param *p = prev;

	for (p = p ? p + 1 : model_params;
	     model_params && p < model_params + model_nr_params; p++) {
		if (p->c.path == path && p->c.op == op) {
			strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
			return &p->c;
		}
	}
	return NULL;
}

/* The byte utfs_pattern() would write at @off with @seed (or zero). */
static u8 seed_byte(enum model_seed seed, loff_t off)
{
	return seed == MS_ZERO ? 0 : (u8)(off * 7 + (off >> PAGE_SHIFT) + seed);
}

/*
 * The first byte of [@off, @off + @len) in @buf (file offset @off) that is
 * not what @byte says, or -1; @byte is one of model_*_byte().
 */
static loff_t first_difference(const u8 *buf, loff_t off, size_t len,
			       const struct model_case *c,
			       const struct model_result *r,
			       enum model_seed (*byte)(const struct model_file *,
						       const struct model_case *,
						       const struct model_result *,
						       loff_t))
{
	loff_t end = off + len, at = off;

	while (at < end) {
		loff_t next = min(end, model_next_change(&model_file, c, r, at));
		enum model_seed seed = byte(&model_file, c, r, at);
		loff_t i;

		if (seed == MS_ZERO) {
			const u8 *bad = memchr_inv(buf + (at - off), 0, next - at);

			if (bad)
				return off + (bad - buf);
		} else {
			for (i = at; i < next; i++)
				if (buf[i - off] != seed_byte(seed, i))
					return i;
		}
		at = next;
	}
	return -1;
}

static enum model_seed read_byte(const struct model_file *f,
				 const struct model_case *c,
				 const struct model_result *r, loff_t off)
{
	return model_read_byte(f, c, off);
}

/* The state of folio @index as the page cache has it. */
static enum model_folio cached_state(struct address_space *mapping,
				     pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping, index);
	enum model_folio s;

	if (IS_ERR(folio))
		return MF_ABSENT;
	if (!folio_test_uptodate(folio))
		s = MF_NOT_UPTODATE;
	else if (folio_test_writeback(folio))
		s = MF_WRITEBACK;
	else
		s = folio_test_dirty(folio) ? MF_DIRTY : MF_CLEAN;
	folio_put(folio);
	return s;
}

static const enum utfs_precached precached_as[MF_NR] = {
	[MF_CLEAN] = UTFS_CLEAN, [MF_DIRTY] = UTFS_DIRTY,
	[MF_WRITEBACK] = UTFS_UNDER_WRITEBACK,
	[MF_NOT_UPTODATE] = UTFS_NOT_UPTODATE,
};

/* The file before the I/O: the written part on the disk, the named folios. */
static struct file *model_file_before(struct kunit *test,
				      const struct model_case *c)
{
	struct file *file = utfs_new_sized_file(test, c->path,
						model_file.capacity);
	struct utfs_inode *ui = utfs_file_inode(file);
	enum model_where w;

	utfs_fill_disk(ui, 0, utfs_pattern_buf(test, model_file.size, 0, MS_DISK),
		       model_file.size);
	/* As real filesystems may: no folio changes under writeback. */
	mapping_set_stable_writes(file->f_mapping);
	for (w = 0; w < MW_NR; w++) {
		pgoff_t index = model_folio_of(&model_file, c, w);

		if (c->state[w] != MF_ABSENT &&
		    cached_state(file->f_mapping, index) == MF_ABSENT)
			utfs_precache(test, file, index, precached_as[c->state[w]],
				      MS_DIRTY);
	}
	utfs_reset_stats(ui);
	return file;
}

/* The fault plan, armed once the file is as the case says. */
static void arm_fault(struct utfs_inode *ui, const struct model_case *c,
		      struct file *other)
{
	loff_t at = (loff_t)model_folio_of(&model_file, c, c->fault_at)
		    << PAGE_SHIFT;
	struct utfs_faults *f = &ui->faults;

	switch (c->fault) {
	case MX_ALLOC:
		f->fail_alloc_index = at >> PAGE_SHIFT;
		f->fail_alloc_lookups = UINT_MAX;
		break;
	case MX_ENOSPC:
		f->begin_error = -ENOSPC;
		f->begin_error_from = at;
		break;
	case MX_WB_OTHER_FSYNC:
		f->fsync_after_writeback = other;
		fallthrough;
	case MX_WB_ASYNC:
		f->async_writeback = true;
		fallthrough;
	case MX_WB:
		f->wb_error = -EIO;
		f->wb_error_from = at;
		f->wb_error_to = at + PAGE_SIZE;
		break;
	case MX_READ_ASYNC:
		f->async_read = true;
		fallthrough;
	case MX_READ:
		f->read_error = true;
		f->read_error_from = at;
		f->read_error_to = at + PAGE_SIZE;
		break;
	default:
		break;
	}
}

static void disarm_faults(struct utfs_inode *ui)
{
	ui->faults.fail_alloc_lookups = 0;
	ui->faults.wb_error = 0;
	ui->faults.read_error = false;
	ui->faults.fsync_after_writeback = NULL;
	ui->faults.async_read = false;
	ui->faults.begin_error = 0;
}

/* The case's I/O; @flags: RWF_UNCACHED, or 0 for the plain one. */
static ssize_t model_do_io(struct file *file, const struct model_case *c,
			   rwf_t flags, void *buf, loff_t *pos, size_t *left)
{
	struct kvec kv = { .iov_base = buf, .iov_len = c->len };
	struct iov_iter iter;
	ssize_t ret;

	if (c->flags == MFL_DSYNC)
		flags |= RWF_DSYNC;
	if (c->flags == MFL_NOWAIT) {
		file->f_mode |= FMODE_NOWAIT;
		flags |= RWF_NOWAIT;
	}
	if (c->flags == MFL_DIRECT) {
		/* As opening with O_DIRECT would; nothing of it goes direct. */
		file->f_flags |= O_DIRECT;
		file->f_iocb_flags |= IOCB_DIRECT;
	}
	iov_iter_kvec(&iter, c->op == MO_WRITE ? ITER_SOURCE : ITER_DEST, &kv, 1,
		      c->len);
	*pos = c->pos;
	ret = c->op == MO_WRITE ? vfs_iter_write(file, &iter, pos, flags) :
				  vfs_iter_read(file, &iter, pos, flags);
	*left = iov_iter_count(&iter);
	file->f_flags &= ~O_DIRECT;
	file->f_iocb_flags &= ~IOCB_DIRECT;
	return ret;
}

/* Writeback: one call per chunk, over exactly it, between the mappings. */
static void expect_writebacks(struct kunit *test, struct utfs_inode *ui,
			      const struct model_case *c,
			      const struct model_result *r)
{
	unsigned int k, i;

	KUNIT_ASSERT_LT(test, ui->nr_events, UTFS_MAX_EVENTS);
	for (k = 0; k < r->nr_writebacks; k++) {
		const struct utfs_event *wb = utfs_find_event(ui, UTFS_EV_WRITEBACK, k);

		KUNIT_ASSERT_NOT_NULL_MSG(test, wb, "writeback %u of %u", k,
					  r->nr_writebacks);
		KUNIT_EXPECT_EQ_MSG(test, r->wb_start[k], wb->pos, "writeback %u", k);
		KUNIT_EXPECT_EQ_MSG(test, r->wb_end[k] - r->wb_start[k],
				    (loff_t)wb->len, "writeback %u", k);
		for (i = 0; i < ui->nr_events; i++) {
			const struct utfs_event *ev = &ui->events[i];

			if (ev->type != UTFS_EV_BEGIN && ev->type != UTFS_EV_END)
				continue;
			KUNIT_EXPECT_EQ_MSG(test, ev->pos < r->wb_chunk_end[k], ev < wb,
					    "mapping at %lld, writeback %u",
					    ev->pos, k);
		}
	}
	/* RWF_DSYNC's own sync alone may write back more, after the chunks. */
	for (k = r->nr_writebacks; utfs_find_event(ui, UTFS_EV_WRITEBACK, k); k++)
		KUNIT_EXPECT_EQ_MSG(test, MFL_DSYNC, c->flags,
				    "writeback %u, beyond the chunks", k);
}

/*
 * Each folio's state and content, and the disk, against the model; what a
 * read brought in ahead against what the same read, plain, left in @plain's
 * file (NULL for a write): the same folios, marked as the uncached read's.
 */
static unsigned int expect_folios_and_disk(struct kunit *test, struct file *file,
					   struct file *plain,
					   const struct model_case *c,
					   const struct model_result *r, u8 *page)
{
	struct utfs_inode *ui = utfs_file_inode(file);
	pgoff_t index, nr = model_file.capacity >> PAGE_SHIFT;
	unsigned int wrong = 0, reclaimed = 0;
	loff_t bad;

	for (index = 0; index < nr; index++) {
		bool ahead = model_read_ahead(&model_file, c, r, index);
		enum model_folio want = ahead && plain ?
			cached_state(plain->f_mapping, index) :
			model_after(&model_file, c, r, index);
		enum model_folio got = cached_state(file->f_mapping, index);
		loff_t at = (loff_t)index << PAGE_SHIFT;

		/* [R1] What the read keeps of what it brought in is marked. */
		if (got != MF_ABSENT &&
		    ahead != !!utfs_marked_folios(file, at, PAGE_SIZE) &&
		    wrong++ < 4)
			KUNIT_FAIL(test, "folio %lu: %s, the model says %s", index,
				   ahead ? "not marked" : "marked",
				   ahead ? "read ahead" : "cached before");

		/*
		 * Reclaim may take a clean folio at any time (the debug
		 * kernel's KASAN quarantine leaves it little memory): it
		 * leaves a shadow entry, which dropping a folio does not; in
		 * the plain read's twin file too.
		 */
		if ((want == MF_CLEAN && got == MF_ABSENT &&
		     xa_is_value(xa_load(&file->f_mapping->i_pages, index))) ||
		    (ahead && plain && want == MF_ABSENT &&
		     xa_is_value(xa_load(&plain->f_mapping->i_pages, index)))) {
			reclaimed++;
			continue;
		}
		/*
		 * [O1] direct_write_fallback() (the generic path's, not the
		 * series') drops what it wrote back with
		 * invalidate_mapping_pages(), which leaves a folio still held
		 * by a CPU's LRU batch (x86_64 has two): cached, clean, never
		 * dirty, as [O1] promises; which case meets that depends on
		 * what ran before it.  Its content is checked as any.
		 */
		if (r->direct_fallback && want == MF_ABSENT && got == MF_CLEAN &&
		    at < r->copied_end && at + PAGE_SIZE > c->pos)
			want = MF_CLEAN;
		if (got != want && wrong++ < 4)
			KUNIT_FAIL(test, "folio %lu: %c, the model says %c", index,
				   state_letters[got], state_letters[want]);
		if (got == MF_CLEAN || got == MF_DIRTY) {
			struct folio *folio = filemap_get_folio(file->f_mapping, index);

			if (IS_ERR(folio))
				continue;
			memcpy_from_folio(page, folio, 0, PAGE_SIZE);
			folio_put(folio);
			bad = first_difference(page, at, PAGE_SIZE, c, r,
					       model_cache_byte);
			if (bad >= 0 && wrong++ < 4)
				KUNIT_FAIL(test, "cached byte %lld: %#x, the model says seed %d",
					   bad, page[bad - at],
					   model_cache_byte(&model_file, c, r, bad));
		}
	}
	bad = first_difference(ui->disk, 0, model_file.capacity, c, r,
			       model_disk_byte);
	if (bad >= 0 && wrong++ < 4)
		KUNIT_FAIL(test, "disk byte %lld: %#x, the model says seed %d", bad,
			   ui->disk[bad], model_disk_byte(&model_file, c, r, bad));
	if (reclaimed)
		kunit_info(test, "%u clean folios taken by reclaim, not checked",
			   reclaimed);
	return wrong;
}

/*
 * [R1] A read reads from the disk as a buffered read does: the same
 * ->readahead calls, of the same ranges, and the same folios in all; none
 * before the request.
 */
static void expect_reads_as_plain(struct kunit *test, struct utfs_inode *ui,
				  struct utfs_inode *plain,
				  const struct model_result *r)
{
	const struct utfs_event *ra, *want;
	unsigned int k;

	KUNIT_ASSERT_LT(test, ui->nr_events, UTFS_MAX_EVENTS);
	KUNIT_ASSERT_LT(test, plain->nr_events, UTFS_MAX_EVENTS);
	for (k = 0; (ra = utfs_find_event(ui, UTFS_EV_READAHEAD, k)); k++) {
		want = utfs_find_event(plain, UTFS_EV_READAHEAD, k);
		KUNIT_EXPECT_GE_MSG(test, ra->pos, r->read_start, "readahead %u", k);
		if (!want) {
			KUNIT_FAIL(test, "readahead %u of [%lld, +%zu): the plain read has none",
				   k, ra->pos, (size_t)ra->len);
			break;
		}
		KUNIT_EXPECT_EQ_MSG(test, want->pos, ra->pos, "readahead %u", k);
		KUNIT_EXPECT_EQ_MSG(test, want->len, ra->len, "readahead %u", k);
	}
	KUNIT_EXPECT_NULL_MSG(test, utfs_find_event(plain, UTFS_EV_READAHEAD, k),
			      "the plain read's readahead %u", k);
	KUNIT_EXPECT_EQ_MSG(test, plain->stats.folios_read, ui->stats.folios_read,
			    "folios read from the disk");
}

static void model_generated(struct kunit *test)
{
	const struct model_case *c = test->param_value;
	struct file *file = model_file_before(test, c);
	struct file *other = utfs_reopen(test, file, c->path);
	struct file *plain = NULL;
	struct utfs_inode *ui = utfs_file_inode(file);
	u8 *page = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	u8 *buf = c->op == MO_WRITE ?
		  utfs_pattern_buf(test, c->len, c->pos, MS_IO) :
		  utfs_kvzalloc(test, c->len);
	struct model_result r;
	size_t left;
	loff_t pos;
	ssize_t ret;

	KUNIT_ASSERT_NOT_NULL(test, page);
	UTFS_ASSERT_NOT_FORCED(test);
	model_run(&model_file, c, &r);
	/* A read error shrinks it (shrink_readahead_size_eio()): before. */
	KUNIT_ASSERT_EQ_MSG(test, model_file.ra_pages, (unsigned long)file->f_ra.ra_pages,
			    "the file's readahead size");
	arm_fault(ui, c, other);
	ret = model_do_io(file, c, RWF_UNCACHED, buf, &pos, &left);
	disarm_faults(ui);
	/* Writeback and reads still going on (the asynchronous kind) end first. */
	filemap_fdatawait_keep_errors(file->f_mapping);
	utfs_wait_reads(file);
	/* [R1] The same read, plain, from the same state: what it reads ahead. */
	if (c->op == MO_READ) {
		size_t plain_left;
		loff_t plain_pos;

		plain = model_file_before(test, c);
		arm_fault(utfs_file_inode(plain), c, NULL);
		model_do_io(plain, c, 0, utfs_kvzalloc(test, c->len), &plain_pos,
			    &plain_left);
		disarm_faults(utfs_file_inode(plain));
		utfs_wait_reads(plain);
	}

	KUNIT_EXPECT_EQ_MSG(test, r.ret, ret, "the result");
	KUNIT_EXPECT_EQ_MSG(test, r.ki_pos, pos, "ki_pos");
	KUNIT_EXPECT_EQ_MSG(test, r.iter_left, left, "left in the iov_iter");
	KUNIT_EXPECT_EQ_MSG(test, r.i_size, i_size_read(file_inode(file)), "i_size");
	if (c->op == MO_READ && ret > 0) {
		loff_t bad = first_difference(buf, c->pos, ret, c, &r, read_byte);

		KUNIT_EXPECT_EQ_MSG(test, -1LL, bad, "the data the read returned");
	}
	if (plain)
		expect_reads_as_plain(test, ui, utfs_file_inode(plain), &r);
	if (c->op == MO_WRITE)
		expect_writebacks(test, ui, c, &r);
	expect_folios_and_disk(test, file, plain, c, &r, page);
	KUNIT_EXPECT_EQ_MSG(test, r.fsync_writer, vfs_fsync(file, 0),
			    "fsync() of the I/O's file");
	KUNIT_EXPECT_EQ_MSG(test, r.fsync_other, vfs_fsync(other, 0),
			    "fsync() of another file");
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(file, 0));
	KUNIT_EXPECT_EQ(test, 0, vfs_fsync(other, 0));
	KUNIT_EXPECT_EQ_MSG(test, 0U, ui->stats.unstable_writes,
			    "folios changed under writeback (stable writes)");
	utfs_expect_settled(test, file, "after the I/O");
	/* [E1] Later writes do not report an error again. */
	KUNIT_EXPECT_EQ_MSG(test, (ssize_t)PAGE_SIZE,
			    utfs_pwrite(file, page, PAGE_SIZE,
					model_file.capacity - PAGE_SIZE, RWF_UNCACHED),
			    "a later uncached write");
	if (test->status == KUNIT_FAILURE)
		kunit_info(test, "run it alone: make SUITE=uncached_model MODEL_CASE=%s",
			   ((const struct model_param *)c)->name);
}

/*
 * A case for each path and kind of I/O, so that a glob picks a quarter of
 * the space (the mutants gate runs only the cases a mutant names).
 */
#define MODEL_CASES(name, path, op)					\
static const void *name##_gen(const void *prev, char *desc)		\
{									\
	return model_next(prev, desc, path, op);			\
}									\
static void name(struct kunit *test)					\
{									\
	model_generated(test);						\
}

MODEL_CASES(iomap_writes, UTFS_IOMAP, MO_WRITE)
MODEL_CASES(generic_writes, UTFS_GENERIC, MO_WRITE)
MODEL_CASES(iomap_reads, UTFS_IOMAP, MO_READ)
MODEL_CASES(generic_reads, UTFS_GENERIC, MO_READ)

static struct kunit_case uncached_model_cases[] = {
	KUNIT_CASE_PARAM(iomap_writes, iomap_writes_gen),
	KUNIT_CASE_PARAM(generic_writes, generic_writes_gen),
	KUNIT_CASE_PARAM(iomap_reads, iomap_reads_gen),
	KUNIT_CASE_PARAM(generic_reads, generic_reads_gen),
	{}
};

static struct kunit_suite uncached_model_suite = {
	.name = "uncached_model",
	.test_cases = uncached_model_cases,
	.suite_init = model_suite_init,
	.suite_exit = model_suite_exit,
};

kunit_test_suite(uncached_model_suite);
