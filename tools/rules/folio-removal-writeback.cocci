// SPDX-License-Identifier: GPL-2.0
/// A folio is taken out of the page cache under its lock, and nothing
/// since the lock was taken tested or waited for its writeback.
///
/// Writeback starts under the folio lock and ends without it, so a test
/// made before the lock (or none) says nothing about the folio that is
/// removed: a folio whose writeback started in between is freed while
/// the device still writes it, and its writeback ends on a folio that is
/// no longer in the page cache.  invalidate_complete_folio2() and
/// __filemap_remove_folio() test dirty under the i_pages lock, but not
/// writeback, and filemap_release_folio() tests it only for folios with
/// private data.  This is how RWF_DONTCACHE's drop at writeback end
/// (6.15) and its read-side twin went wrong.
///
/// Confidence: High (a folio found locked and clean may still be under
/// writeback).  Options: --no-includes --include-headers
//
// Run by tools/rules.sh (make rules, make checkpatch, make upstream-bugs).

virtual report

@r exists@
expression F, M;
position p;
@@
(
folio_trylock(F)
|
folio_lock(F)
)
... when != folio_test_writeback(F)
    when != folio_wait_writeback(F)
    when != folio_wait_stable(F)
(
folio_drop_behind(M, F)@p
|
invalidate_complete_folio2(M, F)@p
|
folio_unmap_invalidate(M, F, ...)@p
|
__filemap_remove_folio(F, ...)@p
|
filemap_remove_folio(F)@p
)

@script:python depends on report@
p << r.p;
@@
coccilib.report.print_report(p[0], "folio removed from the page cache with no writeback test since its lock was taken")
