// SPDX-License-Identifier: GPL-2.0
/*
 * e2e-fsx: a verifying random-I/O exerciser for one file, in the spirit
 * of fsx: a seeded sequence of buffered, uncached (RWF_UNCACHED) and
 * O_DIRECT reads and writes, mmap reads and writes, truncate up and down,
 * fallocate punch and zero ranges, and fsync, checked against a model of
 * the file after every read and operation (the size) and at the end.
 *
 *   e2e-fsx [-s SEED] [-n OPS] [-m MAXSIZE] [-l MAXLEN] [-p PROCS] [-x OP] FILE
 *
 * -x OP is the exerciser's self-test: after operation OP it changes one
 * byte of the file behind the model's back, and the run must then fail.
 *
 * With -p, PROCS processes share the file, each in its own stripe of it.
 * The stripes' borders are not page aligned, so that neighbours write to
 * the same folios; the file's size is fixed (no truncate) and each
 * process checks its stripe after every read, the parent the whole file
 * when they are done.  On a mismatch: the seed, the operation number and
 * the last operations, and exit status 1.
 */
#include "e2e.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

enum op { READ, UREAD, DREAD, MREAD, WRITE, UWRITE, DWRITE, MWRITE,
	  TRUNCATE, PUNCH, ZERO, FSYNC, NR_OPS };
static const char *const op_names[NR_OPS] = {
	"read", "uncached read", "direct read", "mmap read",
	"write", "uncached write", "direct write", "mmap write",
	"truncate", "punch hole", "zero range", "fsync",
};

/* How often each operation is picked, in NR_OPS order. */
static const int op_weight[NR_OPS] = { 8, 12, 5, 5, 8, 16, 5, 5, 3, 3, 3, 2 };

#define HISTORY	16

struct logged_op {
	long nr;
	enum op op;
	uint64_t off, len, size;
};

static struct {
	const char *file;
	uint64_t seed, nr_ops, maxsize, maxlen, corrupt_at;
	int procs;
	/* the model: shared with the children in -p mode */
	unsigned char *good;
	uint64_t size;
	/* this process's stripe */
	uint64_t lo, hi;
	int fd, dfd;
	uint64_t rng;
	long nr;
	struct logged_op history[HISTORY];
	unsigned char *buf;
} s;

