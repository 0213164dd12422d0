#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tool tests: the static rule kunit-actions (tools/rules/kunit-actions.py,
# run by tools/rules.sh) on our suites: whatever a case starts or changes
# is undone by a KUnit action registered before anything can end the
# case.  Every line of kunit/ is judged, not only the lines a change adds.
. "$(dirname "$0")/lib.sh"

if ! command -v spatch >/dev/null; then
	echo "skip - kunit rules tests: no spatch (make deps installs coccinelle)"
	finish
	exit
fi
new_sandbox k
K=$T/kunit
rules() { env TREE="$TREE" "$T/tools/rules.sh"; }

check "kunit rules: suites with nothing to undo have no report" rules

# The model's case buffer: freed at the end of the case only.
cat >"$K/model_test.c" <<'C'
static void model_generated(struct kunit *test)
{
	u8 *page = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	u8 *buf = kvmalloc(len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	kvfree(buf);
}
C
check_fails "kunit rules: a buffer an assertion can leak is reported" rules
check "kunit rules: names the rule, the file and the line" \
	grep -q '^rule.kunit-actions kunit/model_test.c:4: allocation (kvmalloc) with no KUnit action' "$WORK/out"
cat >"$K/model_test.c" <<'C'
static void model_generated(struct kunit *test)
{
	u8 *buf = kvmalloc(len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, utfs_kvfree, buf));
	KUNIT_ASSERT_EQ(test, 0, model_run(buf));
}
C
check "kunit rules: freed by an action registered first (its own check between), not reported" rules

# The race suite's held writeback: the cases's thread waits for it.
cat >"$K/race_test.c" <<'C'
static void uncached_write_vs_mmap(struct kunit *test)
{
	ui->faults.async_writeback = true;
	ui->faults.hold_writeback = true;
	task = race_start(test, race_half_page_writer_fn, &w->r);
	race_release_and_join(test, ui, &w->r, 1);
}
C
check_fails "kunit rules: writeback held across a call that can end the case is reported" rules
check "kunit rules: names the hold" grep -q '^rule.kunit-actions kunit/race_test.c:4: hold (held writeback)' "$WORK/out"
sed -i 's/^\tui->faults.hold_writeback = true;$/&\n\tKUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, release_all, ui));/' "$K/race_test.c"
check "kunit rules: its release registered right after it, not reported" rules

# A thread, a lock, a global setting; a helper's side effect.
cat >"$K/race_test.c" <<'C'
static int iterations;

static void thread_case(struct kunit *test)
{
	struct task_struct *task = kthread_create(fn, r, "x");

	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	get_task_struct(task);
	KUNIT_ASSERT_EQ(test, 0, prepare(test));
	iterations = 3;
	KUNIT_ASSERT_TRUE(test, ready);
	mutex_lock(&big_lock);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, stop, task));
	mutex_unlock(&big_lock);
}

static int thread_fn(void *data)
{
	iterations = 4;
	return kmalloc(1, GFP_KERNEL) != NULL;
}
C
check_fails "kunit rules: a thread, a global change and a lock before the action are reported" rules
check "kunit rules: the thread, the global and the lock, each once" bash -c "
	grep -q 'race_test.c:5: thread (kthread_create)' '$WORK/out' &&
	grep -q 'race_test.c:10: global change (iterations)' '$WORK/out' &&
	grep -q 'race_test.c:12: lock (mutex_lock) with no unlock' '$WORK/out' &&
	[ \$(grep -c '^rule.kunit-actions' '$WORK/out') -eq 3 ]"
sed -i '/prepare(test)/d; /(test, ready)/d; s/^\tmutex_lock(&big_lock);$/\tKUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, restore, NULL));\n&/; s/^\tKUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, stop, task));$/\tmutex_unlock(\&big_lock);\n&\n\tmutex_lock(\&big_lock);/' "$K/race_test.c"
check "kunit rules: each undone before the case can end, not reported" rules
rm "$K/race_test.c"
cat >"$K/helpers.c" <<'C'
void utfs_precache(struct kunit *test, struct file *file)
{
	ui->faults.async_writeback = true;
	KUNIT_ASSERT_EQ(test, 0, filemap_fdatawrite(file->f_mapping));
}

static struct file *utfs_create(struct kunit *test)
{
	/* Owned by the inode: its free_inode frees them. */
	ui->disk = vzalloc(size);
	ui->extent = kvcalloc(nr, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, inode);
}
C
check_fails "kunit rules: a helper that leaves a fault switch on for its caller is reported" rules
check "kunit rules: what an object owns (said so) is not reported" \
	bash -c "grep -q 'helpers.c:3: hold (fault switch async_writeback)' '$WORK/out' && ! grep -q 'helpers.c:1[01]:' '$WORK/out'"
sed -i 's/^\tui->faults.async_writeback = true;$/&\n\tKUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, sync_wb, ui));/' "$K/helpers.c"
check "kunit rules: undone by an action, not reported" rules

finish
