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
 *
 * What the I/O does to everybody else (each write call timed; a write's
 * time is the call's, the final fsync() counts only in MB/s):
 *   e2e-bench latency DIR MODE REQUEST SIZE
 *	one sequential writer of a new file: the 50th, 99th and 99.9th
 *	percentile and the longest of its calls, and the peak of the guest's
 *	Dirty: + Writeback: (sampled every millisecond), in MiB
 *   e2e-bench writers DIR MODE NR SIZE
 *	NR writers at once, one new file each, SIZE bytes in all in 1 MiB
 *	calls: aggregate MB/s (test writers-NR)
 *   e2e-bench samefile DIR MODE SIZE
 *	a buffered reader re-reads, in 64 KiB calls one after the other, a
 *	cached 16 MiB region of a file while one writer in MODE streams SIZE
 *	bytes into the rest of it: the reader's 50th and 99th percentile, the
 *	writer's MB/s
 *   e2e-bench twowriters DIR MODE SIZE
 *	two writers in MODE of one new file, each into its half: aggregate
 *	MB/s and the 99th percentile of their calls
 *
 * Reads where they meet (a SIZE-byte file written and dropped first):
 *   e2e-bench random DIR MODE SIZE
 *	RANDOM_READS reads of 4 KiB at pseudo-random offsets of the cold
 *	file (the same sequence in every mode): KiB read from the device per
 *	call (the block device's stat), IOPS, the 50th and 99th percentile,
 *	and the file's pages cached after (% of its size)
 *   e2e-bench uring DIR MODE SIZE
 *	io_uring at queue depth 8 on one descriptor: the cold file read
 *	sequentially in 128 KiB reads (MB/s), then RANDOM_READS reads of
 *	4 KiB at random (IOPS); the file's pages cached after each (%)
 */
#include "e2e.h"

#include <limits.h>
#include <liburing.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#define MiB	(1024UL * 1024)
#define RANDOM_READS	4096
#define URING_DEPTH	8
#define SCENARIOS	"seq|peak|workset|latency|writers|samefile|twowriters|random|uring"

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

/* A /proc/meminfo field (KEY with its colon), in kB. */
static long meminfo_kb(const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (kb < 0 && f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n))
			kb = strtol(line + n, NULL, 10);
	if (!f || kb < 0)
		e2e_die("no %s in /proc/meminfo", key);
	fclose(f);
	return kb;
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

/*
 * The kernel's own profile (CONFIG_PROFILING, booted with profile=N: the
 * timer tick's samples of the kernel's addresses, /proc/profile: a word
 * of the sample step, then a counter per step of kernel text), for 'make
 * profile': with E2E_PROFILE=DIR, each pass's samples are added into
 * DIR/TEST,MODE,REQUEST, a file in /proc/profile's format for readprofile.
 */
static unsigned int *profile_read(size_t *words)
{
	size_t size = 0, cap = 1 << 20;
	unsigned int *buf = malloc(cap);
	int fd = open("/proc/profile", O_RDONLY);
	ssize_t ret;

	if (fd < 0 || !buf)
		e2e_die("/proc/profile: %s (boot with profile=2)", strerror(errno));
	while ((ret = read(fd, (char *)buf + size, cap - size)) > 0) {
		size += ret;
		if (size < cap)
			continue;
		cap *= 2;
		buf = realloc(buf, cap);
		if (!buf)
			e2e_die("out of memory");
	}
	if (ret < 0)
		e2e_die("/proc/profile: %s", strerror(errno));
	close(fd);
	*words = size / sizeof(*buf);
	return buf;
}

static void profile_add(const char *test, uint64_t req, unsigned int *before,
			size_t words)
{
	const char *dir = getenv("E2E_PROFILE");
	size_t now_words, i;
	unsigned int *after = profile_read(&now_words), *sum;
	char path[4096];
	FILE *f;

	if (now_words != words)
		e2e_die("/proc/profile changed size");
	sum = calloc(words, sizeof(*sum));
	snprintf(path, sizeof(path), "%s/%s,%s,%lu", dir, test, mode, (unsigned long)req);
	f = fopen(path, "r");
	if (f && fread(sum, sizeof(*sum), words, f) != words)
		e2e_die("%s: not a profile of this kernel", path);
	if (f)
		fclose(f);
	sum[0] = after[0];	/* the sample step */
	for (i = 1; i < words; i++)
		sum[i] += after[i] - before[i];
	f = fopen(path, "w");
	if (!f || fwrite(sum, sizeof(*sum), words, f) != words || fclose(f))
		e2e_die("%s: %s", path, strerror(errno));
	free(sum);
	free(after);
	free(before);
}

/* One pass over fd: its throughput, CPU and the page cache it left. */
static void seq_pass(const char *test, int fd, int write, uint64_t size, uint64_t req)
{
	size_t words = 0;
	unsigned int *prof = getenv("E2E_PROFILE") ? profile_read(&words) : NULL;
	double sys0 = system_cpu(), t = stream(fd, write, size, req);

	printf("%s,%s,%lu,MB/s,%.1f\n", test, mode, req, size / t / 1e6);
	printf("%s,%s,%lu,system CPU s,%.2f\n", test, mode, req, system_cpu() - sys0);
	printf("%s,%s,%lu,file cached %%,%.2f\n", test, mode, req, cached_pct(fd, size));
	printf("%s,%s,%lu,Cached MiB,%ld\n", test, mode, req, meminfo_kb("Cached:") / 1024);
	if (prof)
		profile_add(test, req, prof, words);
}

static void run_seq(const char *dir, uint64_t req, uint64_t size)
{
	int fd = open_file(dir, "seq", O_RDWR | O_CREAT | O_TRUNC);
	const char *fs = getenv("E2E_BENCH_FS");
	char write_test[64], read_test[64];

	snprintf(write_test, sizeof(write_test), "seqwrite%s%s", fs ? "-" : "", fs ? fs : "");
	snprintf(read_test, sizeof(read_test), "seqread%s%s", fs ? "-" : "", fs ? fs : "");
	seq_pass(write_test, fd, 1, size, req);
	e2e_drop_cache(fd);
	seq_pass(read_test, fd, 0, size, req);
	printf("seq%s%s,%s,%lu,short transfers,%lu\n", fs ? "-" : "", fs ? fs : "", mode, req,
	       short_ops);
	close(fd);
}

/* A thread that samples PROBE every millisecond and keeps the peak. */
static struct {
	int fd;
	double (*probe)(void);
	atomic_int done;
	double peak;
	pthread_t thread;
} sampler;

static void *sample(void *arg)
{
	(void)arg;
	while (!atomic_load(&sampler.done)) {
		double v = sampler.probe();

		if (v > sampler.peak)
			sampler.peak = v;
		usleep(1000);
	}
	return NULL;
}

static void sampler_start(double (*probe)(void))
{
	sampler.probe = probe;
	atomic_store(&sampler.done, 0);
	sampler.peak = 0;
	if (pthread_create(&sampler.thread, NULL, sample, NULL))
		e2e_die("pthread_create");
}

static double sampler_stop(void)
{
	atomic_store(&sampler.done, 1);
	pthread_join(sampler.thread, NULL);
	return sampler.peak;
}

/* The sampled file's cached pages, and the guest's dirty memory, in MiB. */
static double file_cached_mib(void)
{
	return e2e_cachestat(sampler.fd, 0, ~0ULL >> 1).nr_cache * E2E_PAGE / (double)MiB;
}

static double dirty_writeback_mib(void)
{
	return (meminfo_kb("Dirty:") + meminfo_kb("Writeback:")) / 1024.0;
}

static void run_peak(const char *dir, uint64_t size)
{
	int nr = (int)(size / MiB);
	struct iovec *iov = calloc(nr, sizeof(*iov));
	unsigned char *buf = e2e_alloc(MiB);
	ssize_t ret;

	if (!iov || nr < 1 || nr > IOV_MAX)
		e2e_die("peak: SIZE must be 1 to %d MiB", IOV_MAX);
	memset(buf, 0xa5, MiB);
	for (int i = 0; i < nr; i++)
		iov[i] = (struct iovec){ buf, MiB };
	sampler.fd = open_file(dir, "peak", O_RDWR | O_CREAT | O_TRUNC);
	sampler_start(file_cached_mib);
	ret = pwritev2(sampler.fd, iov, nr, 0, rwf);
	sampler_stop();
	if (ret != (ssize_t)size)
		e2e_die("one pwritev2() of %lu bytes returned %zd (%s)", size, ret,
			ret < 0 ? strerror(errno) : "short");
	printf("peak,%s,%lu,peak cached MiB,%.1f\n", mode, size, sampler.peak);
	close(sampler.fd);
}

/* A new file of SIZE bytes, buffered, written and read in BUF's LEN: cached. */
static int cached_file(const char *dir, const char *name, uint64_t size,
		       unsigned char *buf, size_t len)
{
	int saved = direct, fd;

	direct = 0;
	fd = open_file(dir, name, O_RDWR | O_CREAT | O_TRUNC);
	direct = saved;
	memset(buf, 0x3c, len);
	for (uint64_t off = 0; off < size; off += len)
		e2e_pio(fd, 1, buf, len, off, 0);
	if (fsync(fd))
		e2e_die("fsync: %s", strerror(errno));
	for (uint64_t off = 0; off < size; off += len)
		e2e_pio(fd, 0, buf, len, off, 0);
	return fd;
}

static void run_workset(const char *dir, uint64_t hot_size, uint64_t size)
{
	unsigned char *buf = e2e_alloc(MiB);
	int hot = cached_file(dir, "hot", hot_size, buf, MiB), fd;

	printf("workset,%s,%lu,hot cached before %%,%.1f\n", mode, MiB, cached_pct(hot, hot_size));

	fd = open_file(dir, "stream", O_RDWR | O_CREAT | O_TRUNC);
	stream(fd, 1, size, MiB);
	printf("workset,%s,%lu,hot cached after write %%,%.1f\n", mode, MiB,
	       cached_pct(hot, hot_size));
	e2e_drop_cache(fd);
	stream(fd, 0, size, MiB);
	printf("workset,%s,%lu,hot cached after read %%,%.1f\n", mode, MiB,
	       cached_pct(hot, hot_size));
	close(fd);
	close(hot);
	free(buf);
}

/* A writer: LEN bytes of fd from OFF in REQ-byte calls, each call timed. */
struct writer {
	int fd;
	uint64_t off, len, req;
	double *lat;	/* seconds, a call each */
	size_t nr;
	pthread_t thread;
};

static void *write_timed(void *arg)
{
	struct writer *w = arg;
	unsigned char *buf = e2e_alloc(w->req);

	w->lat = calloc(w->len / w->req + 1, sizeof(*w->lat));
	if (!w->lat)
		e2e_die("out of memory");
	memset(buf, 0x6b, w->req);
	for (uint64_t done = 0; done < w->len; done += w->req) {
		double t0 = now();

		e2e_pio(w->fd, 1, buf, w->req, w->off + done, rwf);
		w->lat[w->nr++] = now() - t0;
	}
	if (fsync(w->fd))
		e2e_die("fsync: %s", strerror(errno));
	free(buf);
	return NULL;
}

static void writers_start(struct writer *w, int nr)
{
	for (int i = 0; i < nr; i++)
		if (pthread_create(&w[i].thread, NULL, write_timed, &w[i]))
			e2e_die("pthread_create");
}

static void writers_join(struct writer *w, int nr)
{
	for (int i = 0; i < nr; i++)
		pthread_join(w[i].thread, NULL);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The Q-quantile (nearest rank) of N samples, in milliseconds; sorts V. */
static double percentile_ms(double *v, size_t n, double q)
{
	size_t rank = (size_t)(q * n);

	if (rank < q * n)
		rank++;	/* rounded up */
	if (!n)
		e2e_die("no samples");
	qsort(v, n, sizeof(*v), cmp_double);
	return 1e3 * v[rank ? rank - 1 : 0];
}

/* All calls of NR writers, in one array. */
static double *all_calls(struct writer *w, int nr, size_t *n)
{
	double *v;

	*n = 0;
	for (int i = 0; i < nr; i++)
		*n += w[i].nr;
	v = calloc(*n + 1, sizeof(*v));
	if (!v)
		e2e_die("out of memory");
	for (int i = 0, k = 0; i < nr; i++)
		for (size_t j = 0; j < w[i].nr; j++)
			v[k++] = w[i].lat[j];
	return v;
}

static void run_latency(const char *dir, uint64_t req, uint64_t size)
{
	struct writer w = { .len = size, .req = req };
	double t;

	w.fd = open_file(dir, "latency", O_RDWR | O_CREAT | O_TRUNC);
	sampler_start(dirty_writeback_mib);
	t = now();
	write_timed(&w);
	t = now() - t;
	printf("latency,%s,%lu,peak Dirty+Writeback MiB,%.1f\n", mode, req, sampler_stop());
	printf("latency,%s,%lu,MB/s,%.1f\n", mode, req, size / t / 1e6);
	printf("latency,%s,%lu,write p50 ms,%.3f\n", mode, req, percentile_ms(w.lat, w.nr, 0.5));
	printf("latency,%s,%lu,write p99 ms,%.3f\n", mode, req, percentile_ms(w.lat, w.nr, 0.99));
	printf("latency,%s,%lu,write p99.9 ms,%.3f\n", mode, req,
	       percentile_ms(w.lat, w.nr, 0.999));
	printf("latency,%s,%lu,write max ms,%.3f\n", mode, req, percentile_ms(w.lat, w.nr, 1));
	close(w.fd);
	free(w.lat);
}

static void run_writers(const char *dir, int nr, uint64_t size)
{
	struct writer *w = calloc(nr, sizeof(*w));
	double t, *v;
	size_t n;

	if (!w || nr < 1 || size / nr < MiB)
		e2e_die("writers: NR from 1 to SIZE / 1 MiB");
	for (int i = 0; i < nr; i++) {
		char name[32];

		snprintf(name, sizeof(name), "writer%d", i);
		w[i] = (struct writer){ .fd = open_file(dir, name, O_RDWR | O_CREAT | O_TRUNC),
					.len = size / nr / MiB * MiB, .req = MiB };
	}
	t = now();
	writers_start(w, nr);
	writers_join(w, nr);
	t = now() - t;
	v = all_calls(w, nr, &n);
	printf("writers-%d,%s,%lu,MB/s,%.1f\n", nr, mode, MiB, n * MiB / t / 1e6);
	printf("writers-%d,%s,%lu,write p99 ms,%.3f\n", nr, mode, MiB, percentile_ms(v, n, 0.99));
	for (int i = 0; i < nr; i++) {
		close(w[i].fd);
		free(w[i].lat);
	}
	free(v);
	free(w);
}

#define SAMEFILE_HOT	(16 * MiB)
#define SAMEFILE_READ	(64 * 1024UL)

static void run_samefile(const char *dir, uint64_t size)
{
	unsigned char *buf = e2e_alloc(SAMEFILE_READ);
	struct writer w = { .off = SAMEFILE_HOT, .len = size, .req = MiB };
	double *lat = NULL, t;
	size_t nr = 0, cap = 0;

	/* The region the reader re-reads, cached. */
	int reader = cached_file(dir, "shared", SAMEFILE_HOT, buf, SAMEFILE_READ);

	w.fd = open_file(dir, "shared", O_RDWR);
	t = now();
	writers_start(&w, 1);
	/* Read after read till the writer is done. */
	for (uint64_t off = 0; pthread_tryjoin_np(w.thread, NULL);
	     off = (off + SAMEFILE_READ) % SAMEFILE_HOT) {
		double t0 = now();

		e2e_pio(reader, 0, buf, SAMEFILE_READ, off, 0);
		if (nr == cap) {
			cap = cap ? 2 * cap : 4096;
			lat = realloc(lat, cap * sizeof(*lat));
			if (!lat)
				e2e_die("out of memory");
		}
		lat[nr++] = now() - t0;
	}
	t = now() - t;
	printf("samefile,%s,%lu,writer MB/s,%.1f\n", mode, SAMEFILE_READ, size / t / 1e6);
	printf("samefile,%s,%lu,reads,%zu\n", mode, SAMEFILE_READ, nr);
	printf("samefile,%s,%lu,reader p50 ms,%.3f\n", mode, SAMEFILE_READ,
	       percentile_ms(lat, nr, 0.5));
	printf("samefile,%s,%lu,reader p99 ms,%.3f\n", mode, SAMEFILE_READ,
	       percentile_ms(lat, nr, 0.99));
	printf("samefile,%s,%lu,region cached after %%,%.1f\n", mode, SAMEFILE_READ,
	       cached_pct(reader, SAMEFILE_HOT));
	close(w.fd);
	close(reader);
	free(w.lat);
	free(lat);
	free(buf);
}

static void run_twowriters(const char *dir, uint64_t size)
{
	uint64_t half = size / 2 / MiB * MiB;
	struct writer w[2] = {
		{ .fd = open_file(dir, "two", O_RDWR | O_CREAT | O_TRUNC),
		  .len = half, .req = MiB },
		{ .fd = open_file(dir, "two", O_RDWR), .off = half, .len = half, .req = MiB },
	};
	double t, *v;
	size_t n;

	t = now();
	writers_start(w, 2);
	writers_join(w, 2);
	t = now() - t;
	v = all_calls(w, 2, &n);
	printf("twowriters,%s,%lu,MB/s,%.1f\n", mode, MiB, 2 * half / t / 1e6);
	printf("twowriters,%s,%lu,write p99 ms,%.3f\n", mode, MiB, percentile_ms(v, n, 0.99));
	for (int i = 0; i < 2; i++) {
		close(w[i].fd);
		free(w[i].lat);
	}
	free(v);
}

/* A cold file of size bytes, written and dropped from the cache. */
static int cold_file(const char *dir, uint64_t size)
{
	int fd = open_file(dir, "cold", O_RDWR | O_CREAT | O_TRUNC);
	int wfd = open_file(dir, "cold", O_RDWR);
	int saved = rwf;

	rwf = 0;
	stream(wfd, 1, size, MiB);
	rwf = saved;
	e2e_drop_cache(wfd);
	close(wfd);
	return fd;
}

/* Sectors read so far from the device that holds fd's file. */
static unsigned long long device_sectors_read(int fd)
{
	unsigned long long ios, merges, sectors = 0;
	char path[128];
	struct stat st;
	FILE *f;

	if (fstat(fd, &st))
		e2e_die("fstat: %s", strerror(errno));
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/stat",
		 major(st.st_dev), minor(st.st_dev));
	f = fopen(path, "r");
	if (!f || fscanf(f, "%llu %llu %llu", &ios, &merges, &sectors) != 3)
		e2e_die("cannot read %s", path);
	fclose(f);
	return sectors;
}

/* The nth 4 KiB slot of a fixed pseudo-random sequence over size bytes. */
static off_t random_slot(unsigned int n, uint64_t size)
{
	uint64_t x = (n + 1) * 0x9e3779b97f4a7c15ULL;

	x ^= x >> 29;
	return (off_t)(x % (size / 4096)) * 4096;
}

static void run_random(const char *dir, uint64_t size)
{
	const char *fs = getenv("E2E_BENCH_FS");
	char test[64];
	int fd = cold_file(dir, size);
	unsigned char *buf = e2e_alloc(4096);
	double *lat = calloc(RANDOM_READS, sizeof(*lat)), t;
	unsigned long long sectors = device_sectors_read(fd);

	if (!lat)
		e2e_die("out of memory");
	snprintf(test, sizeof(test), "random%s%s", fs ? "-" : "", fs ? fs : "");
	t = now();
	for (unsigned int n = 0; n < RANDOM_READS; n++) {
		struct iovec iov = { buf, 4096 };
		double t0 = now();

		if (preadv2(fd, &iov, 1, random_slot(n, size), rwf) != 4096)
			e2e_die("preadv2: %s", strerror(errno));
		lat[n] = now() - t0;
	}
	t = now() - t;
	sectors = device_sectors_read(fd) - sectors;
	printf("%s,%s,4096,device KiB per call,%.2f\n", test, mode,
	       sectors * 512.0 / 1024 / RANDOM_READS);
	printf("%s,%s,4096,IOPS,%.0f\n", test, mode, RANDOM_READS / t);
	printf("%s,%s,4096,read p50 ms,%.3f\n", test, mode, percentile_ms(lat, RANDOM_READS, 0.5));
	printf("%s,%s,4096,read p99 ms,%.3f\n", test, mode, percentile_ms(lat, RANDOM_READS, 0.99));
	printf("%s,%s,4096,file cached %%,%.2f\n", test, mode, cached_pct(fd, size));
	free(lat);
	free(buf);
	close(fd);
}

/*
 * count reads of req bytes through ring, URING_DEPTH in flight, at
 * offsets off(n): the seconds they took.
 */
static double uring_reads(struct io_uring *ring, int fd, unsigned char *bufs,
			  size_t req, unsigned int count, uint64_t size, int sequential)
{
	unsigned int submitted = 0, done = 0;
	double t = now();

	while (done < count) {
		struct io_uring_cqe *cqe;
		int ret;

		while (submitted < count && submitted - done < URING_DEPTH) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
			off_t off = sequential ? (off_t)(submitted * req) :
						 random_slot(submitted, size);

			io_uring_prep_read(sqe, fd, bufs + (submitted % URING_DEPTH) * req,
					   req, off);
			sqe->rw_flags = rwf;
			submitted++;
		}
		ret = io_uring_submit(ring);
		if (ret < 0)
			e2e_die("io_uring_submit: %s", strerror(-ret));
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret)
			e2e_die("io_uring_wait_cqe: %s", strerror(-ret));
		if (cqe->res != (int)req)
			e2e_die("io_uring read: %d", cqe->res);
		io_uring_cqe_seen(ring, cqe);
		done++;
	}
	return now() - t;
}

