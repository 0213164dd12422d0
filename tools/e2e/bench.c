// SPDX-License-Identifier: GPL-2.0
/*
 * e2e-bench: one measurement of the I/O benchmark, run inside the guest
 * by tools/e2e/init.sh for 'make bench'; prints CSV lines
 * "test,mode,request,metric,value".  MODE is buffered, uncached
 * (RWF_UNCACHED) or direct (O_DIRECT).
 *
 *   e2e-bench seq DIR MODE REQUEST SIZE
 *	write a new file of SIZE bytes sequentially in REQUEST-byte calls
 *	and fsync it, drop it from the cache, read it back the same way:
 *	MB/s, the guest's system CPU seconds (all of the kernel's work,
 *	writeback threads included), the file's pages cached after each
 *	pass (% of its size) and the guest's Cached: (MiB)
 *	(E2E_BENCH_FS=NAME in the environment: the tests are seqwrite-NAME
 *	and seqread-NAME)
 *   e2e-bench peak DIR MODE SIZE
 *	write SIZE bytes in ONE pwritev2() call (iovecs of 1 MiB over the
 *	same buffer), while a second thread samples the file's cached pages
 *	with cachestat(2): the peak, in MiB
 *   e2e-bench workset DIR MODE HOT SIZE
 *	read a HOT-byte file into the cache, then stream SIZE bytes through
 *	a new file, written then read in MODE: % of the hot file still
 *	cached after the write and after the read
 */
#include "e2e.h"

#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#define MiB	(1024UL * 1024)

static const char *mode;
static unsigned long short_ops;
static int direct, rwf;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The guest's system CPU time so far, in seconds (/proc/stat). */
static double system_cpu(void)
{
	unsigned long long user, nice, sys;
	FILE *f = fopen("/proc/stat", "r");

	if (!f || fscanf(f, "cpu %llu %llu %llu", &user, &nice, &sys) != 3)
		e2e_die("cannot read /proc/stat");
	fclose(f);
	return sys / (double)sysconf(_SC_CLK_TCK);
}

static long meminfo_cached_mib(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Cached: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb < 0 ? -1 : kb / 1024;
}

static double cached_pct(int fd, uint64_t size)
{
	return 100.0 * e2e_cachestat(fd, 0, size).nr_cache * E2E_PAGE / size;
}

static int open_file(const char *dir, const char *name, int flags)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, flags | (direct ? O_DIRECT : 0), 0644);
	if (fd < 0)
		e2e_die("open %s: %s", path, strerror(errno));
	return fd;
}

