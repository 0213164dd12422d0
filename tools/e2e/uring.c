// SPDX-License-Identifier: GPL-2.0
/*
 * e2e-uring: RWF_UNCACHED through io_uring, a real client of the flag
 * (Debian's liburing): IORING_OP_WRITE and IORING_OP_READ with the flag in
 * the SQE's rw_flags.
 *
 *   e2e-uring run DIR          writes and reads on DIR's filesystem
 *   e2e-uring unsupported DIR  a filesystem that did not opt in
 *
 * io_uring first issues a buffered write inline with IOCB_NOWAIT; an
 * uncached write with it fails with EAGAIN (the man text's [N1]), so
 * io_uring must retry it from an io-wq worker, which then shows as an
 * "iou-wrk-" thread of this process (on ext4, which takes no nonblocking
 * buffered write, io_uring sends it to io-wq at once).  For each shape (offsets 0 and
 * inside a page; a page, 1 MiB, and one 8 MiB chunk and a page) and each
 * submission (inline first, and IOSQE_ASYNC: io-wq at once), a write must
 * complete whole, leave nothing of the file cached ([W1]) and read back
 * right; an uncached read of the cold file must read right and leave
 * nothing cached ([R1]).  A plain pwritev2() with RWF_NOWAIT | RWF_UNCACHED
 * must fail with EAGAIN, which is what the inline attempt meets.
 *
 * Reads are served as buffered ones are ([N1]): the inline attempt starts
 * the readahead, marked, and the retry on the folio's waitqueue copies
 * the data, so an uncached read of the cold file, inline first, needs an
 * io-wq worker exactly when a plain read of it, cold, does.  (Before, the
 * uncached read failed both attempts with EAGAIN and always ran in io-wq.)
 */
#include "e2e.h"

#include <dirent.h>
#include <liburing.h>
#include <sys/wait.h>

#define CHUNK	(8UL << 20)

/* Whether this process has an io-wq worker ("iou-wrk-PID") thread. */
static int has_iowq_worker(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int found = 0;

	if (!d)
		e2e_die("/proc/self/task: %s", strerror(errno));
	while (!found && (e = readdir(d))) {
		char path[300], comm[32] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (f && fgets(comm, sizeof(comm), f))
			found = !strncmp(comm, "iou-wrk-", 8);
		if (f)
			fclose(f);
	}
	closedir(d);
	return found;
}

/* A new, empty file DIR/NAME, open for reading and writing; its path in path. */
static int open_new(const char *dir, const char *name, char *path, size_t size)
{
	int fd;

	snprintf(path, size, "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		e2e_die("open %s: %s", path, strerror(errno));
	return fd;
}

/*
 * One read or write through io_uring; its result, and in *worker whether
 * an io-wq worker of this process exists when it has completed.
 */
static int ring_rw(int fd, int write, void *buf, size_t len, off_t off,
		   int rw_flags, int async, int *worker)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_queue_init(4, &ring, 0);
	if (ret)
		e2e_die("io_uring_queue_init: %s", strerror(-ret));
	sqe = io_uring_get_sqe(&ring);
	if (write)
		io_uring_prep_write(sqe, fd, buf, len, off);
	else
		io_uring_prep_read(sqe, fd, buf, len, off);
	sqe->rw_flags = rw_flags;
	if (async)
		sqe->flags |= IOSQE_ASYNC;
	ret = io_uring_submit(&ring);
	if (ret != 1)
		e2e_die("io_uring_submit: %d", ret);
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret)
		e2e_die("io_uring_wait_cqe: %s", strerror(-ret));
	ret = cqe->res;
	*worker = has_iowq_worker();
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	return ret;
}

/*
 * ring_rw() in a child of its own, which has no io-wq worker before: its
 * result must be @len, and a read's data @tag's; returns whether an io-wq
 * worker ran it.
 */
static int ring_child(const char *path, int fd, int write, unsigned char *buf,
		      size_t len, off_t off, int rw_flags, int async, unsigned int tag)
{
	const char *how = async ? "IOSQE_ASYNC" : "inline first";
	int ret, worker, status;
	pid_t child = fork();

	if (child < 0)
		e2e_die("fork: %s", strerror(errno));
	if (!child) {
		/* A read that copies nothing must not find the write's data. */
		if (!write)
			memset(buf, 0, len);
		ret = ring_rw(fd, write, buf, len, off, rw_flags, async, &worker);
		if (ret != (int)len)
			e2e_die("%s: %s %s of %zu at %lld (%s) returned %d", path,
				rw_flags ? "uncached" : "plain", write ? "write" : "read",
				len, (long long)off, how, ret);
		if (!write && e2e_mismatch(buf, len, tag, off) >= 0)
			e2e_die("%s: byte %lld read back wrong (%s)", path,
				e2e_mismatch(buf, len, tag, off), how);
		exit(worker ? 2 : 0);
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 2))
		exit(1);
	return WEXITSTATUS(status) == 2;
}

