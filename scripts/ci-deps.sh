#!/usr/bin/env bash
# ci-deps.sh — installs the Debian 12 packages amber needs (run as root).
#
#   scripts/ci-deps.sh native   the build and the default test suite
#   scripts/ci-deps.sh fuzz     clang and its libFuzzer/sanitizer runtime
#   scripts/ci-deps.sh cross    the ARM64 cross toolchain, arm64 -dev packages,
#                               qemu-user, and a private arm64 Criterion
#                               (see cross_criterion below)
#
# Packages come from Debian's archive only.  Already-installed packages are
# left alone, so a second run costs seconds.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

# The packages of README.md's first command, plus what the tests use:
# python3 runs the guest and oracle drivers, qemu-system-x86 is the oracle,
# gdb drives the gdb stub tests (tests/gdb).
NATIVE_PKGS="gcc meson ninja-build nasm pkg-config python3 libcapstone-dev libcriterion-dev
zlib1g-dev libsdl2-dev qemu-system-x86 gdb"
FUZZ_PKGS="clang libclang-rt-14-dev"
# pkgconf:arm64 provides aarch64-linux-gnu-pkg-config (the cross file's).
# libcriterion-dev:arm64 is missing on purpose: see cross_criterion.
CROSS_PKGS="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user qemu-user-binfmt
libc6:arm64 pkgconf:arm64 libcapstone-dev:arm64 zlib1g-dev:arm64 libffi8:arm64 libgit2-1.5:arm64"

export DEBIAN_FRONTEND=noninteractive

# Tries a command three times: the archive is reached over the network.
retry() {
	local n
	for n in 1 2 3; do
		"$@" && return 0
		echo "ci-deps.sh: '$*' failed (try $n of 3)" >&2
		sleep $((n * 5))
	done
	return 1
}

# apt-get update once per run of this script; a third-party source listed on
# the machine that cannot be reached must not stop us, so its failure only
# warns (a package that is then really missing fails the install below).
updated=0
apt_update() {
	[ "$updated" = 1 ] && return 0
	retry apt-get update -q || echo "ci-deps.sh: apt-get update reported errors; going on" >&2
	updated=1
}

# Installs the packages of $@ that are not installed yet.
apt_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "ci-deps.sh: missing ${missing[*]}; run as root to install them" >&2
		exit 1
	fi
	apt_update
	echo "ci-deps.sh: installing ${missing[*]}"
	retry apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Debian 12 cannot install libcriterion-dev for amd64 and arm64 side by side:
# both need libnanomsg5, whose amd64 build is a binNMU (1.1.5+dfsg-1.1+b1)
# and whose arm64 build is not (1.1.5+dfsg-1.1), and a Multi-Arch: same
# package must have one version for every architecture.  Installing the
# arm64 one removes the native Criterion.  So the arm64 Criterion and
# nanomsg are unpacked (apt-get download + dpkg-deb -x, no dpkg database
# change) into build-aarch64-deps/, with a pkg-config file of our own and a
# meson machine file that points the cross build at them; the binaries get
# an rpath to that folder, so qemu-aarch64 finds the libraries at run time.
cross_criterion() {
	local deps="$root/build-aarch64-deps"
	local lib="$deps/usr/lib/aarch64-linux-gnu"
	if [ -e "$lib/libcriterion.so" ] && [ -e "$lib/libnanomsg.so.5" ] && [ -e "$deps/cross.ini" ]; then
		return 0
	fi
	apt_update
	rm -rf "$deps"
	mkdir -p "$deps/debs"
	chmod 777 "$deps/debs"  # apt's _apt user writes the downloads
	(cd "$deps/debs" && retry apt-get download -q libcriterion3:arm64 libcriterion-dev:arm64 libnanomsg5:arm64)
	local d
	for d in "$deps"/debs/*.deb; do
		dpkg-deb -x "$d" "$deps"
	done
	mkdir -p "$deps/pkgconfig"
	# Requires.private of the packaged criterion.pc names boxfort, libffi,
	# libgit2 and nanomsg .pc files that would need their arm64 -dev
	# packages; linking the shared library needs none of them.  The rpath
	# is an old-style DT_RPATH (--disable-new-dtags) because only that one
	# is also searched for libcriterion's own libnanomsg.so.5.  -isystem,
	# as for the native Criterion in /usr/include: warnings inside
	# Criterion's assertion macros are not the project's (-Werror).
	cat > "$deps/pkgconfig/criterion.pc" <<-EOF
	prefix=$deps/usr
	includedir=\${prefix}/include
	libdir=\${prefix}/lib/aarch64-linux-gnu

	Name: criterion
	Description: Criterion (Debian's arm64 build, unpacked for the cross build)
	Version: 2.4.1
	Libs: -L\${libdir} -lcriterion -Wl,-rpath-link,\${libdir} -Wl,-rpath,\${libdir} -Wl,--disable-new-dtags
	Cflags: -isystem \${includedir}
	EOF
	cat > "$deps/cross.ini" <<-EOF
	# Written by scripts/ci-deps.sh: the arm64 Criterion in this folder.
	[built-in options]
	pkg_config_path = '$deps/pkgconfig'
	EOF
}

# qemu-user runs an arm64 program that is named on its command line, but
# Criterion runs each test in a child it starts with execve() of its own
# binary, and that needs the kernel to know to hand arm64 ELF files to
# qemu-aarch64: binfmt_misc.  qemu-user-binfmt ships the rule; on a machine
# without systemd (a container, CI) nobody loads it, so we do.
cross_binfmt() {
	local bm=/proc/sys/fs/binfmt_misc
	if [ ! -e "$bm/register" ]; then
		mount -t binfmt_misc binfmt_misc "$bm" 2>/dev/null || true
	fi
	if [ ! -e "$bm/register" ]; then
		echo "ci-deps.sh: no binfmt_misc here: arm64 Criterion tests cannot run" >&2
		return 0
	fi
	if [ ! -e "$bm/qemu-aarch64" ]; then
		cat /usr/lib/binfmt.d/qemu-aarch64.conf > "$bm/register" ||
			echo "ci-deps.sh: registering qemu-aarch64 with binfmt_misc failed" >&2
	fi
	[ -e "$bm/qemu-aarch64" ] && echo 1 > "$bm/qemu-aarch64" 2>/dev/null || true
}

# No word-splitting surprises: the lists above are plain names.
# shellcheck disable=SC2086
for what in "${@:-native}"; do
	case "$what" in
	native)
		apt_install $NATIVE_PKGS
		;;
	fuzz)
		apt_install $FUZZ_PKGS
		;;
	cross)
		if ! dpkg --print-foreign-architectures | grep -qx arm64; then
			dpkg --add-architecture arm64
			updated=0
		fi
		apt_install $CROSS_PKGS
		cross_criterion
		cross_binfmt
		;;
	*)
		echo "ci-deps.sh: unknown group '$what' (native, fuzz, cross)" >&2
		exit 2
		;;
	esac
done
