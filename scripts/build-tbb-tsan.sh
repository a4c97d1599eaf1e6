#!/usr/bin/env bash
# Build a ThreadSanitizer-instrumented oneTBB from Debian's own source package
# (the same version as the installed/candidate libtbb-dev) and install it into
# a prefix, so that the TSan build of Thespis can link against it instead of
# Debian's uninstrumented libtbb (which makes TSan report false races through
# TBB's internal synchronisation).
#
# Usage: scripts/build-tbb-tsan.sh [PREFIX]      (default PREFIX: /opt/tbb-tsan)
#
# Result:
#   PREFIX/lib/libtbb.so{,.12,.12.8}       instrumented with -fsanitize=thread
#   PREFIX/lib/cmake/TBB/TBBConfig.cmake   for find_package(TBB CONFIG) with
#                                          -DCMAKE_PREFIX_PATH=PREFIX
#   PREFIX/include/{tbb,oneapi}/...
#   PREFIX/.thespis-tbb-tsan.stamp         marks a complete install
#
# Consumers must be compiled AND linked with -fsanitize=thread (the library
# does not carry the TSan runtime itself), and must load this libtbb.so.12 at
# run time rather than Debian's one with the same soname: CMake's build-tree
# RPATH does this automatically; otherwise use -Wl,-rpath,PREFIX/lib or
# LD_LIBRARY_PATH=PREFIX/lib.
#
# Needs root (apt-get) on Debian 12; only Debian's mirrors are used.
# Re-running with a complete install in PREFIX exits 0 at once.
#
# Environment knobs (all optional):
#   TBB_TSAN_JOBS      parallel build jobs (default: min(2, nproc))
#   TBB_TSAN_WORKDIR   scratch directory (default: a fresh mktemp dir, removed)
#   TBB_TSAN_FORCE     =1 rebuild even if the stamp is present
set -euo pipefail

PREFIX="${1:-/opt/tbb-tsan}"
SRC_PKG=onetbb
BIN_PKG=libtbb-dev
CLANG_VER=14
STAMP="$PREFIX/.thespis-tbb-tsan.stamp"
# Bump this when the build recipe changes, so existing installs are rebuilt.
RECIPE="recipe=1 clang-$CLANG_VER TBB_SANITIZE=thread -O1 -g RelWithDebInfo tbb-only"