static void drop(int fd)
{
	if (fsync(fd) || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
		e2e_die("fsync or fadvise: %s", strerror(errno));
}

/* Stream size bytes through fd, in req-byte calls; the seconds it took. */
static double stream(int fd, int write, uint64_t size, uint64_t req)
{
	unsigned char *buf = e2e_alloc(req);
	double t0 = now();

	memset(buf, 0x5a, req);
	for (uint64_t off = 0; off < size;) {
		struct iovec iov = { buf, req };
		ssize_t ret = write ? pwritev2(fd, &iov, 1, off, rwf) :
				      preadv2(fd, &iov, 1, off, rwf);

		if (ret <= 0)
			e2e_die("%s at %llu: %s", write ? "pwritev2" : "preadv2",
				(unsigned long long)off, ret ? strerror(errno) : "end of file");
		/* a program carries on after a short transfer: so do we */
		off += ret;
		if (ret != (ssize_t)req)
			short_ops++;
	}
	if (write && fsync(fd))
		e2e_die("fsync: %s", strerror(errno));
	free(buf);
	return now() - t0;
}

/* One pass over fd: its throughput, CPU and the page cache it left. */
static void seq_pass(const char *test, int fd, int write, uint64_t size, uint64_t req)
{
	double sys0 = system_cpu(), t = stream(fd, write, size, req);

	printf("%s,%s,%lu,MB/s,%.1f\n", test, mode, req, size / t / 1e6);
	printf("%s,%s,%lu,system CPU s,%.2f\n", test, mode, req, system_cpu() - sys0);
	printf("%s,%s,%lu,file cached %%,%.2f\n", test, mode, req, cached_pct(fd, size));
	printf("%s,%s,%lu,Cached MiB,%ld\n", test, mode, req, meminfo_cached_mib());
}

static void seq(const char *dir, uint64_t req, uint64_t size)
{
	int fd = open_file(dir, "seq", O_RDWR | O_CREAT | O_TRUNC);
	const char *fs = getenv("E2E_BENCH_FS");
	char write_test[64], read_test[64];

	snprintf(write_test, sizeof(write_test), "seqwrite%s%s", fs ? "-" : "", fs ? fs : "");
	snprintf(read_test, sizeof(read_test), "seqread%s%s", fs ? "-" : "", fs ? fs : "");
	seq_pass(write_test, fd, 1, size, req);
	drop(fd);
	seq_pass(read_test, fd, 0, size, req);
	printf("seq,%s,%lu,short transfers,%lu\n", mode, req, short_ops);
	close(fd);
}

static struct {
	int fd;
	volatile int done;
	uint64_t peak;
} sampler;

static void *sample(void *arg)
{
	(void)arg;
	while (!sampler.done) {
		uint64_t n = e2e_cachestat(sampler.fd, 0, ~0ULL >> 1).nr_cache;

		if (n > sampler.peak)
			sampler.peak = n;
		usleep(1000);
	}
	return NULL;
}

static void peak(const char *dir, uint64_t size)
{
	int nr = (int)(size / MiB);
	struct iovec *iov = calloc(nr, sizeof(*iov));
	unsigned char *buf = e2e_alloc(MiB);
	pthread_t thread;
	ssize_t ret;

	if (!iov || nr < 1 || nr > IOV_MAX)
		e2e_die("peak: SIZE must be 1 to %d MiB", IOV_MAX);
	memset(buf, 0xa5, MiB);
	for (int i = 0; i < nr; i++)
		iov[i] = (struct iovec){ buf, MiB };
	sampler.fd = open_file(dir, "peak", O_RDWR | O_CREAT | O_TRUNC);
	if (pthread_create(&thread, NULL, sample, NULL))
		e2e_die("pthread_create");
	ret = pwritev2(sampler.fd, iov, nr, 0, rwf);
	sampler.done = 1;
	pthread_join(thread, NULL);
	if (ret != (ssize_t)size)
		e2e_die("one pwritev2() of %lu bytes returned %zd (%s)", size, ret,
			ret < 0 ? strerror(errno) : "short");
	printf("peak,%s,%lu,peak cached MiB,%.1f\n", mode, size,
	       sampler.peak * E2E_PAGE / (double)MiB);
	close(sampler.fd);
}

static void workset(const char *dir, uint64_t hot_size, uint64_t size)
{
	int saved = direct, hot, fd;
	unsigned char *buf = e2e_alloc(MiB);

	/* the hot file, buffered: cached after a write and a read */
	direct = 0;
	hot = open_file(dir, "hot", O_RDWR | O_CREAT);
	if (ftruncate(hot, 0))
		e2e_die("truncate: %s", strerror(errno));
	memset(buf, 0x3c, MiB);
	for (uint64_t off = 0; off < hot_size; off += MiB)
		e2e_pio(hot, 1, buf, MiB, off, 0);
	if (fsync(hot))
		e2e_die("fsync: %s", strerror(errno));
	for (uint64_t off = 0; off < hot_size; off += MiB)
		e2e_pio(hot, 0, buf, MiB, off, 0);
	direct = saved;
	printf("workset,%s,%lu,hot cached before %%,%.1f\n", mode, MiB, cached_pct(hot, hot_size));

	fd = open_file(dir, "stream", O_RDWR | O_CREAT | O_TRUNC);
	stream(fd, 1, size, MiB);
	printf("workset,%s,%lu,hot cached after write %%,%.1f\n", mode, MiB,
	       cached_pct(hot, hot_size));
	drop(fd);
	stream(fd, 0, size, MiB);
	printf("workset,%s,%lu,hot cached after read %%,%.1f\n", mode, MiB,
	       cached_pct(hot, hot_size));
	close(fd);
	close(hot);
	free(buf);
}

int main(int argc, char **argv)
{
	e2e_prog = "e2e-bench";
	if (argc < 4)
		e2e_die("usage: e2e-bench seq|peak|workset DIR MODE ...");
	mode = argv[3];
	if (!strcmp(mode, "uncached"))
		rwf = RWF_UNCACHED;
	else if (!strcmp(mode, "direct"))
		direct = 1;
	else if (strcmp(mode, "buffered"))
		e2e_die("unknown mode %s", mode);
	if (!strcmp(argv[1], "seq") && argc == 6)
		seq(argv[2], strtoull(argv[4], NULL, 0), strtoull(argv[5], NULL, 0));
	else if (!strcmp(argv[1], "peak") && argc == 5)
		peak(argv[2], strtoull(argv[4], NULL, 0));
	else if (!strcmp(argv[1], "workset") && argc == 6)
		workset(argv[2], strtoull(argv[4], NULL, 0), strtoull(argv[5], NULL, 0));
	else
		e2e_die("usage: e2e-bench seq|peak|workset DIR MODE ...");
	fflush(stdout);
	return 0;
}