static void run_uring(const char *dir, uint64_t size)
{
	const size_t seq_req = 128 << 10;
	int fd = cold_file(dir, size);
	unsigned char *bufs = e2e_alloc(URING_DEPTH * seq_req);
	struct io_uring ring;
	double t;
	int ret = io_uring_queue_init(2 * URING_DEPTH, &ring, 0);

	if (ret)
		e2e_die("io_uring_queue_init: %s", strerror(-ret));
	t = uring_reads(&ring, fd, bufs, seq_req, size / seq_req, size, 1);
	printf("uring-seq,%s,%zu,MB/s,%.1f\n", mode, seq_req, size / t / 1e6);
	printf("uring-seq,%s,%zu,file cached %%,%.2f\n", mode, seq_req, cached_pct(fd, size));
	e2e_drop_cache(fd);
	t = uring_reads(&ring, fd, bufs, 4096, RANDOM_READS, size, 0);
	printf("uring-random,%s,4096,IOPS,%.0f\n", mode, RANDOM_READS / t);
	printf("uring-random,%s,4096,file cached %%,%.2f\n", mode, cached_pct(fd, size));
	io_uring_queue_exit(&ring);
	free(bufs);
	close(fd);
}

int main(int argc, char **argv)
{
	e2e_prog = "e2e-bench";
	if (argc < 4)
		e2e_die("usage: e2e-bench %s DIR MODE ...", SCENARIOS);
	mode = argv[3];
	if (!strcmp(mode, "uncached"))
		rwf = RWF_UNCACHED;
	else if (!strcmp(mode, "direct"))
		direct = 1;
	else if (strcmp(mode, "buffered"))
		e2e_die("unknown mode %s", mode);
	if (!strcmp(argv[1], "seq") && argc == 6)
		run_seq(argv[2], strtoull(argv[4], NULL, 0), strtoull(argv[5], NULL, 0));
	else if (!strcmp(argv[1], "peak") && argc == 5)
		run_peak(argv[2], strtoull(argv[4], NULL, 0));
	else if (!strcmp(argv[1], "workset") && argc == 6)
		run_workset(argv[2], strtoull(argv[4], NULL, 0), strtoull(argv[5], NULL, 0));
	else if (!strcmp(argv[1], "latency") && argc == 6)
		run_latency(argv[2], strtoull(argv[4], NULL, 0), strtoull(argv[5], NULL, 0));
	else if (!strcmp(argv[1], "writers") && argc == 6)
		run_writers(argv[2], atoi(argv[4]), strtoull(argv[5], NULL, 0));
	else if (!strcmp(argv[1], "samefile") && argc == 5)
		run_samefile(argv[2], strtoull(argv[4], NULL, 0));
	else if (!strcmp(argv[1], "twowriters") && argc == 5)
		run_twowriters(argv[2], strtoull(argv[4], NULL, 0));
	else if (!strcmp(argv[1], "random") && argc == 5)
		run_random(argv[2], strtoull(argv[4], NULL, 0));
	else if (!strcmp(argv[1], "uring") && argc == 5)
		run_uring(argv[2], strtoull(argv[4], NULL, 0));
	else
		e2e_die("usage: e2e-bench %s DIR MODE ...", SCENARIOS);
	fflush(stdout);
	return 0;
}
