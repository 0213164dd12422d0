// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_plumbing: RWF_UNCACHED reaches the kiocb on files whose
 * filesystem opted in (FOP_UNCACHED), and fails with -EOPNOTSUPP, as
 * unknown flags do, everywhere else.
 */
#include <linux/crc32.h>
#include <linux/fadvise.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <kunit/test.h>

#include "testfs.h"

/* The uAPI value is fixed: tools (fio, xfs_io, fsx) use 0x80. */
static void uncached_flag_abi(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 0x80, (__force int)RWF_UNCACHED);
	KUNIT_EXPECT_TRUE(test, RWF_SUPPORTED & RWF_UNCACHED);
	KUNIT_EXPECT_EQ(test, (__force int)RWF_UNCACHED, IOCB_UNCACHED);
}

static int set_flags(struct file *file, rwf_t flags, int rw, int *ki_flags)
{
	struct kiocb kiocb;
	int ret;

	init_sync_kiocb(&kiocb, file);
	ret = kiocb_set_rw_flags(&kiocb, flags, rw);
	*ki_flags = kiocb.ki_flags;
	return ret;
}

static void uncached_sets_iocb_flag(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	int ki_flags;

	KUNIT_EXPECT_EQ(test, 0, set_flags(file, RWF_UNCACHED, WRITE,
					   &ki_flags));
	KUNIT_EXPECT_TRUE(test, ki_flags & IOCB_UNCACHED);
	KUNIT_EXPECT_FALSE(test, ki_flags & IOCB_DSYNC);

	KUNIT_EXPECT_EQ(test, 0, set_flags(file, RWF_UNCACHED, READ,
					   &ki_flags));
	KUNIT_EXPECT_TRUE(test, ki_flags & IOCB_UNCACHED);

	/* Without the flag, nothing uncached. */
	KUNIT_EXPECT_EQ(test, 0, set_flags(file, RWF_HIPRI, WRITE, &ki_flags));
	KUNIT_EXPECT_FALSE(test, ki_flags & IOCB_UNCACHED);
}

static void uncached_dsync_sets_both(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	int ki_flags;

	KUNIT_EXPECT_EQ(test, 0, set_flags(file, RWF_UNCACHED | RWF_DSYNC,
					   WRITE, &ki_flags));
	KUNIT_EXPECT_TRUE(test, ki_flags & IOCB_UNCACHED);
	KUNIT_EXPECT_TRUE(test, ki_flags & IOCB_DSYNC);
}

static void uncached_io_accepted(struct kunit *test, enum utfs_path path)
{
	struct file *file = utfs_new_file(test, path);
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	utfs_pattern(buf, PAGE_SIZE, 0, 1);
	KUNIT_EXPECT_EQ(test, (ssize_t)PAGE_SIZE,
			utfs_pwrite(file, buf, PAGE_SIZE, 0, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, (loff_t)PAGE_SIZE, i_size_read(file_inode(file)));
	UTFS_ASSERT_NOT_FORCED(test);
	KUNIT_EXPECT_EQ(test, (ssize_t)PAGE_SIZE,
			utfs_pread(file, buf, PAGE_SIZE, 0, RWF_UNCACHED));
}

static void uncached_accepted_iomap(struct kunit *test)
{
	uncached_io_accepted(test, UTFS_IOMAP);
}

static void uncached_accepted_generic(struct kunit *test)
{
	uncached_io_accepted(test, UTFS_GENERIC);
}

static void uncached_rejected_without_opt_in(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_NOT_OPTED_IN);
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	int ki_flags;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP,
			utfs_pwrite(file, buf, PAGE_SIZE, 0, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP,
			utfs_pread(file, buf, PAGE_SIZE, 0, RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP,
			set_flags(file, RWF_UNCACHED | RWF_DSYNC, WRITE,
				  &ki_flags));
	/* Nothing was written, nothing was cached. */
	KUNIT_EXPECT_EQ(test, 0, i_size_read(file_inode(file)));
	KUNIT_EXPECT_EQ(test, 0UL, file->f_mapping->nrpages);
	/* The same file still takes plain writes, and the other flags. */
	KUNIT_EXPECT_EQ(test, (ssize_t)PAGE_SIZE,
			utfs_pwrite(file, buf, PAGE_SIZE, 0, 0));
	KUNIT_EXPECT_EQ(test, (ssize_t)PAGE_SIZE,
			utfs_pwrite(file, buf, PAGE_SIZE, 0, RWF_DSYNC));
	KUNIT_EXPECT_EQ(test, (ssize_t)PAGE_SIZE,
			utfs_pread(file, buf, PAGE_SIZE, 0, RWF_HIPRI));
}

/* Opting in is per file_operations: the same inode, opened without it. */
static void uncached_rejected_per_file(struct kunit *test)
{
	struct file *opted = utfs_new_file(test, UTFS_IOMAP);
	struct file *other = utfs_reopen(test, opted, UTFS_NOT_OPTED_IN);
	int ki_flags;

	KUNIT_EXPECT_EQ(test, 0, set_flags(opted, RWF_UNCACHED, WRITE,
					   &ki_flags));
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP, set_flags(other, RWF_UNCACHED,
						     WRITE, &ki_flags));
}