static void one(const char *dir, off_t off, size_t len, int async, unsigned int tag)
{
	const char *how = async ? "IOSQE_ASYNC" : "inline first";
	unsigned char *buf = e2e_alloc(len);
	struct e2e_cachestat cs;
	int fd, worker, plain_worker;
	char path[4096], name[32];

	snprintf(name, sizeof(name), "uring-%u", tag);
	fd = open_new(dir, name, path, sizeof(path));
	e2e_fill(buf, len, tag, off);
	/* A worker ran the write, after the inline attempt's EAGAIN. */
	if (!ring_child(path, fd, 1, buf, len, off, RWF_UNCACHED, async, tag))
		e2e_die("%s: no io-wq worker ran the write (%s): the inline IOCB_NOWAIT attempt succeeded",
			path, how);
	cs = e2e_cachestat(fd, 0, 0);
	if (cs.nr_cache)
		e2e_die("%s: %llu pages cached after an uncached write (%s)", path,
			(unsigned long long)cs.nr_cache, how);

	/* The cold file, read uncached: its data, and nothing left cached. */
	worker = ring_child(path, fd, 0, buf, len, off, RWF_UNCACHED, async, tag);
	cs = e2e_cachestat(fd, 0, 0);
	if (cs.nr_cache)
		e2e_die("%s: %llu pages cached after an uncached read (%s)", path,
			(unsigned long long)cs.nr_cache, how);
	/* And plain, from the same cold file: the same need of a worker. */
	plain_worker = ring_child(path, fd, 0, buf, len, off, 0, async, tag);
	if (!async && worker != plain_worker)
		e2e_die("%s: an uncached io_uring read of %zu at %lld %s an io-wq worker, a plain read %s",
			path, len, (long long)off, worker ? "needed" : "did not need",
			plain_worker ? "did" : "did not");
	close(fd);
	unlink(path);
	free(buf);
	printf("ok: io_uring %s, %zu bytes at %lld: written, read back, nothing cached%s\n",
	       how, len, (long long)off,
	       async ? "" : worker ? "; both reads in io-wq" : "; both reads without io-wq");
}

static void run(const char *dir)
{
	static const off_t offs[] = { 0, 100 };
	static const size_t lens[] = { E2E_PAGE, 1UL << 20, CHUNK + E2E_PAGE };
	unsigned char *buf = e2e_alloc(E2E_PAGE);
	unsigned int tag = 1;
	int fd, plain, want;
	char path[4096];

	/*
	 * What the inline attempt meets: EAGAIN ([N1]), or EOPNOTSUPP where
	 * the filesystem takes no nonblocking buffered write at all (ext4),
	 * as a plain one gets there (past EOF: the plain one may not
	 * succeed either).
	 */
	fd = open_new(dir, "uring-nowait", path, sizeof(path));
	e2e_fill(buf, E2E_PAGE, 0, 0);
	if (pwritev2(fd, &(struct iovec){ buf, E2E_PAGE }, 1, 0, RWF_NOWAIT) >= 0)
		plain = 0;
	else
		plain = errno;
	if (ftruncate(fd, 0))
		e2e_die("ftruncate %s: %s", path, strerror(errno));
	want = plain == EOPNOTSUPP ? EOPNOTSUPP : EAGAIN;
	if (pwritev2(fd, &(struct iovec){ buf, E2E_PAGE }, 1, 0, RWF_UNCACHED | RWF_NOWAIT) >= 0 ||
	    errno != want)
		e2e_die("%s: pwritev2(RWF_UNCACHED | RWF_NOWAIT) did not fail with %s (a plain RWF_NOWAIT write: %s)",
			path, strerror(want), plain ? strerror(plain) : "written");
	printf("ok: %s: RWF_UNCACHED | RWF_NOWAIT fails with %s\n", dir, strerror(want));
	close(fd);
	unlink(path);
	free(buf);

	for (size_t o = 0; o < ARRAY_SIZE(offs); o++)
		for (size_t l = 0; l < ARRAY_SIZE(lens); l++)
			for (int async = 0; async < 2; async++)
				one(dir, offs[o], lens[l], async, tag++);
}

static void check_unsupported(const char *dir)
{
	unsigned char *buf = e2e_alloc(E2E_PAGE);
	int fd, ret, worker;
	char path[4096];

	fd = open_new(dir, "uring-unsupported", path, sizeof(path));
	ret = ring_rw(fd, 1, buf, E2E_PAGE, 0, RWF_UNCACHED, 0, &worker);
	if (ret != -EOPNOTSUPP)
		e2e_die("%s: an uncached io_uring write returned %d, not -EOPNOTSUPP", path, ret);
	close(fd);
	unlink(path);
	free(buf);
	printf("ok: io_uring on %s: -EOPNOTSUPP\n", dir);
}

int main(int argc, char **argv)
{
	e2e_prog = "e2e-uring";
	if (argc == 3 && !strcmp(argv[1], "run"))
		run(argv[2]);
	else if (argc == 3 && !strcmp(argv[1], "unsupported"))
		check_unsupported(argv[2]);
	else
		e2e_die("usage: e2e-uring run|unsupported DIR");
	return 0;
}