static uint64_t rnd(void)
{
	/* xorshift64* */
	s.rng ^= s.rng >> 12;
	s.rng ^= s.rng << 25;
	s.rng ^= s.rng >> 27;
	return s.rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void show_history(void)
{
	fprintf(stderr, "e2e-fsx: seed %llu, operation %ld; the last operations:\n",
		(unsigned long long)s.seed, s.nr);
	for (long i = s.nr - HISTORY + 1; i <= s.nr; i++) {
		struct logged_op *o = &s.history[(i % HISTORY + HISTORY) % HISTORY];

		if (i < 1 || o->nr != i)
			continue;
		fprintf(stderr, "  %6ld %-14s off %#9llx len %#8llx  (size %#llx)\n",
			o->nr, op_names[o->op], (unsigned long long)o->off,
			(unsigned long long)o->len, (unsigned long long)o->size);
	}
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "e2e-fsx: FAIL (pid %d): ", getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	show_history();
	exit(1);
}

static void check_bytes(const unsigned char *got, uint64_t off, uint64_t len, const char *what)
{
	for (uint64_t i = 0; i < len; i++) {
		if (got[i] == s.good[off + i])
			continue;
		fail("%s: byte %#llx is %#x, the model says %#x (%llu bytes from %#llx)",
		     what, (unsigned long long)(off + i), got[i], s.good[off + i],
		     (unsigned long long)len, (unsigned long long)off);
	}
}

static void check_size(void)
{
	struct stat st;

	if (fstat(s.fd, &st))
		fail("fstat: %s", strerror(errno));
	if ((uint64_t)st.st_size != s.size)
		fail("the file's size is %#llx, the model says %#llx",
		     (unsigned long long)st.st_size, (unsigned long long)s.size);
}

/* A range in the stripe; aligned to the block size for O_DIRECT. */
static void pick_range(uint64_t *off, uint64_t *len, int direct)
{
	uint64_t lo = s.lo, hi = s.hi;

	if (direct) {
		lo = (lo + E2E_PAGE - 1) & ~(E2E_PAGE - 1);
		hi &= ~(E2E_PAGE - 1);
	}
	*off = lo + rnd_below(hi - lo);
	*len = 1 + rnd_below(s.maxlen);
	if (*off + *len > hi)
		*len = hi - *off;
	if (direct) {
		*off &= ~(E2E_PAGE - 1);
		*len = (*len + E2E_PAGE - 1) & ~(E2E_PAGE - 1);
		if (*off + *len > hi)
			*len = hi - *off;
	}
}

static void do_read(enum op op, uint64_t off, uint64_t len)
{
	int direct = op == DREAD;
	uint64_t want = off >= s.size ? 0 : (len < s.size - off ? len : s.size - off);
	struct iovec iov = { s.buf, len };
	ssize_t ret;

	ret = preadv2(direct ? s.dfd : s.fd, &iov, 1, off, op == UREAD ? RWF_UNCACHED : 0);
	if (ret < 0)
		fail("%s: %s", op_names[op], strerror(errno));
	if ((uint64_t)ret != want)
		fail("%s returned %zd bytes, expected %llu", op_names[op], ret,
		     (unsigned long long)want);
	check_bytes(s.buf, off, want, op_names[op]);
}

static void do_write(enum op op, uint64_t off, uint64_t len)
{
	struct iovec iov = { s.buf, len };
	ssize_t ret;

	e2e_fill(s.buf, len, (unsigned int)s.nr, off);
	ret = pwritev2(op == DWRITE ? s.dfd : s.fd, &iov, 1, off, op == UWRITE ? RWF_UNCACHED : 0);
	if (ret < 0)
		fail("%s: %s", op_names[op], strerror(errno));
	if ((uint64_t)ret != len)
		fail("%s wrote %zd bytes of %llu", op_names[op], ret, (unsigned long long)len);
	memcpy(s.good + off, s.buf, len);
	if (off + len > s.size)
		s.size = off + len;
}

static void do_mmap(enum op op, uint64_t off, uint64_t len)
{
	int write = op == MWRITE;
	unsigned char *map;

	if (off >= s.size)
		return;
	if (len > s.size - off)
		len = s.size - off;
	map = mmap(NULL, s.size, write ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, s.fd, 0);
	if (map == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	if (write) {
		e2e_fill(map + off, len, (unsigned int)s.nr, off);
		memcpy(s.good + off, map + off, len);
	} else {
		check_bytes(map + off, off, len, op_names[op]);
	}
	if (munmap(map, s.size))
		fail("munmap: %s", strerror(errno));
}

static void do_truncate(uint64_t size)
{
	if (ftruncate(s.fd, size))
		fail("truncate: %s", strerror(errno));
	if (size < s.size)
		memset(s.good + size, 0, s.size - size);
	s.size = size;
}

static void do_fallocate(enum op op, uint64_t off, uint64_t len, int keep_size)
{
	int mode = op == PUNCH ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE : FALLOC_FL_ZERO_RANGE;

	if (op == PUNCH) {
		/* within the file: punching beyond it does nothing */
		if (off >= s.size)
			return;
		if (len > s.size - off)
			len = s.size - off;
	}
	if (keep_size)
		mode |= FALLOC_FL_KEEP_SIZE;
	if (fallocate(s.fd, mode, off, len))
		fail("%s: %s", op_names[op], strerror(errno));
	if (off < s.size)
		memset(s.good + off, 0, (off + len < s.size ? off + len : s.size) - off);
	if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > s.size)
		s.size = off + len;
}

static enum op pick_op(void)
{
	int total = 0, r;

	for (int i = 0; i < NR_OPS; i++)
		total += op_weight[i];
	for (;;) {
		r = (int)rnd_below(total);
		for (int i = 0; i < NR_OPS; i++) {
			if (r < op_weight[i]) {
				/* a shared file keeps its size */
				if (s.procs > 1 && i == TRUNCATE)
					break;
				return i;
			}
			r -= op_weight[i];
		}
	}
}

/* The whole stripe against the model, with a plain read. */
static void check_all(const char *when)
{
	uint64_t off, len;
	ssize_t ret;

	for (off = s.lo; off < s.hi && off < s.size; off += len) {
		len = s.hi - off < s.maxlen ? s.hi - off : s.maxlen;
		if (len > s.size - off)
			len = s.size - off;
		ret = pread(s.fd, s.buf, len, off);
		if (ret != (ssize_t)len)
			fail("%s: read of %llu bytes at %#llx returned %zd", when,
			     (unsigned long long)len, (unsigned long long)off, ret);
		check_bytes(s.buf, off, len, when);
	}
}

static void check_all(const char *when);

/* The self-test: a byte in the middle of the stripe, not in the model. */
static void corrupt(void)
{
	uint64_t off = s.lo + ((s.size < s.hi ? s.size : s.hi) - s.lo) / 2;
	unsigned char c = s.good[off] ^ 0x80;

	if (pwrite(s.fd, &c, 1, off) != 1)
		fail("self-test write: %s", strerror(errno));
	printf("e2e-fsx: self-test: byte %#llx changed behind the model's back\n",
	       (unsigned long long)off);
	fflush(stdout);
	check_all("self-test check");
}

static void exercise(void)
{
	enum op op;
	uint64_t off, len;

	s.fd = open(s.file, O_RDWR);
	s.dfd = open(s.file, O_RDWR | O_DIRECT);
	if (s.fd < 0 || s.dfd < 0)
		fail("open %s: %s", s.file, strerror(errno));
	s.buf = e2e_alloc(s.maxlen + E2E_PAGE);
	for (s.nr = 1; s.nr <= (long)s.nr_ops; s.nr++) {
		op = pick_op();
		pick_range(&off, &len, op == DREAD || op == DWRITE);
		if (op == TRUNCATE)
			off = rnd_below(s.maxsize + 1), len = 0;
		s.history[s.nr % HISTORY] = (struct logged_op){ s.nr, op, off, len, s.size };
		switch (op) {
		case READ: case UREAD: case DREAD:
			do_read(op, off, len);
			break;
		case WRITE: case UWRITE: case DWRITE:
			do_write(op, off, len);
			break;
		case MREAD: case MWRITE:
			do_mmap(op, off, len);
			break;
		case TRUNCATE:
			do_truncate(off);
			break;
		case PUNCH: case ZERO:
			do_fallocate(op, off, len, s.procs > 1 || (rnd() & 1));
			break;
		case FSYNC:
			if (fsync(s.fd))
				fail("fsync: %s", strerror(errno));
			break;
		case NR_OPS:
			break;
		}
		if ((uint64_t)s.nr == s.corrupt_at && s.size > s.lo)
			corrupt();
		if (s.procs == 1)
			check_size();
		if (s.nr % 1000 == 0)
			check_all("periodic check");
	}
	s.nr--;
	check_all("final check");
	close(s.dfd);
	close(s.fd);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double t0;
	int c, fd, failed = 0;

	e2e_prog = "e2e-fsx";
	s.seed = 1;
	s.nr_ops = 10000;
	s.maxsize = 4 << 20;
	s.maxlen = 256 << 10;
	s.procs = 1;
	while ((c = getopt(argc, argv, "s:n:m:l:p:x:")) != -1) {
		switch (c) {
		case 's':
			s.seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			s.nr_ops = strtoull(optarg, NULL, 0);
			break;
		case 'm':
			s.maxsize = strtoull(optarg, NULL, 0);
			break;
		case 'l':
			s.maxlen = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			s.procs = atoi(optarg);
			break;
		case 'x':
			s.corrupt_at = strtoull(optarg, NULL, 0);
			break;
		default:
			e2e_die("usage: e2e-fsx [-s SEED] [-n OPS] [-m MAXSIZE] [-l MAXLEN] [-p PROCS] [-x OP] FILE");
		}
	}
	if (optind + 1 != argc || s.procs < 1 || s.procs > 16 || s.maxsize < 64 * E2E_PAGE ||
	    s.maxlen < 1 || s.maxlen > s.maxsize / s.procs / 2)
		e2e_die("usage: e2e-fsx [-s SEED] [-n OPS] [-m MAXSIZE >= 256K] [-l MAXLEN] [-p PROCS 1-16] FILE");
	s.file = argv[optind];
	s.good = mmap(NULL, s.maxsize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s.good == MAP_FAILED)
		e2e_die("mmap of the model: %s", strerror(errno));
	fd = open(s.file, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || (s.procs > 1 && ftruncate(fd, s.maxsize)))
		e2e_die("create %s: %s", s.file, strerror(errno));
	close(fd);
	printf("e2e-fsx: %s, seed %llu, %llu operations, %d process%s, file up to %llu bytes\n",
	       s.file, (unsigned long long)s.seed, (unsigned long long)s.nr_ops, s.procs,
	       s.procs > 1 ? "es" : "", (unsigned long long)s.maxsize);
	fflush(stdout);

	t0 = now();
	if (s.procs == 1) {
		s.rng = s.seed * 0x9e3779b97f4a7c15ULL + 1;
		s.lo = 0;
		s.hi = s.maxsize;
		exercise();
	} else {
		s.size = s.maxsize;
		for (int i = 0; i < s.procs; i++) {
			pid_t pid = fork();

			if (pid < 0)
				e2e_die("fork: %s", strerror(errno));
			if (pid)
				continue;
			/* stripe borders one and a half blocks past a page */
			s.lo = i ? i * (s.maxsize / s.procs) + 1536 : 0;
			s.hi = i + 1 < s.procs ? (i + 1) * (s.maxsize / s.procs) + 1536 : s.maxsize;
			s.rng = (s.seed + i) * 0x9e3779b97f4a7c15ULL + 1;
			exercise();
			exit(0);
		}
		for (int i = 0; i < s.procs; i++) {
			int status;

			if (wait(&status) < 0)
				e2e_die("wait: %s", strerror(errno));
			if (!WIFEXITED(status) || WEXITSTATUS(status))
				failed = 1;
		}
		if (failed)
			e2e_die("seed %llu: a process failed (above)", (unsigned long long)s.seed);
		/* the whole file, now that everyone is done */
		s.lo = 0;
		s.hi = s.maxsize;
		s.fd = open(s.file, O_RDONLY);
		s.buf = e2e_alloc(s.maxlen);
		check_size();
		check_all("final check of the shared file");
	}
	printf("e2e-fsx: %s: %llu operations in %.1f s, %.0f operations/s, no mismatch\n",
	       s.file, (unsigned long long)(s.nr_ops * s.procs), now() - t0,
	       s.nr_ops * s.procs / (now() - t0));
	return 0;
}
