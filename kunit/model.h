/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model of what RWF_UNCACHED promises (fs/man/RWF_UNCACHED.txt): from
 * a file's state before one I/O, the I/O and a fault plan, what the I/O
 * returns and leaves behind.  Written from the man text and the iomap
 * documentation of the series, and nothing else: it calls no code under
 * test.  kunit/model_test.c runs each generated case on the test
 * filesystem and compares everything the model predicts.
 */
#ifndef _UNCACHED_MODEL_H
#define _UNCACHED_MODEL_H

#include <linux/types.h>

#include "testfs.h"

/* A folio's state before the I/O, and after it. */
enum model_folio {
	MF_ABSENT,
	MF_CLEAN,
	MF_DIRTY,		/* holding data the disk does not have */
	MF_WRITEBACK,		/* that data, under writeback (it completes) */
	MF_NOT_UPTODATE,	/* cached, never read */
	MF_NR
};

enum model_op { MO_WRITE, MO_READ, MO_NR };

/* The I/O's flags: none, or one of these. */
enum model_flags { MFL_NONE, MFL_DSYNC, MFL_NOWAIT, MFL_DIRECT, MFL_NR };

/*
 * The folios a case names: the first and the last of the I/O, and those
 * either side of the first chunk boundary after its start.
 */
enum model_where { MW_FIRST, MW_LAST, MW_BEFORE_BOUNDARY, MW_AFTER_BOUNDARY,
		   MW_NR };

/* The fault plan: one fault, at one named folio. */
enum model_fault {
	MX_NONE,
	MX_ALLOC,		/* every allocation of a write's lookup fails */
	/* space runs out there (->iomap_begin, ->write_begin: -ENOSPC) */
	MX_ENOSPC,
	MX_WB,			/* its writeback fails (-EIO) */
	MX_WB_ASYNC,		/* the same, completing later, from a worker */
	/*
	 * the same; another file's fsync() runs right after the writeback,
	 * before the write looks
	 */
	MX_WB_OTHER_FSYNC,
	MX_READ,		/* reading it from the disk fails (-EIO) */
	MX_READ_ASYNC,		/* the same, reads completing later */
	MX_NR
};

struct model_case {
	enum utfs_path path;
	enum model_op op;
	enum model_flags flags;
	loff_t pos;
	size_t len;
	enum model_folio state[MW_NR];
	enum model_fault fault;
	enum model_where fault_at;
};

/* The file every case starts from. */
struct model_file {
	loff_t size;		/* i_size, all of it written on the disk */
	loff_t capacity;	/* the test filesystem's disk for the file */
	loff_t chunk;		/* UNCACHED_WRITE_CHUNK */
	unsigned long ra_pages;	/* the file's readahead size, in pages */
};

/* The seeds of utfs_pattern() each kind of data is written with. */
enum model_seed { MS_ZERO, MS_DISK, MS_DIRTY, MS_IO };

/* What the model predicts. */
struct model_result {
	ssize_t ret;
	loff_t ki_pos;
	size_t iter_left;	/* bytes the I/O left in its iov_iter */
	loff_t i_size;
	int fsync_writer;	/* the next fsync() of the I/O's file */
	int fsync_other;	/* of another file open before it */
	/* Writes: the chunks written back, in order, each [start, end). */
	unsigned int nr_writebacks;
	loff_t wb_start[8], wb_end[8];
	loff_t wb_chunk_end[8];	/* where its chunk ends: its mappings are below */
	bool kept[8];		/* the chunk found cached folios: it stays */
	/* Reads: where they may start reading from the disk. */
	loff_t read_start;
	/* Private to model.c: what the folio and byte functions use. */
	loff_t copied_end;	/* the I/O's data is in [pos, copied_end) */
	loff_t fail_start, fail_end;	/* a chunk whose writeback failed */
	pgoff_t wb_failed;	/* its folio that did not reach the disk */
	bool direct_fallback;	/* generic O_DIRECT: direct_write_fallback() */
	loff_t read_stop;	/* reads: where the read stopped */
	pgoff_t unread;		/* reads: the folio it could not read */
};

pgoff_t model_folio_of(const struct model_file *f, const struct model_case *c,
		       enum model_where w);
/* The named folios' states are consistent, and the case makes sense. */
bool model_case_valid(const struct model_file *f, const struct model_case *c);
/* The state of folio @index before the I/O. */
enum model_folio model_before(const struct model_file *f,
			      const struct model_case *c, pgoff_t index);
void model_run(const struct model_file *f, const struct model_case *c,
	       struct model_result *r);
/* After the I/O (writeback settled): folio @index's state. */
enum model_folio model_after(const struct model_file *f,
			     const struct model_case *c,
			     const struct model_result *r, pgoff_t index);
/*
 * [R1] An uncached read that stopped at @stop, in a file of @size bytes,
 * has consumed a folio that ends at @folio_end (and drops it, if it
 * brought it in): it read past the folio, or to EOF.
 */
static inline bool model_read_consumed(loff_t folio_end, loff_t stop,
				       loff_t size)
{
	return folio_end <= stop || stop >= size;
}

/*
 * Reads: folio @index may hold the read's readahead; it is in the
 * state a plain read from the same state leaves it in.
 */
bool model_read_ahead(const struct model_file *f, const struct model_case *c,
		      const struct model_result *r, pgoff_t index);
/*
 * The seed of byte @off after the I/O: on the disk, in the page cache (if
 * its folio is cached and uptodate), and as the read returned it.
 */
enum model_seed model_disk_byte(const struct model_file *f,
				const struct model_case *c,
				const struct model_result *r, loff_t off);
enum model_seed model_cache_byte(const struct model_file *f,
				 const struct model_case *c,
				 const struct model_result *r, loff_t off);
enum model_seed model_read_byte(const struct model_file *f,
				const struct model_case *c, loff_t off);
/* The next offset after @off at which a byte function may change. */
loff_t model_next_change(const struct model_file *f,
			 const struct model_case *c,
			 const struct model_result *r, loff_t off);

#endif /* _UNCACHED_MODEL_H */