static void unknown_flags_still_rejected(struct kunit *test)
{
	struct file *file = utfs_new_file(test, UTFS_IOMAP);
	rwf_t unknown = (__force rwf_t)((__force int)RWF_UNCACHED << 1);
	char buf[16] = {};
	int ki_flags;

	KUNIT_ASSERT_FALSE(test, RWF_SUPPORTED & unknown);
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP, set_flags(file, unknown, WRITE,
						     &ki_flags));
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP,
			set_flags(file, unknown | RWF_UNCACHED, WRITE,
				  &ki_flags));
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP,
			utfs_pwrite(file, buf, sizeof(buf), 0,
				    unknown | RWF_UNCACHED));
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP,
			utfs_pread(file, buf, sizeof(buf), 0, unknown));
	/* Other checks are unchanged: APPEND with NOAPPEND is -EINVAL. */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			set_flags(file, RWF_UNCACHED | RWF_APPEND |
				  RWF_NOAPPEND, WRITE, &ki_flags));
}

/* Plain read histories: where each call reads, and how much. */
struct plain_history {
	size_t req;
	unsigned int ra_pages;	/* UINT_MAX: the file's own */
	bool random;		/* slots in a scrambled order; else forward */
	bool fadv_random;	/* POSIX_FADV_RANDOM first */
};

static const struct plain_history plain_histories[] = {
	{ 100, UINT_MAX }, { PAGE_SIZE, UINT_MAX }, { 3 * PAGE_SIZE + 5, UINT_MAX },
	{ 16 * PAGE_SIZE, UINT_MAX }, { UTFS_MAX_SIZE, UINT_MAX },
	{ PAGE_SIZE, UINT_MAX, true }, { 4 * PAGE_SIZE, UINT_MAX, true },
	{ PAGE_SIZE, 0 }, { PAGE_SIZE, 2 * UTFS_MAX_BLOCKS },
	{ PAGE_SIZE, UINT_MAX, false, true },
};

/*
 * What plain reads read from the disk, as a digest of every ->readahead
 * call (offset, length) and every folio read, over histories of plain
 * reads: forward streams of several request sizes, random slots, no
 * readahead, a large one, POSIX_FADV_RANDOM.  Make bisect runs this
 * suite after each patch of the series, from the flag patch on (which
 * leaves the read path as the base kernel has it), and requires the same
 * digest after every one: no patch changes what a plain read reads.
 */
static void plain_readahead_digest(struct kunit *test)
{
	u8 *buf = kunit_kmalloc(test, UTFS_MAX_SIZE, GFP_KERNEL);
	u32 crc = 0;
	unsigned int h, i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (h = 0; h < ARRAY_SIZE(plain_histories); h++) {
		const struct plain_history *p = &plain_histories[h];
		struct file *file = utfs_new_file(test, UTFS_IOMAP);
		struct utfs_inode *ui = utfs_file_inode(file);
		unsigned int calls = DIV_ROUND_UP(UTFS_MAX_SIZE, p->req);

		utfs_fill_disk(ui, 0, utfs_pattern_buf(test, UTFS_MAX_SIZE, 0, 7),
			       UTFS_MAX_SIZE);
		utfs_reset_stats(ui);
		if (p->ra_pages != UINT_MAX)
			file->f_ra.ra_pages = p->ra_pages;
		if (p->fadv_random)
			KUNIT_ASSERT_EQ(test, 0,
					vfs_fadvise(file, 0, 0, POSIX_FADV_RANDOM));
		for (i = 0; i < calls; i++) {
			/* 7 is prime to the slot counts: a permutation. */
			loff_t pos = (loff_t)(p->random ? (i * 7 + 3) % calls : i) *
				     p->req;
			size_t len = min_t(size_t, p->req, UTFS_MAX_SIZE - pos);

			KUNIT_ASSERT_EQ(test, (ssize_t)len,
					utfs_pread(file, buf, len, pos, 0));
			KUNIT_EXPECT_MEMEQ(test, buf,
					   utfs_pattern_buf(test, len, pos, 7), len);
		}
		KUNIT_ASSERT_LT(test, ui->nr_events, UTFS_MAX_EVENTS);
		for (i = 0; i < ui->nr_events; i++) {
			const struct utfs_event *ev = &ui->events[i];
			u64 rec[2] = { ev->pos, ev->len };

			if (ev->type == UTFS_EV_READAHEAD)
				crc = crc32_le(crc, (u8 *)rec, sizeof(rec));
		}
		crc = crc32_le(crc, (u8 *)&ui->stats.folios_read,
			       sizeof(ui->stats.folios_read));
		KUNIT_EXPECT_GT(test, ui->stats.folios_read, 0U);
	}
	kunit_info(test, "plain readahead digest %08x", crc);
}

static struct kunit_case uncached_plumbing_cases[] = {
	KUNIT_CASE(plain_readahead_digest),
	KUNIT_CASE(uncached_flag_abi),
	KUNIT_CASE(uncached_sets_iocb_flag),
	KUNIT_CASE(uncached_dsync_sets_both),
	KUNIT_CASE(uncached_accepted_iomap),
	KUNIT_CASE(uncached_accepted_generic),
	KUNIT_CASE(uncached_rejected_without_opt_in),
	KUNIT_CASE(uncached_rejected_per_file),
	KUNIT_CASE(unknown_flags_still_rejected),
	{}
};

static struct kunit_suite uncached_plumbing_suite = {
	.name = "uncached_plumbing",
	.test_cases = uncached_plumbing_cases,
	UTFS_SUITE_OPS,
};

kunit_test_suite(uncached_plumbing_suite);