log() { printf '[build-tbb-tsan] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

have_config() {
    [[ -f "$PREFIX/lib/cmake/TBB/TBBConfig.cmake" || -f "$PREFIX/lib64/cmake/TBB/TBBConfig.cmake" ]]
}

# ---------------------------------------------------------------- 3. fast path
if [[ "${TBB_TSAN_FORCE:-0}" != 1 ]] && have_config && [[ -f "$STAMP" ]] \
   && grep -qF "$RECIPE" "$STAMP"; then
    log "already installed in $PREFIX ($(head -n1 "$STAMP")); nothing to do"
    exit 0
fi

START=$SECONDS
[[ $(id -u) -eq 0 ]] || die "must run as root (uses apt-get)"
export DEBIAN_FRONTEND=noninteractive

# ------------------------------------------------ apt: deb-src + build tools
# Add a deb-src twin of every deb822 'Types: deb' stanza in debian.sources
# (same URIs, Suites, Components, Signed-By), unless deb-src is already there.
DEBSRC_FILE=/etc/apt/sources.list.d/thespis-deb-src.sources
shopt -s nullglob
SRC_LISTS=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
shopt -u nullglob
if ! grep -qsE '^[[:space:]]*(Types:.*deb-src|deb-src[[:space:]])' "${SRC_LISTS[@]}"; then
    if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
        log "adding $DEBSRC_FILE (deb-src twin of debian.sources)"
        sed -E 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb-src/' \
            /etc/apt/sources.list.d/debian.sources > "$DEBSRC_FILE"
    else
        log "adding $DEBSRC_FILE (default bookworm deb-src entries)"
        cat > "$DEBSRC_FILE" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    fi
fi

log "apt-get update"
apt-get update -qq
log "installing build dependencies"
apt-get install -y -qq --no-install-recommends \
    "clang-$CLANG_VER" "libclang-rt-$CLANG_VER-dev" libstdc++-12-dev \
    cmake ninja-build dpkg-dev xz-utils ca-certificates "$BIN_PKG" >/dev/null

CXX_BIN="$(command -v "clang++-$CLANG_VER" || true)"
[[ -n "$CXX_BIN" ]] || die "clang++-$CLANG_VER not found after install"

# ------------------------------------------------ 1. get the matching source
# The exact Debian source version of the libtbb-dev we build against.
TBB_VER="$(dpkg-query -W -f='${source:Version}' "$BIN_PKG" 2>/dev/null || true)"
if [[ -z "$TBB_VER" ]]; then
    TBB_VER="$(apt-cache policy "$BIN_PKG" | awk '/Candidate:/ {print $2}')"
fi
[[ -n "$TBB_VER" && "$TBB_VER" != "(none)" ]] || die "cannot determine $BIN_PKG version"
log "Debian $BIN_PKG source version: $SRC_PKG $TBB_VER"

if [[ -n "${TBB_TSAN_WORKDIR:-}" ]]; then
    WORK="$TBB_TSAN_WORKDIR"
    mkdir -p "$WORK"
else
    WORK="$(mktemp -d /tmp/tbb-tsan.XXXXXX)"
    trap 'rm -rf "$WORK"' EXIT
fi
SRC_PARENT="$WORK/src"
rm -rf "$SRC_PARENT"
mkdir -p "$SRC_PARENT"
# apt downloads as root when _apt cannot write here; let it, quietly.
chmod 755 "$WORK" "$SRC_PARENT"

fetch_with_apt_source() {
    (cd "$SRC_PARENT" && apt-get source -qq "$SRC_PKG=$TBB_VER") >&2
}

# Fallback: fetch .dsc + tarballs from the configured Debian mirrors' pool with
# apt's own downloader, then unpack with dpkg-source (checks the .dsc sums).
fetch_from_pool() {
    local ver_noepoch="${TBB_VER#*:}" uris u dsc f sha
    local pool="pool/main/${SRC_PKG:0:1}/$SRC_PKG"
    local helper=/usr/lib/apt/apt-helper
    dsc="${SRC_PKG}_${ver_noepoch}.dsc"
    uris="$( { grep -rhsE '^URIs:' /etc/apt/sources.list.d/*.sources | sed -E 's/^URIs:[[:space:]]*//' | tr ' ' '\n'
               grep -hsE '^deb(-src)?[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{for(i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; break}}'
               printf '%s\n' http://deb.debian.org/debian http://deb.debian.org/debian-security
             } | grep -E 'debian' | awk 'NF && !seen[$0]++' )"
    for u in $uris; do
        u="${u%/}"
        log "trying $u/$pool/$dsc"
        rm -f "$SRC_PARENT"/*
        "$helper" download-file "$u/$pool/$dsc" "$SRC_PARENT/$dsc" >/dev/null 2>&1 || continue
        local ok=1
        # Checksums-Sha256 lines: " <sha256> <size> <file>"
        while read -r sha _ f; do
            "$helper" download-file "$u/$pool/$f" "$SRC_PARENT/$f" "SHA256:$sha" >/dev/null 2>&1 || { ok=0; break; }
        done < <(awk '/^Checksums-Sha256:/ {on=1; next} /^[^ ]/ {on=0} on && NF==3' "$SRC_PARENT/$dsc")
        [[ $ok == 1 ]] || continue
        (cd "$SRC_PARENT" && dpkg-source -x "$dsc") >&2 && return 0
    done
    return 1
}

if [[ "${TBB_TSAN_FORCE_POOL_FALLBACK:-0}" != 1 ]] && fetch_with_apt_source; then
    log "got source with apt-get source"
else
    log "apt-get source failed; falling back to downloading from the mirror pool"
    fetch_from_pool || die "could not obtain $SRC_PKG $TBB_VER source from Debian mirrors"
fi
SRC_DIR="$(find "$SRC_PARENT" -mindepth 1 -maxdepth 1 -type d -name "${SRC_PKG}-*" | head -n1)"
[[ -n "$SRC_DIR" && -f "$SRC_DIR/CMakeLists.txt" ]] || die "unpacked source not found in $SRC_PARENT"
grep -q 'TBB_SANITIZE' "$SRC_DIR/cmake/sanitize.cmake" 2>/dev/null \
    || die "this oneTBB has no TBB_SANITIZE option; recipe needs updating"

# ------------------------------------------------ 2. configure, build, install
JOBS="${TBB_TSAN_JOBS:-$(nproc)}"
if (( JOBS > 2 )); then JOBS=2; fi
if (( JOBS < 1 )); then JOBS=1; fi

BUILD_DIR="$WORK/build"
rm -rf "$BUILD_DIR"
log "configuring (clang-$CLANG_VER, TBB_SANITIZE=thread, -O1 -g) -> $PREFIX"
# TBB_SANITIZE=thread: oneTBB's own switch; adds -fsanitize=thread to compile
# and link flags and turns off LTO/IPO, which breaks TSan instrumentation.
# TBB_STRICT=OFF: don't let new clang warnings (-Werror) break the build.
# TBB_DISABLE_HWLOC_AUTOMATIC_SEARCH: no tbbbind (would need hwloc); not used.
cmake -S "$SRC_DIR" -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="$CXX_BIN" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -fno-omit-frame-pointer -DNDEBUG" \
    -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" \
    -DCMAKE_INSTALL_LIBDIR=lib \
    -DTBB_SANITIZE=thread \
    -DTBB_STRICT=OFF \
    -DTBB_TEST=OFF \
    -DTBB_EXAMPLES=OFF \
    -DTBB4PY_BUILD=OFF \
    -DTBBMALLOC_BUILD=OFF \
    -DTBBMALLOC_PROXY_BUILD=OFF \
    -DTBB_DISABLE_HWLOC_AUTOMATIC_SEARCH=ON \
    -DTBB_ENABLE_IPO=OFF \
    >"$WORK/cmake-configure.log" 2>&1 \
    || { tail -n 50 "$WORK/cmake-configure.log" >&2; die "cmake configure failed"; }

log "building with $JOBS job(s)"
cmake --build "$BUILD_DIR" --parallel "$JOBS" >"$WORK/cmake-build.log" 2>&1 \
    || { tail -n 50 "$WORK/cmake-build.log" >&2; die "build failed"; }

# Replace any previous (stale or partial) install, then install.
rm -rf "$PREFIX/lib/cmake/TBB" "$PREFIX/lib64/cmake/TBB" "$STAMP"
cmake --install "$BUILD_DIR" >"$WORK/cmake-install.log" 2>&1 \
    || { tail -n 50 "$WORK/cmake-install.log" >&2; die "install failed"; }

have_config || die "install finished but TBBConfig.cmake is missing under $PREFIX"
LIB="$(find "$PREFIX/lib" -maxdepth 1 -name 'libtbb.so.*' -type f | head -n1)"
[[ -n "$LIB" ]] || die "libtbb.so.* missing under $PREFIX/lib"
# Sanity check: the library must really be instrumented.
nm -D --undefined-only "$LIB" | grep -q '__tsan_' \
    || die "$LIB has no __tsan_ references: not instrumented"

ELAPSED=$(( SECONDS - START ))
{
    echo "$SRC_PKG $TBB_VER"
    echo "$RECIPE"
    echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in ${ELAPSED}s with $JOBS job(s)"
} > "$STAMP"
log "installed instrumented oneTBB $TBB_VER into $PREFIX in ${ELAPSED}s"
