#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# compile_commands.json of the last build, for clangd and editors, in the
# tree (where they look for it).  kunit.py run regenerates it on every run;
# the sandbox's runs do not, so it is made here, on request.
. "$(dirname "$0")/lib.sh"

[ -f "$BUILD/.config" ] || die "no build in $BUILD: run 'make' first"
make -s -C "$TREE" ARCH=um O="$BUILD" CC="$KBUILD_CC" compile_commands.json
ln -sf "$BUILD/compile_commands.json" "$TREE/compile_commands.json"
note "$TREE/compile_commands.json -> $BUILD/compile_commands.json"
