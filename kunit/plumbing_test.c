// SPDX-License-Identifier: GPL-2.0
/*
 * uncached_plumbing: RWF_UNCACHED reaches the kiocb on files whose
 * filesystem opted in (FOP_UNCACHED), and fails with -EOPNOTSUPP, as
 * unknown flags do, everywhere else.
 */
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
	/* The same file still takes plain writes. */
	KUNIT_EXPECT_EQ(test, (ssize_t)PAGE_SIZE,
			utfs_pwrite(file, buf, PAGE_SIZE, 0, 0));
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

static struct kunit_case uncached_plumbing_cases[] = {
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
